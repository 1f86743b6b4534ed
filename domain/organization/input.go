package organization

import (
	"unicode"
	"unicode/utf8"
)

// Bounds of what clients may write into an organization. better-auth
// accepts any string; Beep bounds them so slugs stay URL-safe and a row
// cannot grow without limit.
const (
	MaxSlugLength     = 100
	MaxNameLength     = 256
	MaxLogoLength     = 2048
	MaxMetadataLength = 8192
)

// CheckSlug accepts 1..MaxSlugLength characters of [a-z0-9] in runs joined
// by single hyphens: what Slug produces, so every slug is a clean URL part.
func CheckSlug(slug string) error {
	if slug == "" || len(slug) > MaxSlugLength || slug[0] == '-' || slug[len(slug)-1] == '-' {
		return ErrInvalidSlug
	}
	for i := 0; i < len(slug); i++ {
		c := slug[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && slug[i-1] != '-':
		default:
			return ErrInvalidSlug
		}
	}
	return nil
}

// CheckName accepts a display name of 1..MaxNameLength characters with no
// control characters (which would break emails and logs), not all blank.
func CheckName(name string) error {
	if utf8.RuneCountInString(name) > MaxNameLength || !utf8.ValidString(name) {
		return ErrInvalidOrgName
	}
	blank := true
	for _, r := range name {
		if unicode.IsControl(r) {
			return ErrInvalidOrgName
		}
		if !unicode.IsSpace(r) {
			blank = false
		}
	}
	if blank {
		return ErrInvalidOrgName
	}
	return nil
}

// CheckLogo bounds a logo reference (usually a URL) and refuses control
// characters.
func CheckLogo(logo string) error {
	if len(logo) > MaxLogoLength {
		return ErrInvalidLogo
	}
	for _, r := range logo {
		if unicode.IsControl(r) {
			return ErrInvalidLogo
		}
	}
	return nil
}

// CheckMetadata bounds the JSON text of the metadata; the edge has already
// made sure it is an object.
func CheckMetadata(metadata string) error {
	if len(metadata) > MaxMetadataLength {
		return ErrInvalidMetadata
	}
	return nil
}

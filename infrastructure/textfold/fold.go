// Package textfold strips diacritics with Unicode tables from
// golang.org/x/text, for slugs: "Élodie" becomes "Elodie".
package textfold

import (
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// FoldAccents decomposes s (NFKD), drops combining marks and recomposes. It
// matches organization.Folder.
func FoldAccents(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

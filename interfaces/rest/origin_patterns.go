package rest

import (
	"net/url"
	"path"
	"strings"
)

// trustedPattern is a trusted origin given as a pattern (better-auth's
// trustedOrigins, WIRE.md §5.1):
//   - with "*" or "?" and "://": a glob over the whole origin,
//     e.g. "https://*.example.com";
//   - with "*" or "?" and no "://": a glob over the host of an http(s)
//     origin, e.g. "*.example.com";
//   - a custom scheme, e.g. "myapp://" (any URL of that scheme) or
//     "myapp://auth/callback" (URLs starting with it): an app's deep links.
//
// Globs use path.Match: "*" does not cross "/", so a pattern cannot match
// a path, only an origin.
type trustedPattern struct {
	glob      string // origin or host glob; "" for a custom scheme
	hostOnly  bool
	appPrefix string // the custom-scheme URL prefix
}

// unsafeSchemes can never be trusted, whatever the configuration says:
// they run code or read files instead of naming an app.
var unsafeSchemes = map[string]bool{"javascript": true, "data": true, "vbscript": true, "file": true, "blob": true}

func parsePattern(s string) (trustedPattern, bool) {
	scheme, rest, hasScheme := strings.Cut(s, "://")
	if hasScheme && scheme != "http" && scheme != "https" {
		if scheme == "" || unsafeSchemes[strings.ToLower(scheme)] || strings.ContainsAny(s, "*?") {
			return trustedPattern{}, false
		}
		return trustedPattern{appPrefix: strings.ToLower(scheme) + "://" + rest}, true
	}
	if !strings.ContainsAny(s, "*?") {
		return trustedPattern{}, false
	}
	if _, err := path.Match(s, ""); err != nil {
		return trustedPattern{}, false // malformed glob: ignored, like an unparsable origin
	}
	return trustedPattern{glob: strings.ToLower(strings.TrimSuffix(s, "/")), hostOnly: !hasScheme}, true
}

// matchesOrigin tests a normalised http(s) origin.
func (t trustedPattern) matchesOrigin(origin string) bool {
	if t.glob == "" {
		return false
	}
	subject := origin
	if t.hostOnly {
		u, err := url.Parse(origin)
		if err != nil {
			return false
		}
		subject = u.Host
	}
	ok, _ := path.Match(t.glob, subject)
	return ok
}

// matchesApp tests a custom-scheme URL.
func (t trustedPattern) matchesApp(raw string) bool {
	if t.appPrefix == "" {
		return false
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	return ok && strings.HasPrefix(strings.ToLower(scheme)+"://"+rest, t.appPrefix)
}

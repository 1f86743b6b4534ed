// Package id formats Beep IAM's public identifiers: a table prefix, two
// underscores and a UUID, e.g. "user__0192f6c4-...". The UUID itself comes
// from a port (application's IDs), so the domain stays free of generators.
package id

import (
	"encoding/hex"
	"strings"
)

// UUID is a raw 16-byte UUID. Generators live outside the domain; version 7
// is preferred for index locality.
type UUID [16]byte

// String renders the canonical 8-4-4-4-12 lower-case form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// Separator joins a prefix and a UUID in every public id.
const Separator = "__"

// Format returns prefix + "__" + the canonical UUID.
func Format(prefix string, u UUID) string {
	return prefix + Separator + u.String()
}

// HasPrefix reports whether s is shaped like an id of the given prefix. It is
// a cheap syntactic check used to reject foreign ids early, not a lookup.
func HasPrefix(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix+Separator)
	return ok && len(rest) == 36
}

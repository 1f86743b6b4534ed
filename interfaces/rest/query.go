package rest

import (
	"net/url"
	"strings"
)

// queryValidator checks query parameters against an endpoint's zod query
// schema and words problems as better-call does: "[query.<name>]
// <message>", joined by "; ". better-call's router hands the schema
// strings, and an array for a repeated key.
type queryValidator struct {
	q      url.Values
	issues []string
}

func newQueryValidator(q url.Values) *queryValidator { return &queryValidator{q: q} }

// optionalString is z.string().optional(): ok is false when the key is
// absent or repeated (an issue).
func (v *queryValidator) optionalString(name string) (s string, ok bool) {
	switch vals := v.q[name]; len(vals) {
	case 0:
		return "", false
	case 1:
		return vals[0], true
	default:
		v.issues = append(v.issues, "[query."+name+"] Invalid input: expected string, received array")
		return "", false
	}
}

// requiredString is z.string().
func (v *queryValidator) requiredString(name string) string {
	s, ok := v.optionalString(name)
	if !ok && len(v.q[name]) == 0 {
		v.issues = append(v.issues, "[query."+name+"] Invalid input: expected string, received undefined")
	}
	return s
}

// err returns the VALIDATION_ERROR for the issues found, or nil.
func (v *queryValidator) err() error {
	if len(v.issues) == 0 {
		return nil
	}
	return validationError(strings.Join(v.issues, "; "))
}

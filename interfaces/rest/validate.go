package rest

import (
	"strings"

	"github.com/beep/iam/domain/identity"
)

// objectSchema says how a body must be shaped before its fields are
// checked, mirroring the zod schemas better-auth declares.
type objectSchema struct {
	// optional admits a missing body (z.object().optional()).
	optional bool
	// record adds the second issue of z.object().and(z.record()), which
	// sign-up uses, for non-object bodies.
	record bool
	// recordOnly is z.record() alone (update-user, update-session): a
	// non-object body is one "expected record" issue.
	recordOnly bool
}

// validator checks a decoded body field by field and words each problem as
// better-call reports zod issues: "[body.<field>] <message>", joined by "; "
// in schema order.
type validator struct {
	fields map[string]value
	ok     bool
	issues []string
}

func newValidator(b requestBody, schema objectSchema) *validator {
	v := &validator{fields: b.fields}
	switch {
	case b.kind == kindObject:
		v.ok = true
	case b.kind == kindUndefined && schema.optional:
		v.ok = true
	case schema.recordOnly:
		v.issues = append(v.issues, "[body] Invalid input: expected record, received "+b.kind.String())
	default:
		v.issues = append(v.issues, "[body] Invalid input: expected object, received "+b.kind.String())
		if schema.record {
			v.issues = append(v.issues, "[body] Invalid input: expected record, received "+b.kind.String())
		}
	}
	return v
}

func (v *validator) add(field, message string) {
	v.issues = append(v.issues, "[body."+field+"] "+message)
}

func (v *validator) typeIssue(field, want string, got kind) {
	v.add(field, "Invalid input: expected "+want+", received "+got.String())
}

// lookup returns a field of an object body.
func (v *validator) lookup(field string) (value, bool) {
	if !v.ok {
		return value{}, false
	}
	f, ok := v.fields[field]
	return f, ok
}

// requiredString is z.string(); ok is false when there was an issue.
func (v *validator) requiredString(field string) (s string, ok bool) {
	f, present := v.lookup(field)
	switch {
	case !v.ok:
		return "", false
	case !present:
		v.typeIssue(field, "string", kindUndefined)
		return "", false
	case f.kind != kindString:
		v.typeIssue(field, "string", f.kind)
		return "", false
	}
	return f.str, true
}

// nonEmptyString is z.string().nonempty().
func (v *validator) nonEmptyString(field string) string {
	s, ok := v.requiredString(field)
	if ok && s == "" {
		v.add(field, "Too small: expected string to have >=1 characters")
	}
	return s
}

// email is z.email(): a required string that is an address as zod's
// pattern has it. identity.ParseEmail implements that pattern; zod does not
// trim, so surrounding spaces are refused here too.
func (v *validator) email(field string) identity.Email {
	raw, ok := v.requiredString(field)
	if !ok {
		return ""
	}
	e, err := identity.ParseEmail(raw)
	if err != nil || raw != strings.TrimSpace(raw) {
		v.add(field, "Invalid email address")
		return ""
	}
	return e
}

// optionalString is z.string().optional(): absent is nil; null is an issue.
func (v *validator) optionalString(field string) *string {
	f, ok := v.lookup(field)
	if !ok {
		return nil
	}
	if f.kind != kindString {
		v.typeIssue(field, "string", f.kind)
		return nil
	}
	return &f.str
}

// nullableString is z.string().nullable().optional(): absent is (nil,
// false), null is (nil, true).
func (v *validator) nullableString(field string) (s *string, null bool) {
	f, ok := v.lookup(field)
	switch {
	case !ok:
		return nil, false
	case f.kind == kindNull:
		return nil, true
	case f.kind != kindString:
		v.typeIssue(field, "string", f.kind)
		return nil, false
	}
	return &f.str, false
}

// present reports whether an object body has field, whatever its value.
func (v *validator) present(field string) bool {
	_, ok := v.lookup(field)
	return ok
}

// truthy reports whether field holds a JavaScript-truthy value.
func (v *validator) truthy(field string) bool {
	f, _ := v.lookup(field)
	return f.truthy
}

// optionalBool is z.boolean().optional().
func (v *validator) optionalBool(field string) *bool {
	f, ok := v.lookup(field)
	if !ok {
		return nil
	}
	if f.kind != kindBoolean {
		v.typeIssue(field, "boolean", f.kind)
		return nil
	}
	return &f.boolean
}

// err returns the VALIDATION_ERROR for the issues found, or nil.
func (v *validator) err() error {
	if len(v.issues) == 0 {
		return nil
	}
	return validationError(strings.Join(v.issues, "; "))
}

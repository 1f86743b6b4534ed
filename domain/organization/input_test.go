package organization_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/organization"
)

func asFailure(err error) *failure.Error {
	var f *failure.Error
	if errors.As(err, &f) {
		return f
	}
	return nil
}

func TestCheckSlug(t *testing.T) {
	tests := []struct {
		slug string
		ok   bool
	}{
		{"acme", true},
		{"acme-inc-2", true},
		{"a", true},
		{strings.Repeat("a", organization.MaxSlugLength), true},
		{strings.Repeat("a", organization.MaxSlugLength+1), false},
		{strings.Repeat("a", 200), false},
		{"", false},
		{"Acme", false},
		{"my org", false},
		{"café", false},
		{"-acme", false},
		{"acme-", false},
		{"a--b", false},
		{"a_b", false},
		{"a/b", false},
		{"x';drop table organizations;--", false},
	}
	for _, tt := range tests {
		if err := organization.CheckSlug(tt.slug); (err == nil) != tt.ok {
			t.Errorf("CheckSlug(%q) = %v, want ok=%v", tt.slug, err, tt.ok)
		}
	}
	// Every personal slug passes the rule users' slugs must pass.
	if err := organization.CheckSlug(organization.PersonalSlug("Élodie Müller", "user__0192f6c4-aabb-7ccd-8eef-001122334455", 32, stripAccents)); err != nil {
		t.Errorf("a personal slug fails CheckSlug: %v", err)
	}
}

func TestCheckFields(t *testing.T) {
	tests := []struct {
		name  string
		check func() error
		ok    bool
	}{
		{"name", func() error { return organization.CheckName("Acme Inc.") }, true},
		{"unicode name", func() error { return organization.CheckName("日本語 チーム") }, true},
		{"blank name", func() error { return organization.CheckName("  \t") }, false},
		{"name with CR LF", func() error { return organization.CheckName("Acme\r\nBcc: x@example.com") }, false},
		{"name with NUL", func() error { return organization.CheckName("Acme\x00") }, false},
		{"longest name", func() error { return organization.CheckName(strings.Repeat("é", organization.MaxNameLength)) }, true},
		{"name too long", func() error { return organization.CheckName(strings.Repeat("é", organization.MaxNameLength+1)) }, false},
		{"invalid UTF-8 name", func() error { return organization.CheckName("\xff") }, false},
		{"logo URL", func() error { return organization.CheckLogo("https://img.example/logo.png") }, true},
		{"logo with a tab", func() error { return organization.CheckLogo("https://img\t.example") }, false},
		{"logo too long", func() error { return organization.CheckLogo(strings.Repeat("a", organization.MaxLogoLength+1)) }, false},
		{"metadata", func() error { return organization.CheckMetadata(`{"a":1}`) }, true},
		{"metadata too large", func() error {
			return organization.CheckMetadata(`{"a":"` + strings.Repeat("x", organization.MaxMetadataLength) + `"}`)
		}, false},
	}
	for _, tt := range tests {
		if err := tt.check(); (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

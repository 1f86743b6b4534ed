package identity_test

import (
	"testing"

	"github.com/beep/iam/domain/identity"
)

func TestLinkPolicy(t *testing.T) {
	verified := identity.User{Email: "v@example.com", EmailVerified: true}
	squatter := identity.User{Email: "v@example.com"} // registered with a password, never verified
	strict := identity.LinkPolicy{Trusted: map[string]bool{"google": true}}
	loose := identity.LinkPolicy{Trusted: map[string]bool{"google": true}, AllowDifferentEmails: true}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"trusted provider, verified local user", strict.MayLinkImplicitly("google", false, verified), true},
		{"untrusted provider that verified the address", strict.MayLinkImplicitly("github", true, verified), true},
		{"untrusted provider, address unverified", strict.MayLinkImplicitly("github", false, verified), false},
		{"pre-hijack: the local address is unverified", strict.MayLinkImplicitly("google", true, squatter), false},
		{"explicit, same email", strict.MayLinkExplicitly("github", true, "v@example.com", squatter), true},
		{"explicit, other email", strict.MayLinkExplicitly("github", true, "w@example.com", verified), false},
		{"explicit, other email allowed", loose.MayLinkExplicitly("github", true, "w@example.com", verified), true},
		{"explicit, provider does not vouch", loose.MayLinkExplicitly("github", false, "v@example.com", verified), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

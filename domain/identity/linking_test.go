package identity_test

import (
	"testing"

	"github.com/beep/iam/domain/identity"
)

func TestLinkPolicy(t *testing.T) {
	verified := identity.User{Email: "v@example.com", EmailVerified: true}
	squatter := identity.User{Email: "v@example.com"} // registered with a password, never verified
	strict := identity.LinkPolicy{Trusted: map[string]bool{"google": true, "linkedin": true}}
	loose := identity.LinkPolicy{Trusted: map[string]bool{"google": true}, AllowDifferentEmails: true}
	yes, no, silent := identity.ProviderEmail{Verified: true}, identity.ProviderEmail{}, identity.ProviderEmail{Unstated: true}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"provider verified the address, local user verified", strict.MayLinkImplicitly("github", yes, verified), true},
		{"trusted provider silent about verification", strict.MayLinkImplicitly("linkedin", silent, verified), true},
		{"trusted provider that says unverified (takeover attempt)", strict.MayLinkImplicitly("google", no, verified), false},
		{"untrusted provider silent about verification", strict.MayLinkImplicitly("acme", silent, verified), false},
		{"untrusted provider, address unverified", strict.MayLinkImplicitly("github", no, verified), false},
		{"pre-hijack: the local address is unverified", strict.MayLinkImplicitly("google", yes, squatter), false},
		{"explicit, same email", strict.MayLinkExplicitly("github", yes, "v@example.com", squatter), true},
		{"explicit, other email", strict.MayLinkExplicitly("github", yes, "w@example.com", verified), false},
		{"explicit, other email allowed", loose.MayLinkExplicitly("github", yes, "w@example.com", verified), true},
		{"explicit, provider does not vouch", loose.MayLinkExplicitly("github", no, "v@example.com", verified), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

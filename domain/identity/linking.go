package identity

// LinkPolicy decides when a provider's identity may join an existing
// local user. Implicit linking (a social sign-in whose email matches a
// user) is where account pre-hijacking lives: an attacker registers the
// victim's address with a password first, then waits for the victim's
// social sign-in to merge into the attacker's account. The rule below
// closes it: the local address must be verified (the attacker cannot), and
// the provider must vouch for the address too.
type LinkPolicy struct {
	// Trusted lists the provider ids whose emails are taken as verified.
	Trusted map[string]bool
	// AllowDifferentEmails lets a signed-in user link an account whose
	// email differs from theirs (explicit linking only).
	AllowDifferentEmails bool
}

// ProviderVouches reports whether the provider's word on an address can be
// relied on: it is trusted, or it says it verified the address.
func (p LinkPolicy) ProviderVouches(providerID string, emailVerified bool) bool {
	return p.Trusted[providerID] || emailVerified
}

// MayLinkImplicitly reports whether a social sign-in may attach to the
// local user with the same email.
func (p LinkPolicy) MayLinkImplicitly(providerID string, providerVerified bool, local User) bool {
	return local.EmailVerified && p.ProviderVouches(providerID, providerVerified)
}

// MayLinkExplicitly reports whether a signed-in user may link a provider
// account with email to themselves.
func (p LinkPolicy) MayLinkExplicitly(providerID string, providerVerified bool, email Email, user User) bool {
	if !p.ProviderVouches(providerID, providerVerified) {
		return false
	}
	return p.AllowDifferentEmails || email == user.Email
}

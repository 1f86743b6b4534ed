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

// ProviderEmail is what a provider says about a user's address.
type ProviderEmail struct {
	// Verified is the provider's verification flag; Unstated is set when
	// it gave none.
	Verified, Unstated bool
}

// ProviderVouches reports whether the provider's word on an address can be
// relied on: it says it verified the address, or it says nothing and is
// trusted. Trust never overrules a provider that says "unverified": that
// is how an attacker's unverified Discord or self-registered identity
// provider account would take over a verified user.
func (p LinkPolicy) ProviderVouches(providerID string, e ProviderEmail) bool {
	return e.Verified || (e.Unstated && p.Trusted[providerID])
}

// MayLinkImplicitly reports whether a social sign-in may attach to the
// local user with the same email.
func (p LinkPolicy) MayLinkImplicitly(providerID string, e ProviderEmail, local User) bool {
	return local.EmailVerified && p.ProviderVouches(providerID, e)
}

// MayLinkExplicitly reports whether a signed-in user may link a provider
// account with email to themselves.
func (p LinkPolicy) MayLinkExplicitly(providerID string, e ProviderEmail, email Email, user User) bool {
	if !p.ProviderVouches(providerID, e) {
		return false
	}
	return p.AllowDifferentEmails || email == user.Email
}

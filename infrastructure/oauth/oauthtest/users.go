package oauthtest

import (
	"github.com/beep/iam/infrastructure/oauth"
)

// Tenant ids of the fake's Microsoft users.
const (
	// DefaultTenantID is the tenant of a Microsoft user without TenantID.
	DefaultTenantID = "4b1c2a7e-0c59-4bd2-9d7a-1f3e5a6b7c8d"
	// ConsumerTenantID is Microsoft's tenant of personal accounts.
	ConsumerTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// User is who signs in at the fake. Each kind shows it in its own shape.
type User struct {
	// ID is the provider's id of the user: sub (Google, LinkedIn, OIDC),
	// oid (Microsoft; its sub is "sub-"+ID), the numeric id (GitHub),
	// the snowflake (Discord), data.id (X).
	ID string
	// Email is "" for a user the provider knows no address of.
	Email         string
	EmailVerified bool
	Name          string
	// Picture is the avatar URL; for Discord, the avatar hash ("" = none).
	Picture string
	// Login is the GitHub login, Discord username or X username.
	Login string

	// GitHubPublicEmail shows Email as /user's public email (else null).
	GitHubPublicEmail bool
	// GitHubEmails replaces the /user/emails list, which is otherwise
	// [{Email, primary, EmailVerified}] (or [] without Email).
	GitHubEmails []GitHubEmail
	// Discriminator is the Discord discriminator ("0" when empty).
	Discriminator string
	// TenantID is the Microsoft tid (DefaultTenantID when empty).
	TenantID string
	// Photo is the Microsoft Graph photo (none: the photo endpoint 404s).
	Photo []byte

	// Claims are merged over the id token's claims, Profile over the
	// user endpoint's JSON object (X: over data); a nil value removes
	// the key.
	Claims  map[string]any
	Profile map[string]any
}

// GitHubEmail is one entry of GitHub's /user/emails.
type GitHubEmail struct {
	Email      string  `json:"email"`
	Primary    bool    `json:"primary"`
	Verified   bool    `json:"verified"`
	Visibility *string `json:"visibility"`
}

// DefaultUser is who signs in at kind until SetUser.
func DefaultUser(kind oauth.Kind) User {
	u := User{Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Picture: "https://img.example/ada.png", Login: "ada"}
	switch kind {
	case oauth.Google:
		u.ID = "108234567890123456789"
	case oauth.Microsoft:
		u.ID = "00000000-0000-0000-66f3-3332eca7ea81"
	case oauth.GitHub:
		u.ID = "7770001"
	case oauth.Discord:
		u.ID, u.Picture = "80351110224678912", ""
	case oauth.LinkedIn:
		u.ID = "782bbtaQ"
	case oauth.Twitter:
		u.ID = "2244994945"
	default:
		u.ID = "oidc-user-1"
	}
	return u
}

// SetUser makes u the user who signs in at kind from now on.
func (s *Server) SetUser(kind oauth.Kind, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[kind] = u
}

// user is who signs in at kind now.
func (s *Server) user(kind oauth.Kind) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[kind]; ok {
		return u
	}
	return DefaultUser(kind)
}

// merge sets over's keys in m, deleting those whose value is nil.
func merge(m, over map[string]any) map[string]any {
	for k, v := range over {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

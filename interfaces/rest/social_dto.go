package rest

import (
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
)

// redirectJSON is the answer of a started flow.
type redirectJSON struct {
	URL      string `json:"url"`
	Redirect bool   `json:"redirect"`
}

// linkedJSON is link-social's answer to an id-token link.
type linkedJSON struct {
	URL      string `json:"url"`
	Status   bool   `json:"status"`
	Redirect bool   `json:"redirect"`
}

// accessTokenJSON is get-access-token's answer; absent values are left
// out, as better-auth drops undefined keys.
type accessTokenJSON struct {
	AccessToken          string    `json:"accessToken"`
	AccessTokenExpiresAt *jsonTime `json:"accessTokenExpiresAt,omitempty"`
	Scopes               []string  `json:"scopes"`
	IDToken              string    `json:"idToken,omitempty"`
}

func newAccessTokenJSON(t authn.AccessToken) accessTokenJSON {
	out := accessTokenJSON{AccessToken: t.AccessToken, Scopes: t.Scopes, IDToken: t.IDToken}
	if !t.ExpiresAt.IsZero() {
		at := jsonTime(t.ExpiresAt)
		out.AccessTokenExpiresAt = &at
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	return out
}

// refreshedJSON is refresh-token's answer: scope is the stored comma
// string and accountId the account row's id, as better-auth answers.
type refreshedJSON struct {
	AccessToken           string    `json:"accessToken"`
	RefreshToken          string    `json:"refreshToken"`
	AccessTokenExpiresAt  *jsonTime `json:"accessTokenExpiresAt"`
	RefreshTokenExpiresAt *jsonTime `json:"refreshTokenExpiresAt"`
	Scope                 *string   `json:"scope"`
	IDToken               string    `json:"idToken,omitempty"`
	ProviderID            string    `json:"providerId"`
	AccountID             string    `json:"accountId"`
}

func optionalTime(t jsonTime) *jsonTime {
	if time.Time(t).IsZero() {
		return nil
	}
	return &t
}

func newRefreshedJSON(r authn.RefreshedTokens) refreshedJSON {
	var scope *string
	if r.Scope != "" {
		scope = &r.Scope
	}
	return refreshedJSON{
		AccessToken: r.Tokens.AccessToken, RefreshToken: r.Tokens.RefreshToken,
		AccessTokenExpiresAt:  optionalTime(jsonTime(r.Tokens.AccessTokenExpiresAt)),
		RefreshTokenExpiresAt: optionalTime(jsonTime(r.Tokens.RefreshTokenExpiresAt)),
		Scope:                 scope, IDToken: r.Tokens.IDToken, ProviderID: r.ProviderID, AccountID: string(r.AccountID),
	}
}

type accountInfoJSON struct {
	User    accountInfoUserJSON `json:"user"`
	Data    map[string]any      `json:"data"`
	Account accountRefJSON      `json:"account"`
}

type accountInfoUserJSON struct {
	Name          string `json:"name"`
	Email         string `json:"email"`
	Image         string `json:"image,omitempty"`
	EmailVerified bool   `json:"emailVerified"`
}

type accountRefJSON struct {
	ID         string `json:"id"`
	ProviderID string `json:"providerId"`
	AccountID  string `json:"accountId"`
}

func newAccountInfoJSON(who authn.ProviderUser, a identity.Account) accountInfoJSON {
	data := who.Data
	if data == nil {
		data = map[string]any{}
	}
	return accountInfoJSON{
		User:    accountInfoUserJSON{Name: who.Name, Email: who.Email, Image: who.Image, EmailVerified: who.EmailVerified},
		Data:    data,
		Account: accountRefJSON{ID: string(a.ID), ProviderID: a.ProviderID, AccountID: a.ProviderAccountID},
	}
}

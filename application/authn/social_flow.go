package authn

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
)

// SocialPolicy holds the rules of social sign-in.
type SocialPolicy struct {
	Linking identity.LinkPolicy
	// StateTTL is how long a sign-in flow may take, from the redirect to
	// the provider to the callback.
	StateTTL time.Duration
	// SignUpEnabled lets a social sign-in create a user.
	SignUpEnabled bool
}

// DefaultSocialPolicy: ten-minute flows, sign-up on, nobody trusted until
// the runtime lists the configured providers.
var DefaultSocialPolicy = SocialPolicy{StateTTL: 10 * time.Minute, SignUpEnabled: true}

const (
	// statePurpose prefixes the verification row of a flow's state.
	statePurpose = "oauth-state"
	// stateLength, verifierLength and nonceLength are the random parts of
	// a flow: the state (CSRF token), the PKCE verifier (RFC 7636 allows
	// 43-128 characters; better-auth uses 128) and the OIDC nonce.
	stateLength    = 32
	verifierLength = 128
	nonceLength    = 32
)

// flowState is what a flow remembers between the redirect and the
// callback, stored as the verification row's value.
type flowState struct {
	Provider      string    `json:"provider"`
	CallbackURL   string    `json:"callbackURL"`
	ErrorURL      string    `json:"errorURL,omitempty"`
	NewUserURL    string    `json:"newUserURL,omitempty"`
	CodeVerifier  string    `json:"codeVerifier"`
	Nonce         string    `json:"nonce"`
	RequestSignUp bool      `json:"requestSignUp,omitempty"`
	Link          *flowLink `json:"link,omitempty"`
}

// flowLink is the signed-in user a link flow attaches the account to, and
// their session (sealed), which must still be live at the callback.
type flowLink struct {
	UserID      identity.UserID `json:"userId"`
	SealedToken string          `json:"session"`
}

// StartSocialInput begins a redirect flow. The URLs were checked against
// the trusted origins by the edge; CallbackURL is where the browser lands
// after success.
type StartSocialInput struct {
	ProviderID         string
	CallbackURL        string
	ErrorCallbackURL   string
	NewUserCallbackURL string
	Scopes             []string
	LoginHint          string
	RequestSignUp      bool
}

// StartedSocial is where to send the browser, and the state the edge
// binds to it (the signed state cookie).
type StartedSocial struct {
	URL   string
	State string
}

// StartSocial begins signing in with a provider.
func (s *Service) StartSocial(ctx context.Context, in StartSocialInput) (StartedSocial, error) {
	return s.startFlow(ctx, in, nil)
}

// LinkSocial begins linking a provider account to the signed-in user of
// the current session.
func (s *Service) LinkSocial(ctx context.Context, current CurrentSession, in StartSocialInput) (StartedSocial, error) {
	sealed, err := s.deps.Cipher.Seal(current.Session.Token)
	if err != nil {
		return StartedSocial{}, fmt.Errorf("seal session token: %w", err)
	}
	in.NewUserCallbackURL = ""
	return s.startFlow(ctx, in, &flowLink{UserID: current.User.ID, SealedToken: sealed})
}

func (s *Service) startFlow(ctx context.Context, in StartSocialInput, link *flowLink) (StartedSocial, error) {
	provider, ok := s.deps.Providers.Provider(in.ProviderID)
	if !ok {
		return StartedSocial{}, ErrProviderNotFound
	}
	var secrets [3]string
	for i, n := range []int{stateLength, verifierLength, nonceLength} {
		t, err := s.deps.Tokens.RandomToken(n)
		if err != nil {
			return StartedSocial{}, fmt.Errorf("mint flow secret: %w", err)
		}
		secrets[i] = t
	}
	state, verifier, nonce := secrets[0], secrets[1], secrets[2]
	st := flowState{
		Provider: provider.ID(), CallbackURL: in.CallbackURL, ErrorURL: in.ErrorCallbackURL, NewUserURL: in.NewUserCallbackURL,
		CodeVerifier: verifier, Nonce: nonce, RequestSignUp: in.RequestSignUp, Link: link,
	}
	value, err := json.Marshal(st)
	if err != nil {
		return StartedSocial{}, fmt.Errorf("encode flow state: %w", err)
	}
	now := s.deps.Clock.Now()
	v := identity.Verification{
		ID: identity.NewVerificationID(s.deps.IDs.NewUUID()), Identifier: statePurpose + ":" + state, Value: string(value),
		ExpiresAt: now.Add(s.policy.Social.StateTTL), CreatedAt: now, UpdatedAt: now,
	}
	if err := s.deps.Verifications.Create(ctx, v); err != nil {
		return StartedSocial{}, fmt.Errorf("store flow state: %w", err)
	}
	url, err := provider.AuthorizationURL(AuthorizationRequest{
		State: state, RedirectURI: s.policy.Links.OAuthCallback(provider.ID()), CodeVerifier: verifier, Nonce: nonce,
		Scopes: in.Scopes, LoginHint: in.LoginHint,
	})
	if err != nil {
		return StartedSocial{}, fmt.Errorf("authorization url: %w", err)
	}
	return StartedSocial{URL: url, State: state}, nil
}

// FinishSocialInput is a provider's redirect back to the callback.
type FinishSocialInput struct {
	ProviderID string
	// State is the query's; StateCookie the value of the signed state
	// cookie the browser sent ("" when none or forged).
	State       string
	StateCookie string
	Code        string
	// ProviderError and its description are the provider's refusal
	// (e.g. access_denied).
	ProviderError       string
	ProviderDescription string
	Client              Client
}

// SocialOutcome is a completed callback: a signed-in session (nil after
// linking, which keeps the current one) and where the browser goes.
type SocialOutcome struct {
	Authenticated *Authenticated
	Redirect      string
}

// FinishSocial completes a flow: the state must come back in the browser
// that started it (the signed cookie) and is used once; the code is traded
// with the PKCE verifier; the provider's user is signed in, signed up or
// linked by the linking rules. Every failure is a *SocialError.
func (s *Service) FinishSocial(ctx context.Context, in FinishSocialInput) (SocialOutcome, error) {
	st, err := s.takeState(ctx, in)
	if err != nil {
		return SocialOutcome{}, err
	}
	fail := func(code string, cause error) error {
		return &SocialError{Code: code, RedirectTo: st.ErrorURL, Err: cause}
	}
	if in.ProviderError != "" {
		return SocialOutcome{}, &SocialError{Code: boundedCode(in.ProviderError), Description: bounded(in.ProviderDescription, 256), RedirectTo: st.ErrorURL}
	}
	if in.Code == "" {
		return SocialOutcome{}, fail("no_code", nil)
	}
	provider, ok := s.deps.Providers.Provider(in.ProviderID)
	if !ok {
		return SocialOutcome{}, fail("oauth_provider_not_found", nil)
	}
	tokens, err := provider.Exchange(ctx, in.Code, st.CodeVerifier, s.policy.Links.OAuthCallback(provider.ID()))
	if err != nil {
		return SocialOutcome{}, fail("invalid_code", err)
	}
	who, err := provider.UserInfo(ctx, tokens, st.Nonce)
	if err != nil {
		return SocialOutcome{}, fail("unable_to_get_user_info", err)
	}
	if st.Link != nil {
		user, err := s.linkingUser(ctx, *st.Link)
		if err == nil {
			err = s.link(ctx, provider.ID(), tokens, who, user)
		}
		if err != nil {
			return SocialOutcome{}, fail(codeOf(err), err)
		}
		return SocialOutcome{Redirect: st.CallbackURL}, nil
	}
	auth, created, err := s.signInSocial(ctx, provider.ID(), tokens, who, in.Client, st.CallbackURL)
	if err != nil {
		return SocialOutcome{}, fail(codeOf(err), err)
	}
	redirect := st.CallbackURL
	if created && st.NewUserURL != "" {
		redirect = st.NewUserURL
	}
	return SocialOutcome{Authenticated: &auth, Redirect: redirect}, nil
}

// takeState checks the callback's state against the browser's cookie,
// then consumes its row. A missing or different cookie leaves the row in
// place: a link opened elsewhere (an attacker replaying the victim's
// callback URL) must not burn the victim's flow.
func (s *Service) takeState(ctx context.Context, in FinishSocialInput) (flowState, error) {
	if in.State == "" {
		return flowState{}, &SocialError{Code: "state_not_found"}
	}
	if subtle.ConstantTimeCompare([]byte(in.State), []byte(in.StateCookie)) != 1 {
		return flowState{}, &SocialError{Code: "state_mismatch"}
	}
	v, err := s.deps.Verifications.Consume(ctx, statePurpose+":"+in.State)
	if errors.Is(err, failure.ErrNotFound) {
		return flowState{}, &SocialError{Code: "state_mismatch"} // unknown or already used
	} else if err != nil {
		return flowState{}, &SocialError{Code: "internal_server_error", Err: err}
	}
	var st flowState
	if err := json.Unmarshal([]byte(v.Value), &st); err != nil {
		return flowState{}, &SocialError{Code: "state_mismatch", Err: err}
	}
	if v.Expired(s.deps.Clock.Now()) || st.Provider != in.ProviderID {
		// Beep binds a flow to its provider; better-auth lets a Google
		// state complete at another provider's callback.
		return flowState{}, &SocialError{Code: "state_mismatch", RedirectTo: st.ErrorURL}
	}
	return st, nil
}

// codeOf is the callback error code of a sign-in or link failure.
func codeOf(err error) string {
	var r refusal
	if errors.As(err, &r) {
		return string(r)
	}
	return "internal_server_error"
}

// boundedCode keeps a provider's error code to what OAuth allows in one
// (RFC 6749 §4.1.2.1: printable ASCII without quotes and backslash),
// bounded, so a forged callback cannot inject into the redirect.
func boundedCode(code string) string {
	out := make([]byte, 0, min(len(code), 64))
	for i := 0; i < len(code) && len(out) < 64; i++ {
		if c := code[i]; c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			out = append(out, c)
		}
	}
	return string(out)
}

func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

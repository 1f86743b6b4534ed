package oauthtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/beep/iam/infrastructure/oauth"
)

// oidcKinds issue id tokens (when openid was requested).
var oidcKinds = map[oauth.Kind]bool{oauth.Google: true, oauth.Microsoft: true, oauth.OIDC: true}

// token is kind's token endpoint: client authentication as the kind
// expects it, then the authorization_code or refresh_token grant.
func (s *Server) token(kind oauth.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			s.tokenError(w, r, kind, http.StatusBadRequest, "invalid_request", "the body is not a form")
			return
		}
		if f, ok := injected(r); ok {
			s.tokenError(w, r, kind, http.StatusBadRequest, f.Error, f.Description)
			return
		}
		if problem := clientAuthProblem(kind, r); problem != "" {
			s.tokenError(w, r, kind, http.StatusUnauthorized, "invalid_client", problem)
			return
		}
		form := r.PostForm
		var (
			g       *grant
			problem string
		)
		switch form.Get("grant_type") {
		case "authorization_code":
			g, problem = s.redeemCode(kind, form)
		case "refresh_token":
			g, problem = s.redeemRefresh(kind, form)
		default:
			s.tokenError(w, r, kind, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
			return
		}
		if problem != "" {
			s.tokenError(w, r, kind, http.StatusBadRequest, "invalid_grant", problem)
			return
		}
		s.writeToken(w, r, kind, s.issue(g, form.Get("refresh_token")))
	}
}

// clientAuthProblem checks the client authentication kind uses: X takes
// HTTP Basic with form-encoded credentials and no secret in the body;
// the others take client_id and client_secret in the body and no Basic.
func clientAuthProblem(kind oauth.Kind, r *http.Request) string {
	user, pass, basic := r.BasicAuth()
	if kind == oauth.Twitter {
		if !basic {
			return "client authentication must be HTTP Basic"
		}
		id, err1 := url.QueryUnescape(user)
		secret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil || id != ClientID(kind) || secret != ClientSecret(kind) {
			return "bad client credentials"
		}
		if r.PostForm.Has("client_secret") {
			return "client_secret in the body as well as Basic"
		}
		return ""
	}
	if basic {
		return "client authentication must be client_secret_post"
	}
	if r.PostForm.Get("client_id") != ClientID(kind) || r.PostForm.Get("client_secret") != ClientSecret(kind) {
		return "bad client credentials"
	}
	return ""
}

// redeemCode checks an authorization_code grant: a code of this kind,
// not used before (it is spent even when the rest fails), the authorize
// request's redirect_uri, and a code_verifier that matches the challenge
// (and none without a challenge).
func (s *Server) redeemCode(kind oauth.Kind, form url.Values) (*grant, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[form.Get("code")]
	switch {
	case !ok || g.kind != kind:
		return nil, "unknown code"
	case g.used:
		return nil, "code already used"
	}
	g.used = true
	verifier := form.Get("code_verifier")
	switch {
	case form.Get("redirect_uri") != g.redirectURI:
		return nil, "redirect_uri differs from the authorization request's"
	case g.challenge == "" && verifier != "":
		return nil, "code_verifier without a code_challenge"
	case g.challenge != "" && verifier == "":
		return nil, "code_verifier required"
	case g.challenge != "" && subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(g.challenge)) != 1:
		return nil, "code_verifier does not match the code_challenge"
	}
	return g, ""
}

// redeemRefresh checks a refresh_token grant.
func (s *Server) redeemRefresh(kind oauth.Kind, form url.Values) (*grant, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[form.Get("refresh_token")]
	if !ok || g.kind != kind {
		return nil, "unknown refresh token"
	}
	return g, ""
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// issue mints the tokens of one grant, in the kind's token response
// shape. Refreshing keeps the refresh token (no rotation).
func (s *Server) issue(g *grant, refreshToken string) map[string]any {
	at := randomToken("at-" + string(g.kind))
	rt := refreshToken
	if rt == "" && g.kind != oauth.GitHub {
		rt = randomToken("rt-" + string(g.kind))
	}
	s.mu.Lock()
	s.access[at] = g
	if rt != "" {
		s.refresh[rt] = g
	}
	s.mu.Unlock()

	scope := strings.Join(g.scopes, " ")
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 3599, "scope": scope}
	if rt != "" {
		resp["refresh_token"] = rt
	}
	switch g.kind {
	case oauth.Microsoft:
		resp["scope"] = strings.Join(slices.DeleteFunc(slices.Clone(g.scopes), func(s string) bool { return s == "offline_access" }), " ")
		resp["ext_expires_in"] = 3599
	case oauth.GitHub:
		// A classic OAuth app token: no expiry, no refresh token, and the
		// scopes comma separated.
		resp = map[string]any{"access_token": at, "token_type": "bearer", "scope": strings.Join(g.scopes, ",")}
	case oauth.Discord:
		resp["expires_in"] = 604800
	case oauth.LinkedIn:
		resp = map[string]any{"access_token": at, "expires_in": 5183999, "refresh_token": rt,
			"refresh_token_expires_in": 31535999, "scope": strings.Join(g.scopes, ",")}
	case oauth.Twitter:
		resp["token_type"], resp["expires_in"] = "bearer", 7200
	}
	if oidcKinds[g.kind] && slices.Contains(g.scopes, "openid") {
		resp["id_token"] = s.mintFor(g)
	}
	return resp
}

// writeToken answers a token response; GitHub answers form-encoded to a
// client that does not ask for JSON, as GitHub does.
func (s *Server) writeToken(w http.ResponseWriter, r *http.Request, kind oauth.Kind, resp map[string]any) {
	w.Header().Set("Cache-Control", "no-store")
	if kind == oauth.GitHub && !strings.Contains(r.Header.Get("Accept"), "json") {
		v := url.Values{}
		for k, val := range resp {
			v.Set(k, fmt.Sprint(val))
		}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		_, _ = w.Write([]byte(v.Encode()))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// tokenError answers an OAuth error as kind does: GitHub with 200.
func (s *Server) tokenError(w http.ResponseWriter, r *http.Request, kind oauth.Kind, status int, code, desc string) {
	body := map[string]any{"error": code, "error_description": desc}
	if kind == oauth.GitHub {
		if code == "invalid_grant" {
			body["error"] = "bad_verification_code"
		}
		body["error_uri"] = "https://docs.github.com/apps/oauth-apps"
		s.writeToken(w, r, kind, body)
		return
	}
	writeJSON(w, status, body)
}

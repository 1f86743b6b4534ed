package oauthtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/beep/iam/infrastructure/oauth"
)

// pkceKinds are the kinds whose authorization requests must carry an S256
// challenge: those better-auth sends one for.
var pkceKinds = map[oauth.Kind]bool{oauth.Google: true, oauth.Microsoft: true, oauth.GitHub: true, oauth.Twitter: true, oauth.OIDC: true}

// authorize is kind's authorization endpoint. A request with an unknown
// client or an unusable redirect_uri gets a 400 page, as real providers
// answer (they never redirect to an unverified URI); any other problem,
// or an injected OAuth error, is redirected back as error=…; otherwise the
// current user is signed in and redirected back with a code.
func (s *Server) authorize(kind oauth.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != ClientID(kind) {
			http.Error(w, "unknown client_id", http.StatusBadRequest)
			return
		}
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || !back.IsAbs() || (back.Scheme != "http" && back.Scheme != "https") {
			http.Error(w, "redirect_uri must be an absolute http(s) URL", http.StatusBadRequest)
			return
		}
		redirect := func(params url.Values) {
			if st := q.Get("state"); st != "" {
				params.Set("state", st)
			}
			bq := back.Query()
			for k, vs := range params {
				bq[k] = vs
			}
			back.RawQuery = bq.Encode()
			http.Redirect(w, r, back.String(), http.StatusFound)
		}
		refuse := func(code, desc string) {
			redirect(url.Values{"error": {code}, "error_description": {desc}})
		}
		if f, ok := injected(r); ok {
			refuse(f.Error, f.Description)
			return
		}
		challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
		switch {
		case q.Get("response_type") != "code":
			refuse("unsupported_response_type", "response_type must be code")
			return
		case pkceKinds[kind] && challenge == "":
			refuse("invalid_request", "code_challenge is required")
			return
		case challenge != "" && method != "S256":
			refuse("invalid_request", "code_challenge_method must be S256")
			return
		}
		code := randomToken("code-" + string(kind))
		g := &grant{kind: kind, user: s.user(kind), redirectURI: q.Get("redirect_uri"), scopes: strings.Fields(q.Get("scope")),
			challenge: challenge, nonce: q.Get("nonce")}
		s.mu.Lock()
		s.codes[code] = g
		s.mu.Unlock()
		redirect(url.Values{"code": {code}})
	}
}

// Callback is where the fake sent the browser back to.
type Callback struct {
	URL   *url.URL
	Code  string
	State string
	// Error and ErrorDescription are set when the fake refused.
	Error            string
	ErrorDescription string
}

// Authorize plays the browser at the fake: it GETs authURL (an
// authorization URL a provider built) without following the redirect and
// returns where the fake sends the browser back to. It fails when the
// fake answers with anything but a redirect.
func (s *Server) Authorize(authURL string) (Callback, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		return Callback{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return Callback{}, fmt.Errorf("oauthtest: authorize answered %d, not a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.String() == "" {
		return Callback{}, errors.New("oauthtest: authorize redirect without a location")
	}
	q := loc.Query()
	return Callback{URL: loc, Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error"), ErrorDescription: q.Get("error_description")}, nil
}

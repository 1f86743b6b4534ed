package oauthtest

import (
	"time"

	"github.com/beep/iam/infrastructure/oauth"
)

// Endpoint names one of a provider's endpoints, for faults and recorded
// requests.
type Endpoint string

// The endpoints.
const (
	Authorize Endpoint = "authorize"
	Token     Endpoint = "token"     // authorization_code and refresh_token grants
	UserInfo  Endpoint = "userinfo"  // GitHub /user, Discord /users/@me, X /2/users/me, LinkedIn and OIDC /userinfo
	Emails    Endpoint = "emails"    // GitHub /user/emails, X /2/users/me?user.fields=confirmed_email
	JWKS      Endpoint = "jwks"      // id token keys
	Discovery Endpoint = "discovery" // OIDC and Microsoft tenant discovery documents
	Photo     Endpoint = "photo"     // Microsoft Graph profile photo
)

// Fault is a misbehaviour injected on one endpoint.
type Fault struct {
	// Status, when not 0, answers with that HTTP status and the JSON body
	// {"error": Error or "server_error", "error_description": Description}.
	Status int
	// Error, with Status 0, is an OAuth error the endpoint answers the way
	// the provider would: /authorize redirects back with
	// error=<Error>&error_description=<Description>&state=…; the token
	// endpoint answers its error shape (GitHub 200 {"error":…}, others
	// 400); other endpoints answer 400.
	Error       string
	Description string
	// Delay holds the answer that long first (or until the client gives
	// up or the server closes); alone, it only slows the endpoint down.
	Delay time.Duration
	// Times is how many requests the fault applies to; 0 is until Heal.
	Times int
}

type faultKey struct {
	kind oauth.Kind
	ep   Endpoint
}

// Fail makes kind's endpoint misbehave as f describes.
func (s *Server) Fail(kind oauth.Kind, ep Endpoint, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[faultKey{kind, ep}] = &f
}

// Heal removes the fault on kind's endpoint.
func (s *Server) Heal(kind oauth.Kind, ep Endpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, faultKey{kind, ep})
}

// takeFault returns the fault to apply to one request, counting it down.
func (s *Server) takeFault(kind oauth.Kind, ep Endpoint) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[faultKey{kind, ep}]
	if !ok {
		return Fault{}, false
	}
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, faultKey{kind, ep})
		}
	}
	return *f, true
}

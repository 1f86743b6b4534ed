package rest

import (
	"net/http"
	"time"
)

// stateCookieLife is how long a social sign-in flow may take; the state
// row lives as long (authn.SocialPolicy.StateTTL).
const stateCookieLife = 10 * time.Minute

// setState binds a flow's state to this browser: a signed, HttpOnly
// cookie the callback must bring back. It is SameSite=Lax whatever the
// session cookie's setting (unless None): the callback is a top-level
// navigation from the provider's site, which Strict cookies miss.
func (cs cookieSettings) setState(h http.Header, state string) {
	lax := cs
	if lax.sameSite != "None" {
		lax.sameSite = "Lax"
	}
	dropSetCookies(h, cs.oauthState)
	h.Add("Set-Cookie", lax.line(cs.oauthState, cs.signedValue(state), int(stateCookieLife/time.Second)))
}

// stateOf is the flow state the browser's signed cookie carries, "" when
// there is none or it does not verify.
func (cs cookieSettings) stateOf(r *http.Request) string {
	state, _ := cs.readSigned(r, cs.oauthState)
	return state
}

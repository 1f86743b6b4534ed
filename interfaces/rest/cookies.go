package rest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beep/iam/application/authn"
)

// Cookie names, before the __Secure- prefix of https deployments.
const (
	cookiePrefix       = "better-auth."
	sessionTokenCookie = cookiePrefix + "session_token"
	sessionDataCookie  = cookiePrefix + "session_data"
	dontRememberCookie = cookiePrefix + "dont_remember"
	// oauthStateCookie binds a social sign-in flow to the browser that
	// started it (better-auth's "state" cookie).
	oauthStateCookie = cookiePrefix + "state"
	securePrefix     = "__Secure-"
	// noMaxAge leaves Max-Age out: a browser-session cookie.
	noMaxAge = -1
	// signatureLength is the length of a base64 HMAC-SHA256 with padding.
	signatureLength = 44
)

// cookieOptions are the resolved cookie settings of a deployment.
type cookieOptions struct {
	keys        [][]byte // current first
	secure      bool     // https: __Secure- names and the Secure attribute
	domain      string   // Domain attribute, "" for none
	sameSite    string   // "Lax", "Strict" or "None"
	maxAge      int      // seconds, for the session token
	cacheMaxAge int      // seconds, for session_data; 0 disables the cache
	now         func() time.Time
	// cacheNotBefore refuses cache entries issued earlier: the revocation
	// set lives in memory, so entries from before a restart may stand for
	// sessions revoked since.
	cacheNotBefore time.Time
}

// cookieSettings writes and reads better-auth's cookies the way better-call
// serialises them: signed values are "value.base64(HMAC-SHA256(secret,
// value))", URL-encoded as a whole, and attributes come in the order
// Max-Age, Domain, Path, HttpOnly, Secure, SameSite.
type cookieSettings struct {
	cookieOptions
	// secureAttr is the Secure attribute: https, or SameSite=None, which
	// browsers accept only on secure cookies (better-call forces it too).
	secureAttr   bool
	sessionToken string
	sessionData  string
	dontRemember string
	oauthState   string
}

func newCookieSettings(o cookieOptions) cookieSettings {
	prefix := ""
	if o.secure {
		prefix = securePrefix
	}
	if o.sameSite == "" {
		o.sameSite = "Lax"
	}
	if o.now == nil {
		o.now = time.Now
	}
	return cookieSettings{
		cookieOptions: o,
		secureAttr:    o.secure || o.sameSite == "None",
		sessionToken:  prefix + sessionTokenCookie,
		sessionData:   prefix + sessionDataCookie,
		dontRemember:  prefix + dontRememberCookie,
		oauthState:    prefix + oauthStateCookie,
	}
}

// line serialises one Set-Cookie header value; maxAge < 0 omits Max-Age.
func (cs cookieSettings) line(name, value string, maxAge int) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
	if maxAge >= 0 {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(maxAge))
	}
	if cs.domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(cs.domain)
	}
	b.WriteString("; Path=/; HttpOnly")
	if cs.secureAttr {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=")
	b.WriteString(cs.sameSite)
	return b.String()
}

// signedValue is the cookie value carrying value with its signature by the
// current key.
func (cs cookieSettings) signedValue(value string) string {
	return encodeURIComponent(value + "." + cs.signature(value))
}

func (cs cookieSettings) signature(value string) string {
	return base64.StdEncoding.EncodeToString(hmacSHA256(cs.currentKey(), []byte(value)))
}

// currentKey is the key that signs; nil when none is configured (Validate
// refuses that configuration).
func (cs cookieSettings) currentKey() []byte {
	if len(cs.keys) == 0 {
		return nil
	}
	return cs.keys[0]
}

// verified reports whether mac is the HMAC of msg under any of the keys, so
// values signed before a rotation stay valid.
func (cs cookieSettings) verified(msg, mac []byte) bool {
	keys := cs.keys
	if len(keys) == 0 {
		keys = [][]byte{nil}
	}
	for _, k := range keys {
		if hmac.Equal(mac, hmacSHA256(k, msg)) {
			return true
		}
	}
	return false
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// verify returns the value of a decoded signed cookie if its signature is
// genuine. As in better-call, the signature follows the last dot and must be
// 44 characters ending in "=".
func (cs cookieSettings) verify(decoded string) (string, bool) {
	dot := strings.LastIndexByte(decoded, '.')
	if dot < 1 {
		return "", false
	}
	value, sig := decoded[:dot], decoded[dot+1:]
	if len(sig) != signatureLength || !strings.HasSuffix(sig, "=") {
		return "", false
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !cs.verified([]byte(value), got) {
		return "", false
	}
	return value, true
}

// readSigned returns the verified value of the named signed cookie. A
// tampered value reads as absent.
func (cs cookieSettings) readSigned(r *http.Request, name string) (string, bool) {
	raw, ok := requestCookies(r)[name]
	if !ok || raw == "" {
		return "", false
	}
	return cs.verify(raw)
}

// sessionTokenOf returns the session token the request authenticates with:
// a valid bearer token (which stands in for the cookie, as better-auth's
// bearer plugin rewrites the request's cookie), else a validly signed
// session cookie.
func (cs cookieSettings) sessionTokenOf(r *http.Request) (string, bool) {
	if token, ok := cs.bearerToken(r); ok {
		return token, true
	}
	return cs.readSigned(r, cs.sessionToken)
}

// dontRememberOf reports whether the request holds a genuine dont_remember
// cookie: signed by us, with the one value we sign.
func (cs cookieSettings) dontRememberOf(r *http.Request) bool {
	v, ok := cs.readSigned(r, cs.dontRemember)
	return ok && v == "true"
}

// setSession is better-auth's setSessionCookie: it issues the session
// cookie (a browser-session cookie for dont-remember sessions, with the
// signed dont_remember marker; otherwise a stale marker is expired) and a
// fresh cookie cache entry for cur.
func (cs cookieSettings) setSession(h http.Header, r *http.Request, cur authn.CurrentSession, dontRemember bool) {
	maxAge := cs.maxAge
	if dontRemember {
		maxAge = noMaxAge
	}
	dropSetCookies(h, cs.sessionToken)
	h.Add("Set-Cookie", cs.line(cs.sessionToken, cs.signedValue(cur.Session.Token), maxAge))
	switch {
	case dontRemember:
		dropSetCookies(h, cs.dontRemember)
		h.Add("Set-Cookie", cs.line(cs.dontRemember, cs.signedValue("true"), noMaxAge))
	case cs.dontRememberOf(r):
		cs.expire(h, cs.dontRemember)
	}
	cs.setCache(h, r, cur, dontRemember)
}

// deleteSession is better-auth's deleteSessionCookie: it expires
// session_token and session_data, then every session_data cookie or chunk
// the client sent, then dont_remember.
func (cs cookieSettings) deleteSession(h http.Header, r *http.Request) {
	cs.expire(h, cs.sessionToken)
	cs.expire(h, cs.sessionData)
	cs.cleanCache(h, r)
	cs.expire(h, cs.dontRemember)
}

// expire drops any earlier Set-Cookie of name (or of its chunks, name.N)
// in this response, so a valid value never leaks next to its deletion, and
// adds the deletion.
func (cs cookieSettings) expire(h http.Header, name string) {
	dropSetCookies(h, name)
	h.Add("Set-Cookie", cs.line(name, "", 0))
}

// dropSetCookies removes the Set-Cookie lines of name and of its chunks
// (name.N) written earlier in this response: as in better-call, the last
// cookie set under a name is the only one sent.
func dropSetCookies(h http.Header, name string) {
	lines := h.Values("Set-Cookie")
	kept := lines[:0:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, name+"=") && !strings.HasPrefix(l, name+".") {
			kept = append(kept, l)
		}
	}
	h.Del("Set-Cookie")
	for _, l := range kept {
		h.Add("Set-Cookie", l)
	}
}

// requestCookies parses the Cookie header as better-call does.
func requestCookies(r *http.Request) map[string]string {
	m, _ := parseCookies(r)
	return m
}

// parseCookies parses the Cookie header as better-call does: names and
// values are trimmed, the first occurrence of a name wins, a quoted value
// is unquoted and a value with "%" is URI-decoded when that succeeds.
// Several Cookie headers are read as one, joined by "; " as Node does. The
// names come back in order of first occurrence too.
func parseCookies(r *http.Request) (map[string]string, []string) {
	str := strings.Join(r.Header.Values("Cookie"), "; ")
	cookies := map[string]string{}
	var names []string
	for index := 0; index < len(str); {
		eq := strings.IndexByte(str[index:], '=')
		if eq == -1 {
			break
		}
		eq += index
		end := strings.IndexByte(str[index:], ';')
		if end == -1 {
			end = len(str)
		} else if end += index; end < eq {
			index = strings.LastIndexByte(str[:eq], ';') + 1
			continue
		}
		key := strings.TrimSpace(str[index:eq])
		if _, seen := cookies[key]; !seen {
			val := strings.TrimSpace(str[eq+1 : end])
			if strings.HasPrefix(val, `"`) {
				val = val[1:max(1, len(val)-1)]
			}
			cookies[key] = tryDecode(val)
			names = append(names, key)
		}
		index = end + 1
	}
	return cookies, names
}

// tryDecode is decodeURIComponent that falls back to the raw text.
func tryDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	d, err := url.PathUnescape(s)
	if err != nil || !utf8.ValidString(d) {
		return s
	}
	return d
}

// encodeURIComponent escapes s as JavaScript's encodeURIComponent does:
// everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) becomes %XX (upper case).
func encodeURIComponent(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isURIUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isURIUnreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.!~*'()", c) >= 0
}

package rest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Cookie names, before the __Secure- prefix of https deployments.
const (
	cookiePrefix       = "better-auth."
	sessionTokenCookie = cookiePrefix + "session_token"
	sessionDataCookie  = cookiePrefix + "session_data"
	dontRememberCookie = cookiePrefix + "dont_remember"
	securePrefix       = "__Secure-"
	// noMaxAge leaves Max-Age out: a browser-session cookie.
	noMaxAge = -1
	// signatureLength is the length of a base64 HMAC-SHA256 with padding.
	signatureLength = 44
)

// cookieSettings writes and reads better-auth's cookies the way better-call
// serialises them: signed values are "value.base64(HMAC-SHA256(secret,
// value))", URL-encoded as a whole, and attributes come in the order
// Max-Age, Path, HttpOnly, Secure, SameSite.
type cookieSettings struct {
	secret       []byte
	secure       bool
	maxAge       int // seconds, for the session token
	sessionToken string
	sessionData  string
	dontRemember string
}

func newCookieSettings(secret []byte, secure bool, maxAge int) cookieSettings {
	prefix := ""
	if secure {
		prefix = securePrefix
	}
	return cookieSettings{
		secret:       secret,
		secure:       secure,
		maxAge:       maxAge,
		sessionToken: prefix + sessionTokenCookie,
		sessionData:  prefix + sessionDataCookie,
		dontRemember: prefix + dontRememberCookie,
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
	b.WriteString("; Path=/; HttpOnly")
	if cs.secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=Lax")
	return b.String()
}

// signedValue is the cookie value carrying value with its signature.
func (cs cookieSettings) signedValue(value string) string {
	return encodeURIComponent(value + "." + cs.signature(value))
}

func (cs cookieSettings) signature(value string) string {
	mac := hmac.New(sha256.New, cs.secret)
	mac.Write([]byte(value))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
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
	if err != nil {
		return "", false
	}
	mac := hmac.New(sha256.New, cs.secret)
	mac.Write([]byte(value))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "", false
	}
	return value, true
}

// readSigned returns the verified value of the named signed cookie.
func (cs cookieSettings) readSigned(r *http.Request, name string) (string, bool) {
	raw, ok := requestCookies(r)[name]
	if !ok || raw == "" {
		return "", false
	}
	return cs.verify(raw)
}

// sessionTokenOf returns the token of a validly signed session cookie.
func (cs cookieSettings) sessionTokenOf(r *http.Request) (string, bool) {
	return cs.readSigned(r, cs.sessionToken)
}

// dontRememberOf reports whether the request holds a genuine dont_remember
// cookie.
func (cs cookieSettings) dontRememberOf(r *http.Request) bool {
	_, ok := cs.readSigned(r, cs.dontRemember)
	return ok
}

// setSession issues the session cookie after a sign-in or sign-up. A
// dont-remember session gets a browser-session cookie plus a signed
// dont_remember marker; otherwise a stale marker the client holds is
// expired.
func (cs cookieSettings) setSession(h http.Header, token string, dontRemember, hadMarker bool) {
	maxAge := cs.maxAge
	if dontRemember {
		maxAge = noMaxAge
	}
	h.Add("Set-Cookie", cs.line(cs.sessionToken, cs.signedValue(token), maxAge))
	switch {
	case dontRemember:
		h.Add("Set-Cookie", cs.line(cs.dontRemember, cs.signedValue("true"), noMaxAge))
	case hadMarker:
		cs.expire(h, cs.dontRemember)
	}
}

// refreshSession re-issues the session cookie for its full lifetime.
func (cs cookieSettings) refreshSession(h http.Header, token string) {
	h.Add("Set-Cookie", cs.line(cs.sessionToken, cs.signedValue(token), cs.maxAge))
}

// deleteSession expires session_token, session_data and dont_remember, in
// better-auth's order.
func (cs cookieSettings) deleteSession(h http.Header) {
	cs.expire(h, cs.sessionToken)
	cs.expire(h, cs.sessionData)
	cs.expire(h, cs.dontRemember)
}

// expire drops any earlier Set-Cookie of name in this response, so a valid
// value never leaks next to its deletion, and adds the deletion.
func (cs cookieSettings) expire(h http.Header, name string) {
	lines := h.Values("Set-Cookie")
	kept := lines[:0:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, name+"=") {
			kept = append(kept, l)
		}
	}
	h.Del("Set-Cookie")
	for _, l := range kept {
		h.Add("Set-Cookie", l)
	}
	h.Add("Set-Cookie", cs.line(name, "", 0))
}

// requestCookies parses the Cookie header as better-call does: names and
// values are trimmed, the first occurrence of a name wins, a quoted value
// is unquoted and a value with "%" is URI-decoded when that succeeds.
// Several Cookie headers are read as one, joined by "; " as Node does.
func requestCookies(r *http.Request) map[string]string {
	str := strings.Join(r.Header.Values("Cookie"), "; ")
	cookies := map[string]string{}
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
		}
		index = end + 1
	}
	return cookies
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

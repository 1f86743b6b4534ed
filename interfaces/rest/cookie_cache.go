package rest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// The cookie cache is better-auth's session_data cookie, "compact"
// strategy (dist/cookies/index.mjs setCookieCache / decodeCookieCache):
// base64url(JSON {session: payload, expiresAt, signature}) where payload is
// {session, user, updatedAt, version} and signature is
// base64url(HMAC-SHA256(secret, JSON {...payload, expiresAt})). The JSON is
// written byte for byte as JSON.stringify would, so better-auth's own
// getCookieCache (e.g. in a Next.js middleware) verifies Beep's cookies.
const (
	// cacheVersion is the payload version better-auth writes and, unless
	// configured otherwise, expects.
	cacheVersion = "1"
	// dontRememberCacheLife is the entry lifetime of a dont-remember
	// session, whose cookie has no Max-Age (better-auth's "maxAge || 60").
	dontRememberCacheLife = 60 * time.Second
	// maxCookieSize and maxCookieChunks are better-auth's chunking limits
	// (cookies/session-store.mjs): a value whose cookie would pass 4050
	// bytes is split into name.0, name.1, ...; one needing more than 100
	// chunks is not cached at all.
	maxCookieSize   = 4050
	maxCookieChunks = 100
)

// cachePayload is what the cookie caches: the session and user outputs of
// get-session, with Beep's organizationContext inside the session.
type cachePayload struct {
	Session   sessionJSON `json:"session"`
	User      userJSON    `json:"user"`
	UpdatedAt int64       `json:"updatedAt"` // ms since the epoch
	Version   string      `json:"version"`
}

// signedCachePayload is the signed text: the payload's keys, then expiresAt.
type signedCachePayload struct {
	cachePayload
	ExpiresAt int64 `json:"expiresAt"`
}

type cacheEnvelope struct {
	Session   cachePayload `json:"session"`
	ExpiresAt int64        `json:"expiresAt"`
	Signature string       `json:"signature"`
}

// setCache issues a cache entry for cur, replacing (or expiring) whatever
// session_data cookies or chunks the client sent. Nothing happens when the
// cache is disabled. A dont-remember entry is a browser-session cookie
// that stays valid for a minute.
func (cs cookieSettings) setCache(h http.Header, r *http.Request, cur authn.CurrentSession, dontRemember bool) {
	if cs.cacheMaxAge <= 0 {
		return
	}
	maxAge, life := cs.cacheMaxAge, time.Duration(cs.cacheMaxAge)*time.Second
	if dontRemember {
		// Never longer than the configured age: revocations are
		// remembered for that long only.
		maxAge, life = noMaxAge, min(dontRememberCacheLife, life)
	}
	now := cs.now()
	issued := now
	if !cur.LoadedAt.IsZero() && cur.LoadedAt.Before(now) {
		// As old as the oldest row it was made from: a context change
		// committed while the rows were read makes the entry stale.
		issued = cur.LoadedAt
	}
	value, err := cs.encodeCache(cur, issued, now.Add(life))
	if err != nil {
		return // an unencodable date: no cache entry, the next request reads storage
	}
	cs.writeChunks(h, r, value, maxAge)
}

func (cs cookieSettings) encodeCache(cur authn.CurrentSession, now, expires time.Time) (string, error) {
	p := cachePayload{
		Session:   newSessionJSON(cur.Session, cur.Context),
		User:      newUserJSON(cur.User),
		UpdatedAt: now.UnixMilli(),
		Version:   cacheVersion,
	}
	exp := expires.UnixMilli()
	signed, err := jsonStringify(signedCachePayload{cachePayload: p, ExpiresAt: exp})
	if err != nil {
		return "", err
	}
	sig := base64.RawURLEncoding.EncodeToString(hmacSHA256(cs.currentKey(), signed))
	env, err := jsonStringify(cacheEnvelope{Session: p, ExpiresAt: exp, Signature: sig})
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(env), nil
}

// writeChunks is better-auth's session store chunk(): every session_data
// cookie or chunk the client holds is expired, and value is written under
// the plain name when it fits in one cookie, else in chunks. A name both
// expired and rewritten gets only the new value, in the old one's place.
func (cs cookieSettings) writeChunks(h http.Header, r *http.Request, value string, maxAge int) {
	var names []string
	lines := map[string]string{}
	put := func(name, line string) {
		if _, ok := lines[name]; !ok {
			names = append(names, name)
		}
		lines[name] = line
	}
	for _, name := range cs.cacheCookieNames(r) {
		put(name, cs.line(name, "", 0))
	}
	size := maxCookieSize - len(cs.line(cs.sessionData+".99", "", maxAge))
	switch n := chunkCount(len(value), size); {
	case n <= 1:
		put(cs.sessionData, cs.line(cs.sessionData, value, maxAge))
	case n > maxCookieChunks:
		// Too large for cookies: skip the cache; storage answers instead.
	default:
		for i := range n {
			name := cs.sessionData + "." + strconv.Itoa(i)
			put(name, cs.line(name, value[i*size:min((i+1)*size, len(value))], maxAge))
		}
	}
	dropSetCookies(h, cs.sessionData)
	for _, name := range names {
		h.Add("Set-Cookie", lines[name])
	}
}

// chunkCount is how many cookies of size bytes hold n bytes; a size left
// non-positive by long attributes can hold nothing.
func chunkCount(n, size int) int {
	if size <= 0 {
		return maxCookieChunks + 1
	}
	return (n + size - 1) / size
}

// cleanCache expires every session_data cookie or chunk the client sent
// (better-auth's sessionStore.clean()).
func (cs cookieSettings) cleanCache(h http.Header, r *http.Request) {
	for _, name := range cs.cacheCookieNames(r) {
		h.Add("Set-Cookie", cs.line(name, "", 0))
	}
}

// cacheCookieNames lists, in request order, the session_data cookie and
// its chunks present in the request.
func (cs cookieSettings) cacheCookieNames(r *http.Request) []string {
	_, all := parseCookies(r)
	var names []string
	for _, name := range all {
		if name == cs.sessionData || chunkIndex(cs.sessionData, name) >= 0 {
			names = append(names, name)
		}
	}
	return names
}

// chunkIndex returns N for a cookie named base.N (N a canonical
// non-negative integer), else -1.
func chunkIndex(base, name string) int {
	suffix, ok := strings.CutPrefix(name, base+".")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(suffix)
	if err != nil || n < 0 || strconv.Itoa(n) != suffix {
		return -1
	}
	return n
}

// readCache returns the session_data cookie's value, reassembled from its
// chunks when the plain cookie is absent; "" when there is none.
func (cs cookieSettings) readCache(r *http.Request) string {
	cookies, names := parseCookies(r)
	if v := cookies[cs.sessionData]; v != "" {
		return v
	}
	type chunk struct {
		index int
		value string
	}
	var chunks []chunk
	for _, name := range names {
		if i := chunkIndex(cs.sessionData, name); i >= 0 {
			chunks = append(chunks, chunk{i, cookies[name]})
		}
	}
	sort.SliceStable(chunks, func(i, j int) bool { return chunks[i].index < chunks[j].index })
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString(c.value)
	}
	return b.String()
}

// cacheEntry is a verified cache cookie.
type cacheEntry struct {
	payload   cachePayload
	expiresAt time.Time
}

// decodeCache verifies a cache cookie value with any of the keys. The
// signature is checked over the payload's exact bytes followed by
// expiresAt, which is the text JSON.stringify gives for a cookie Beep or
// better-auth wrote.
func (cs cookieSettings) decodeCache(value string) (cacheEntry, bool) {
	raw, err := decodeBase64URL(value)
	if err != nil {
		return cacheEntry{}, false
	}
	var env struct {
		Session   json.RawMessage `json:"session"`
		ExpiresAt json.Number     `json:"expiresAt"`
		Signature string          `json:"signature"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return cacheEntry{}, false
	}
	body := bytes.TrimSpace(env.Session)
	exp, err := env.ExpiresAt.Int64()
	if err != nil || len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' || env.Signature == "" {
		return cacheEntry{}, false
	}
	sig, err := decodeBase64URL(env.Signature)
	if err != nil {
		return cacheEntry{}, false
	}
	signed := make([]byte, 0, len(body)+32)
	signed = append(signed, body[:len(body)-1]...)
	signed = append(signed, `,"expiresAt":`...)
	signed = append(signed, env.ExpiresAt.String()...)
	signed = append(signed, '}')
	if !cs.verified(signed, sig) {
		return cacheEntry{}, false
	}
	var p cachePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return cacheEntry{}, false
	}
	return cacheEntry{payload: p, expiresAt: time.UnixMilli(exp)}, true
}

// decodeBase64URL decodes base64url with or without padding.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// usableFor reports whether the entry may stand for the session behind
// token at now: it was issued for that token, in the expected version, not
// before notBefore, and neither it nor the session it carries has expired.
func (e cacheEntry) usableFor(token string, now, notBefore time.Time) bool {
	if e.payload.UpdatedAt < notBefore.UnixMilli() {
		return false
	}
	version := e.payload.Version
	if version == "" {
		version = cacheVersion // better-auth reads a missing version as "1"
	}
	s := e.payload.Session
	return s.Token == token && version == cacheVersion &&
		!e.expiresAt.Before(now) && !time.Time(s.ExpiresAt).Before(now)
}

// current turns the cached outputs back into the session they describe.
// dontRemember comes from the request's marker cookie: the wire session
// does not carry it.
func (p cachePayload) current(dontRemember bool) (authn.CurrentSession, bool) {
	s, u := p.Session, p.User
	email, err := identity.ParseEmail(u.Email)
	if err != nil || s.ID == "" || s.UserID == "" || u.ID != s.UserID {
		return authn.CurrentSession{}, false
	}
	var active *organization.ID
	if s.ActiveOrganizationID != nil {
		id := organization.ID(*s.ActiveOrganizationID)
		active = &id
	}
	orgs := make(session.OrganizationContext, len(s.OrganizationContext))
	for id, o := range s.OrganizationContext {
		orgs[organization.ID(id)] = session.OrganizationSummary{
			Name:             o.Name,
			Type:             organization.Type(o.Type),
			Role:             o.Role,
			IsPersonal:       o.IsPersonal,
			SubscriptionTier: organization.Tier(o.SubscriptionTier),
		}
	}
	return authn.CurrentSession{
		User: identity.User{
			ID:            identity.UserID(u.ID),
			Name:          u.Name,
			Email:         email,
			EmailVerified: u.EmailVerified,
			Image:         u.Image,
			CreatedAt:     time.Time(u.CreatedAt),
			UpdatedAt:     time.Time(u.UpdatedAt),
		},
		Session: session.Session{
			ID:                   session.ID(s.ID),
			Token:                s.Token,
			UserID:               identity.UserID(s.UserID),
			ExpiresAt:            time.Time(s.ExpiresAt),
			IPAddress:            s.IPAddress,
			UserAgent:            s.UserAgent,
			ActiveOrganizationID: active,
			DontRemember:         dontRemember,
			CreatedAt:            time.Time(s.CreatedAt),
			UpdatedAt:            time.Time(s.UpdatedAt),
		},
		Context: orgs,
	}, true
}

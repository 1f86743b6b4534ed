package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/interfaces/rest"
)

// limited is better-auth's 429 body, byte for byte.
const limited = `{"message":"Too many requests. Please try again later."}`

// withRateLimit turns the per-IP limits on, counted on the harness clock,
// with rules and trusted proxies.
func withRateLimit(rules []rest.RateLimitRule, proxies ...string) option {
	return withConfig(func(c *rest.Config) {
		c.RateLimit = rest.RateLimit{Limiter: authntest.NewLimiter(c.Now), Rules: rules}
		for _, p := range proxies {
			c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(p))
		}
	})
}

// wantLimited checks a 429 with both retry headers at wait seconds.
func wantLimited(t *testing.T, what string, res result, wait int) {
	t.Helper()
	w := strconv.Itoa(wait)
	if res.status != http.StatusTooManyRequests || res.body != limited ||
		res.header.Get("X-Retry-After") != w || res.header.Get("Retry-After") != w {
		t.Fatalf("%s: got %d %s (X-Retry-After %q, Retry-After %q), want 429 %s with both at %s",
			what, res.status, res.body, res.header.Get("X-Retry-After"), res.header.Get("Retry-After"), limited, w)
	}
}

func wantNotLimited(t *testing.T, what string, res result) {
	t.Helper()
	if res.status == http.StatusTooManyRequests {
		t.Fatalf("%s: got 429 %s, want it through", what, res.body)
	}
}

const wrongSignIn = `{"email":"nobody@example.com","password":"wrong-password"}`

func TestFourthSignInWithinTenSecondsIsLimited(t *testing.T) {
	s := newServer(t, withRateLimit(nil))
	for i := range 3 {
		if res := s.post(t, "/sign-in/email", wrongSignIn); res.status != http.StatusUnauthorized {
			t.Fatalf("sign-in %d: got %d %s, want 401", i+1, res.status, res.body)
		}
	}
	wantLimited(t, "4th sign-in", s.post(t, "/sign-in/email", wrongSignIn), 10)
	// The limit is per path: sign-up has its own count.
	wantNotLimited(t, "sign-up after sign-in was limited", s.post(t, "/sign-up/email", `{"name":"A","email":"a@example.com","password":"password123"}`))
	s.clock.Advance(9 * time.Second)
	wantLimited(t, "a second before the window ends", s.post(t, "/sign-in/email", wrongSignIn), 1)
	s.clock.Advance(time.Second)
	if res := s.post(t, "/sign-in/email", wrongSignIn); res.status != http.StatusUnauthorized {
		t.Fatalf("sign-in after the window: got %d %s, want 401", res.status, res.body)
	}
}

// TestRateLimitRules: built-in rules, the default, and custom rules that
// override them, each hit until it is limited.
func TestRateLimitRules(t *testing.T) {
	type request struct{ method, path, body string }
	var (
		getSession   = request{http.MethodGet, "/get-session", ""}
		signIn       = request{http.MethodPost, "/sign-in/email", wrongSignIn}
		social       = request{http.MethodPost, "/sign-in/social", `{"provider":"nope"}`}
		reset        = request{http.MethodPost, "/request-password-reset", `{"email":"x@example.com"}`}
		verification = request{http.MethodPost, "/send-verification-email", `{"email":"x@example.com"}`}
		linkSocial   = request{http.MethodPost, "/link-social", `{"provider":"google"}`}
		invite       = request{http.MethodPost, "/organization/invite-member", `{"email":"x@example.com","role":"member"}`}
	)
	tests := []struct {
		name  string
		rules []rest.RateLimitRule
		req   request
		allow int // requests let through before the first 429
		wait  int // its Retry-After, seconds
	}{
		{"default 100 per 10 s", nil, getSession, 100, 10},
		{"sign-in 3 per 10 s", nil, signIn, 3, 10},
		{"social sign-in is a sign-in", nil, social, 3, 10},
		{"password reset 3 per 60 s", nil, reset, 3, 60},
		{"verification email 3 per 60 s", nil, verification, 3, 60},
		{"link-social 10 per 60 s", nil, linkSocial, 10, 60},
		{"invite-member 10 per 60 s", nil, invite, 10, 60},
		{"custom prefix overrides the built-in", []rest.RateLimitRule{{Path: "/sign-in/*", Max: 5, Window: time.Minute}}, signIn, 5, 60},
		{"custom exact rule", []rest.RateLimitRule{{Path: "/get-session", Max: 2, Window: 30 * time.Second}}, getSession, 2, 30},
		{"custom rule turns limiting off", []rest.RateLimitRule{{Path: "/sign-in*", Max: 0}}, signIn, -1, 0},
		{"an exact rule beats a prefix", []rest.RateLimitRule{
			{Path: "/sign-in*", Max: 1, Window: time.Minute}, {Path: "/sign-in/email", Max: 4, Window: 20 * time.Second},
		}, signIn, 4, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, withRateLimit(tt.rules))
			send := func() result {
				if tt.req.method == http.MethodGet {
					return s.get(t, tt.req.path)
				}
				return s.post(t, tt.req.path, tt.req.body)
			}
			n := tt.allow
			if n < 0 {
				n = 120 // "never": more than any limit here
			}
			for i := range n {
				wantNotLimited(t, fmt.Sprintf("request %d", i+1), send())
			}
			if tt.allow >= 0 {
				wantLimited(t, fmt.Sprintf("request %d", n+1), send(), tt.wait)
			}
		})
	}
}

func TestRateLimitRulesAreValidated(t *testing.T) {
	for _, rule := range []rest.RateLimitRule{
		{Path: "sign-in", Max: 1, Window: time.Second},
		{Path: "/api/auth/sign-in", Max: 1, Window: time.Second},
		{Path: "/sign-*-in", Max: 1, Window: time.Second},
		{Path: "/x", Max: -1, Window: time.Second},
		{Path: "/x", Max: 1},
	} {
		cfg := rest.Config{Secrets: [][]byte{secret}, RateLimit: rest.RateLimit{Rules: []rest.RateLimitRule{rule}}}
		if err := cfg.Validate(); err == nil {
			t.Errorf("Validate with rule %+v: got nil, want an error", rule)
		}
	}
	dup := rest.RateLimit{Rules: []rest.RateLimitRule{{Path: "/x", Max: 1, Window: time.Second}, {Path: "/x", Max: 2, Window: time.Second}}}
	if err := dup.Validate(); err == nil {
		t.Error("Validate with a rule given twice: got nil, want an error")
	}
}

// sessionIP signs up with headers and returns the ipAddress recorded on
// the new session.
func sessionIP(t *testing.T, s *testServer, email string, headers ...string) string {
	t.Helper()
	res := s.post(t, "/sign-up/email", `{"name":"U","email":"`+email+`","password":"password123"}`, headers...)
	if res.status != http.StatusOK {
		t.Fatalf("sign-up %s: %d %s", email, res.status, res.body)
	}
	got := s.get(t, "/get-session", "Cookie", cookiePair(t, res, "better-auth.session_token"))
	var body struct {
		Session struct {
			IPAddress string `json:"ipAddress"`
		} `json:"session"`
	}
	if err := json.Unmarshal([]byte(got.body), &body); err != nil {
		t.Fatalf("get-session: %d %s: %v", got.status, got.body, err)
	}
	return body.Session.IPAddress
}

// TestSpoofedForwardedForIsIgnored: without trusted proxies, or from a
// peer that is not one, X-Forwarded-For changes nothing: neither the
// limit's key nor the session's address.
func TestSpoofedForwardedForIsIgnored(t *testing.T) {
	for name, proxies := range map[string][]string{"no trusted proxies": nil, "peer not trusted": {"10.0.0.0/8"}} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, withRateLimit(nil, proxies...))
			for i := range 3 {
				spoof := fmt.Sprintf("198.51.100.%d", i+1)
				if res := s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", spoof); res.status != http.StatusUnauthorized {
					t.Fatalf("sign-in %d: got %d", i+1, res.status)
				}
			}
			wantLimited(t, "4th sign-in under a new spoofed address", s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", "198.51.100.99"), 10)
			if ip := sessionIP(t, s, "spoof@example.com", "X-Forwarded-For", "6.6.6.6"); ip != "127.0.0.1" {
				t.Fatalf("session ipAddress: got %q, want the peer 127.0.0.1", ip)
			}
		})
	}
}

// TestTrustedProxyChain: from a trusted peer the chain is walked right to
// left past trusted hops; the first untrusted hop is the client.
func TestTrustedProxyChain(t *testing.T) {
	s := newServer(t, withRateLimit(nil, "127.0.0.1/32", "10.0.0.0/8"))
	tests := []struct{ xff, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{"203.0.113.5, 10.1.2.3", "203.0.113.5"},
		{"6.6.6.6, 203.0.113.6, 10.0.0.1, 10.0.0.2", "203.0.113.6"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"not-an-ip, 10.0.0.9", "10.0.0.9"},
		{"2001:db8::1", "2001:db8::1"},
	}
	for i, tt := range tests {
		if got := sessionIP(t, s, fmt.Sprintf("chain%d@example.com", i), "X-Forwarded-For", tt.xff); got != tt.want {
			t.Errorf("X-Forwarded-For %q: session ipAddress %q, want %q", tt.xff, got, tt.want)
		}
	}
	// Clients behind the proxy are counted apart.
	for range 3 {
		wantNotLimited(t, "client A", s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", "192.0.2.1, 10.0.0.1"))
	}
	wantLimited(t, "client A's 4th", s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", "192.0.2.1, 10.0.0.1"), 10)
	wantNotLimited(t, "client B", s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", "192.0.2.2, 10.0.0.1"))
	// Two X-Forwarded-For headers form one chain.
	wantLimited(t, "client A in two headers", s.post(t, "/sign-in/email", wrongSignIn,
		"X-Forwarded-For", "192.0.2.1", "X-Forwarded-For", "10.0.0.1"), 10)
}

func TestIPv6ClientsAreGroupedBySlash64(t *testing.T) {
	s := newServer(t, withRateLimit(nil, "127.0.0.1/32"))
	for _, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"} {
		wantNotLimited(t, ip, s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", ip))
	}
	wantLimited(t, "a 4th address of the same /64", s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", "2001:db8:1:2::42"), 10)
	wantNotLimited(t, "the next /64", s.post(t, "/sign-in/email", wrongSignIn, "X-Forwarded-For", "2001:db8:1:3::1"))
}

// failingLimiter is a store that cannot count.
type failingLimiter struct{}

func (failingLimiter) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, errors.New("store down")
}

func TestRateLimiterFailureNeverLetsThrough(t *testing.T) {
	s := newServer(t, withConfig(func(c *rest.Config) { c.RateLimit = rest.RateLimit{Limiter: failingLimiter{}} }))
	res := s.post(t, "/sign-in/email", wrongSignIn)
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("sign-in with the limiter failing: got %d %s, want 503", res.status, res.body)
	}
}

// withThrottle gives the service per-account and per-recipient counters.
func withThrottle(p authn.ThrottlePolicy) []option {
	return []option{
		withDeps(func(d *authn.Deps) {
			d.Attempts = &authntest.Attempts{}
			d.Sends = authntest.NewLimiter(d.Clock.Now)
		}),
		withPolicy(func(pol *authn.Policy) { pol.Throttle = p }),
	}
}

// retryAfter reads a 429's Retry-After, which must equal X-Retry-After.
func retryAfter(t *testing.T, res result) int {
	t.Helper()
	if res.status != http.StatusTooManyRequests || res.body != limited {
		t.Fatalf("got %d %s, want 429 %s", res.status, res.body, limited)
	}
	ra, xra := res.header.Get("Retry-After"), res.header.Get("X-Retry-After")
	n, err := strconv.Atoi(ra)
	if err != nil || ra != xra {
		t.Fatalf("Retry-After %q, X-Retry-After %q: want equal whole seconds", ra, xra)
	}
	return n
}

func TestAccountThrottleDoublesAndClears(t *testing.T) {
	p := authn.ThrottlePolicy{SignIn: authn.Backoff{Free: 3, Base: 30 * time.Second, Max: 2 * time.Minute, Cap: 100, CapDelay: time.Hour, Forget: 24 * time.Hour}}
	s := newServer(t, withThrottle(p)...)
	s.signUp(t, "Victim", "victim@example.com")
	wrong := `{"email":"victim@example.com","password":"wrong-password"}`
	right := `{"email":"victim@example.com","password":"password123"}`
	unknownWrong := `{"email":"ghost@example.com","password":"wrong-password"}`
	for _, body := range []string{wrong, unknownWrong} {
		for i := range 3 {
			if res := s.post(t, "/sign-in/email", body); res.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: got %d %s, want 401", i+1, res.status, res.body)
			}
		}
	}
	// The account and an address without one answer alike.
	for _, body := range []string{right, unknownWrong} {
		if got := retryAfter(t, s.post(t, "/sign-in/email", body)); got != 30 {
			t.Fatalf("after 3 failures: Retry-After %d, want 30", got)
		}
	}
	for _, want := range []int{60, 120, 120} {
		s.clock.Advance(time.Duration(retryAfterSeconds(t, s, right)) * time.Second)
		if res := s.post(t, "/sign-in/email", wrong); res.status != http.StatusUnauthorized {
			t.Fatalf("attempt after the wait: got %d, want 401", res.status)
		}
		if got := retryAfter(t, s.post(t, "/sign-in/email", right)); got != want {
			t.Fatalf("next wait: got %d s, want %d s", got, want)
		}
	}
	// The right password, once allowed, clears the streak.
	s.clock.Advance(2 * time.Minute)
	if res := s.post(t, "/sign-in/email", right); res.status != http.StatusOK {
		t.Fatalf("right password after the wait: got %d %s", res.status, res.body)
	}
	for i := range 3 {
		if res := s.post(t, "/sign-in/email", wrong); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d after a success: got %d, want 401 (the streak starts over)", i+1, res.status)
		}
	}
	retryAfter(t, s.post(t, "/sign-in/email", right))
	// A password reset clears it too.
	token := s.requestReset(t, "victim@example.com")
	if res := s.post(t, "/reset-password", `{"newPassword":"password456","token":"`+token+`"}`); res.status != http.StatusOK {
		t.Fatalf("reset-password: %d %s", res.status, res.body)
	}
	if res := s.post(t, "/sign-in/email", `{"email":"victim@example.com","password":"password456"}`); res.status != http.StatusOK {
		t.Fatalf("sign-in after a reset, no wait: got %d %s, want 200", res.status, res.body)
	}
}

// retryAfterSeconds asks once more and returns the current wait.
func retryAfterSeconds(t *testing.T, s *testServer, body string) int {
	t.Helper()
	return retryAfter(t, s.post(t, "/sign-in/email", body))
}

// TestFailureCapHoldsFromManyIPs: NIST's cap of 100 consecutive failures
// per account, each from a different address (the per-IP limits on too),
// after which even the right password waits a day.
func TestFailureCapHoldsFromManyIPs(t *testing.T) {
	p := authn.DefaultThrottlePolicy
	opts := append(withThrottle(p), withRateLimit(nil, "127.0.0.1/32"))
	s := newServer(t, opts...)
	s.signUp(t, "Victim", "victim@example.com")
	wrong := `{"email":"victim@example.com","password":"wrong-password"}`
	for i := range 100 {
		ip := fmt.Sprintf("10.%d.%d.1", i/200, i%200)
		res := s.post(t, "/sign-in/email", wrong, "X-Forwarded-For", ip)
		if res.status == http.StatusTooManyRequests {
			s.clock.Advance(time.Duration(retryAfter(t, res)) * time.Second)
			res = s.post(t, "/sign-in/email", wrong, "X-Forwarded-For", ip)
		}
		if res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d from %s: got %d %s, want 401", i+1, ip, res.status, res.body)
		}
	}
	s.clock.Advance(p.SignIn.Max) // longer than any wait before the cap
	res := s.post(t, "/sign-in/email", `{"email":"victim@example.com","password":"password123"}`, "X-Forwarded-For", "192.0.2.200")
	if got, want := retryAfter(t, res), int(p.SignIn.CapDelay/time.Second-p.SignIn.Max/time.Second); got != want {
		t.Fatalf("after 100 failures: Retry-After %d, want %d (a day from the 100th)", got, want)
	}
}

func TestMailsPerRecipientAreLimited(t *testing.T) {
	p := authn.ThrottlePolicy{MailsPerRecipient: 3, MailWindow: time.Hour}
	s := newServer(t, withThrottle(p)...)
	s.signUp(t, "User", "u@example.com")
	verifications := s.mailCount(mail.KindVerification) // sign-up's own
	for i := range 5 {
		res := s.post(t, "/request-password-reset", `{"email":"u@example.com"}`)
		if res.status != http.StatusOK || res.body != resetRequested {
			t.Fatalf("reset request %d: got %d %s, want the usual answer", i+1, res.status, res.body)
		}
		res = s.post(t, "/send-verification-email", `{"email":"u@example.com"}`)
		if res.status != http.StatusOK {
			t.Fatalf("verification request %d: got %d %s", i+1, res.status, res.body)
		}
	}
	if n := s.mailCount(mail.KindPasswordReset); n != 3 {
		t.Fatalf("reset mails after 5 requests: got %d, want 3", n)
	}
	if n := s.mailCount(mail.KindVerification) - verifications; n != 3 {
		t.Fatalf("verification mails after 5 requests: got %d, want 3", n)
	}
	s.clock.Advance(time.Hour)
	s.post(t, "/request-password-reset", `{"email":"u@example.com"}`)
	if n := s.mailCount(mail.KindPasswordReset); n != 4 {
		t.Fatalf("reset mails an hour later: got %d, want 4", n)
	}
}

// TestPasswordChecksShareTheSignInThrottle: a stolen session cannot guess
// the password through verify-password faster than sign-in allows; the
// failures count on the same per-account streak.
func TestPasswordChecksShareTheSignInThrottle(t *testing.T) {
	p := authn.ThrottlePolicy{SignIn: authn.Backoff{Free: 3, Base: 30 * time.Second, Max: 2 * time.Minute, Cap: 100, CapDelay: time.Hour, Forget: 24 * time.Hour}}
	s := newServer(t, withThrottle(p)...)
	cookie, _ := s.signUp(t, "Victim", "victim@example.com")
	for i := range 3 {
		if res := s.post(t, "/verify-password", `{"password":"guess-`+strconv.Itoa(i)+`"}`, "Cookie", cookie); res.status != http.StatusBadRequest {
			t.Fatalf("guess %d: got %d %s, want 400", i+1, res.status, res.body)
		}
	}
	if got := retryAfter(t, s.post(t, "/verify-password", `{"password":"password123"}`, "Cookie", cookie)); got != 30 {
		t.Fatalf("4th check: Retry-After %d, want 30", got)
	}
	if got := retryAfter(t, s.post(t, "/sign-in/email", `{"email":"victim@example.com","password":"password123"}`)); got != 30 {
		t.Fatalf("sign-in after 3 verify-password failures: Retry-After %d, want 30 (one streak)", got)
	}
}

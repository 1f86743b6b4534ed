package rest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// RateLimiter counts requests per key in windows; the rate-limit
// middleware is its only caller. Adapters: infrastructure/ratelimit.
type RateLimiter interface {
	// Allow counts one request on key and reports whether at most limit
	// fell within window; when not, retryAfter is how long until one
	// would be allowed. An error means the count is unknown: the request
	// is refused (503), never let through.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error)
}

// RateLimitRule limits the paths it matches to Max requests per Window
// per client address. Path is relative to /api/auth: exact
// ("/get-session"), or, ending in "*", a prefix ("/sign-in*" matches
// /sign-in/email and /sign-in/social). Max 0 turns limiting off there.
type RateLimitRule struct {
	Path   string
	Max    int
	Window time.Duration
}

// RateLimit configures the per-IP limits of the /api/auth routes.
type RateLimit struct {
	// Limiter keeps the counts; nil turns every limit off.
	Limiter RateLimiter
	// Window and Max are the limit of paths no rule matches: 100 per 10 s
	// when zero (better-auth's).
	Window time.Duration
	Max    int
	// Rules override the built-in ones (DefaultRateLimitRules): the best
	// match among Rules wins, else the best among the built-ins, where an
	// exact path beats a prefix and a longer prefix a shorter one.
	Rules []RateLimitRule
}

// Defaults of RateLimit.
const (
	DefaultRateLimitWindow = 10 * time.Second
	DefaultRateLimitMax    = 100
)

// DefaultRateLimitRules are better-auth's special rules (WIRE.md §5.2)
// and Beep's additions for social linking and invitations, whose side
// effects (provider round trips, mails to strangers) are worth more than a
// plain request.
var DefaultRateLimitRules = []RateLimitRule{
	{Path: "/sign-in*", Max: 3, Window: 10 * time.Second},
	{Path: "/sign-up*", Max: 3, Window: 10 * time.Second},
	{Path: "/change-password*", Max: 3, Window: 10 * time.Second},
	{Path: "/change-email*", Max: 3, Window: 10 * time.Second},
	{Path: "/request-password-reset", Max: 3, Window: 60 * time.Second},
	{Path: "/send-verification-email", Max: 3, Window: 60 * time.Second},
	{Path: "/forget-password*", Max: 3, Window: 60 * time.Second},
	{Path: "/link-social", Max: 10, Window: 60 * time.Second},
	{Path: "/organization/invite-member", Max: 10, Window: 60 * time.Second},
}

// tooManyRequests is better-auth's 429: a message and no code.
var tooManyRequests = &apiError{status: http.StatusTooManyRequests, message: "Too many requests. Please try again later."}

// Validate reports rules that cannot be applied.
func (rl RateLimit) Validate() error {
	var errs []error
	if rl.Window < 0 {
		errs = append(errs, errors.New("rest: rate-limit window is negative"))
	}
	if rl.Max < 0 {
		errs = append(errs, errors.New("rest: rate-limit max is negative"))
	}
	seen := map[string]bool{}
	for _, r := range rl.Rules {
		if err := r.validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[r.Path] {
			errs = append(errs, fmt.Errorf("rest: rate-limit rule %q is given twice", r.Path))
		}
		seen[r.Path] = true
	}
	return errors.Join(errs...)
}

func (r RateLimitRule) validate() error {
	p, _ := strings.CutSuffix(r.Path, "*")
	switch {
	case !strings.HasPrefix(r.Path, "/"):
		return fmt.Errorf("rest: rate-limit rule path %q must start with / (paths are relative to %s)", r.Path, basePath)
	case strings.HasPrefix(r.Path, basePath+"/"):
		return fmt.Errorf("rest: rate-limit rule path %q must be relative to %s", r.Path, basePath)
	case strings.ContainsAny(p, "* \t?#"):
		return fmt.Errorf("rest: rate-limit rule path %q may hold one * only, at its end", r.Path)
	case r.Max < 0:
		return fmt.Errorf("rest: rate-limit rule %q: max is negative", r.Path)
	case r.Max > 0 && r.Window <= 0:
		return fmt.Errorf("rest: rate-limit rule %q: window must be positive", r.Path)
	}
	return nil
}

// matches reports whether the rule covers path, and how specifically:
// exact matches rank above every prefix, longer prefixes above shorter.
func (r RateLimitRule) matches(path string) (rank int, ok bool) {
	if prefix, wild := strings.CutSuffix(r.Path, "*"); wild {
		return len(prefix), strings.HasPrefix(path, prefix)
	}
	return math.MaxInt, path == r.Path
}

// bestRule returns the most specific of rules matching path.
func bestRule(rules []RateLimitRule, path string) (RateLimitRule, bool) {
	var (
		best  RateLimitRule
		rank  = -1
		found bool
	)
	for _, r := range rules {
		if n, ok := r.matches(path); ok && n > rank {
			best, rank, found = r, n, true
		}
	}
	return best, found
}

// rateLimiter is the middleware of a resolved RateLimit.
type rateLimiter struct {
	limiter  RateLimiter
	fallback RateLimitRule
	rules    []RateLimitRule
}

func newRateLimiter(rl RateLimit) *rateLimiter {
	if rl.Limiter == nil {
		return nil
	}
	d := RateLimitRule{Window: rl.Window, Max: rl.Max}
	if d.Window <= 0 {
		d.Window = DefaultRateLimitWindow
	}
	if d.Max <= 0 {
		d.Max = DefaultRateLimitMax
	}
	return &rateLimiter{limiter: rl.Limiter, fallback: d, rules: rl.Rules}
}

// rule is the limit of path (relative to the base path).
func (l *rateLimiter) rule(path string) RateLimitRule {
	if r, ok := bestRule(l.rules, path); ok {
		return r
	}
	if r, ok := bestRule(DefaultRateLimitRules, path); ok {
		return r
	}
	return l.fallback
}

// middleware limits requests under the base path per client address and
// path, before anything reads the body. Paths elsewhere (health checks
// at the root) are never limited. A refused request gets better-auth's
// 429 with X-Retry-After, and the standard Retry-After as well.
func (l *rateLimiter) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	if l == nil {
		return next
	}
	return func(c echo.Context) error {
		r := c.Request()
		path, ok := strings.CutPrefix(r.URL.Path, basePath)
		if !ok || (path != "" && path[0] != '/') {
			return next(c)
		}
		rule := l.rule(path)
		if rule.Max == 0 {
			return next(c)
		}
		// The key names the route (its pattern, so tokens in paths such as
		// /reset-password/:token never reach the store) and the rule.
		route, _ := strings.CutPrefix(c.Path(), basePath)
		key := rateLimitSubject(clientIP(r)) + "|" + route + "|" + rule.Path
		allowed, wait, err := l.limiter.Allow(r.Context(), key, rule.Max, rule.Window)
		if err != nil {
			return &apiError{status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE", message: "Service temporarily unavailable", cause: fmt.Errorf("rate limit: %w", err)}
		}
		if !allowed {
			setRetryAfter(c.Response().Header(), wait)
			return tooManyRequests
		}
		return next(c)
	}
}

// setRetryAfter sets X-Retry-After (better-auth's) and Retry-After (the
// standard's) to wait in whole seconds, rounded up, at least 1.
func setRetryAfter(h http.Header, wait time.Duration) {
	s := strconv.FormatInt(max(int64(math.Ceil(wait.Seconds())), 1), 10)
	h.Set("X-Retry-After", s)
	h.Set("Retry-After", s)
}

// retryAfterError is an error that knows when to try again
// (authn.ThrottledError).
type retryAfterError interface {
	error
	RetryAfterDuration() time.Duration
}

// setRetryAfterOf sets the retry headers for an error that carries a wait.
func setRetryAfterOf(h http.Header, err error) {
	var ra retryAfterError
	if errors.As(err, &ra) {
		setRetryAfter(h, ra.RetryAfterDuration())
	}
}

package mailer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/resend/resend-go/v2"
)

// ResendConfig configures the Resend transport.
type ResendConfig struct {
	// APIKey is the Resend API key (re_…).
	APIKey string
	// From is the sender ("Beep <noreply@example.com>"), used when an
	// Email has no From of its own.
	From string
	// BaseURL is the API root (RESEND_API_URL); empty means the SDK
	// default, https://api.resend.com/ (or the SDK's own RESEND_BASE_URL).
	BaseURL string
	// HTTPClient is the client to send with; nil means one with a 10 s
	// timeout. It is copied, not modified.
	HTTPClient *http.Client
}

// defaultResendTimeout bounds one API call when the caller gives no client:
// a hung provider must not hold an outbox worker for the SDK's minute.
const defaultResendTimeout = 10 * time.Second

// Resend sends email through the Resend API, passing the Email's
// idempotency key so a retried send is delivered once.
type Resend struct {
	client *resend.Client
	from   string
}

var _ Transport = (*Resend)(nil)

// NewResend returns a Resend transport, or every problem with cfg joined.
func NewResend(cfg ResendConfig) (*Resend, error) {
	var errs []error
	switch {
	case cfg.APIKey == "":
		errs = append(errs, errors.New("resend: API key is required"))
	case strings.ContainsFunc(cfg.APIKey, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		// A key read from a file often ends in a newline; it would make
		// every request fail, so say so at start-up (without the key).
		errs = append(errs, errors.New("resend: API key contains whitespace"))
	}
	switch {
	case cfg.From == "":
		errs = append(errs, errors.New("resend: sender (From) is required"))
	case strings.ContainsAny(cfg.From, "\r\n\x00"):
		errs = append(errs, errors.New("resend: sender (From) contains a line break or NUL"))
	}
	var base *url.URL
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("resend: base URL %q is not an absolute http(s) URL", cfg.BaseURL))
		} else {
			// The SDK resolves "emails" against the base, which drops the
			// last path segment unless the base ends in a slash.
			if !strings.HasSuffix(u.Path, "/") {
				u.Path += "/"
				if u.RawPath != "" {
					u.RawPath += "/"
				}
			}
			base = u
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	hc := &http.Client{Timeout: defaultResendTimeout}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = statusRecorder{next: next}
	client := resend.NewCustomClient(hc, cfg.APIKey)
	if base != nil {
		client.BaseURL = base
	}
	return &Resend{client: client, from: cfg.From}, nil
}

// Send posts e to Resend and returns Resend's email id.
//
// The error wraps ErrPermanent when the email itself was refused: an empty
// recipient or a line break in from, to or subject (checked before
// sending), or a Resend 4xx other than 408, 409 (an idempotent request
// still in flight, or a key reused for another body) and 429. That includes
// 401 and 403 (bad key, unverified sender domain), which no retry of this
// email fixes either. Every other failure — 408, 409, 429, 5xx, timeouts,
// network errors, ctx ending — is retryable, and a retry with the same
// idempotency key is never delivered twice. A 429 error also wraps
// resend.ErrRateLimit, whose *resend.RateLimitError holds Retry-After.
func (r *Resend) Send(ctx context.Context, e Email) (string, error) {
	from := cmp.Or(e.From, r.from)
	if e.To == "" || strings.ContainsAny(from+e.To+e.Subject, "\r\n\x00") {
		return "", fmt.Errorf("resend: %w: empty recipient or a line break in from, to or subject", ErrPermanent)
	}
	// The SDK folds every non-2xx answer into a plain error string (only
	// 429 keeps a type), so the status is taken from the HTTP exchange
	// itself, per call, through the request context.
	var status atomic.Int32
	ctx = context.WithValue(ctx, statusKey{}, &status)
	resp, err := r.client.Emails.SendWithOptions(ctx, &resend.SendEmailRequest{
		From:    from,
		To:      []string{e.To},
		Subject: e.Subject,
		Html:    e.HTML,
		Text:    e.Text,
	}, &resend.SendEmailOptions{IdempotencyKey: e.IdempotencyKey})
	code := int(status.Load())
	switch {
	case err == nil && resp.Id != "":
		return resp.Id, nil
	case err == nil:
		return "", fmt.Errorf("resend: HTTP %d without an email id", code)
	case permanentStatus(code):
		return "", fmt.Errorf("resend refused the email (HTTP %d): %w: %w", code, ErrPermanent, err)
	case code != 0:
		err = fmt.Errorf("resend: HTTP %d: %w", code, err)
		if wait, ok := retryAfter(err); ok {
			return "", &RetryAfter{After: wait, Err: err}
		}
		return "", err
	default:
		return "", fmt.Errorf("resend: %w", err)
	}
}

func permanentStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return code >= 400 && code < 500
}

type statusKey struct{}

// statusRecorder stores the status of each response in the *atomic.Int32
// its request's context carries; after redirects, the last one wins.
type statusRecorder struct{ next http.RoundTripper }

func (s statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if p, ok := req.Context().Value(statusKey{}).(*atomic.Int32); ok && resp != nil {
		p.Store(int32(resp.StatusCode))
	}
	return resp, err
}

// retryAfter reads the Retry-After of a Resend 429, in seconds.
func retryAfter(err error) (time.Duration, bool) {
	var rl *resend.RateLimitError
	if !errors.As(err, &rl) {
		return 0, false
	}
	secs, convErr := strconv.Atoi(strings.TrimSpace(rl.RetryAfter))
	if convErr != nil || secs <= 0 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

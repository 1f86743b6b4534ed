package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/infrastructure/mailer"
	"github.com/beep/iam/infrastructure/mailer/mailertest"
	"github.com/resend/resend-go/v2"
)

const (
	testKey  = "re_test_key"
	testFrom = "Beep <noreply@beep.test>"
)

// newResend returns a Resend transport talking to a fresh fake server.
func newResend(t *testing.T, client *http.Client) (*mailer.Resend, *mailertest.ResendServer) {
	t.Helper()
	srv := mailertest.NewResendServer(t, testKey)
	tr, err := mailer.NewResend(mailer.ResendConfig{APIKey: testKey, From: testFrom, BaseURL: srv.URL, HTTPClient: client})
	if err != nil {
		t.Fatalf("NewResend: %v", err)
	}
	return tr, srv
}

// rendered returns a ready verification email for to.
func rendered(t *testing.T, to, key string) mailer.Email {
	t.Helper()
	c, err := mailer.Render(mail.Message{Kind: mail.KindVerification, To: identity.Email(to), URL: link})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return mailer.Email{To: to, Subject: c.Subject, HTML: c.HTML, Text: c.Text, IdempotencyKey: key}
}

func TestResendSendsTheRequestResendExpects(t *testing.T) {
	t.Parallel()
	tr, srv := newResend(t, nil)
	e := rendered(t, "alice@example.com", "outbox-1")

	id, err := tr.Send(context.Background(), e)
	if err != nil {
		t.Fatalf("Send = %v, want no error", err)
	}
	got := srv.Deliveries()
	if len(got) != 1 {
		t.Fatalf("fake server has %d deliveries, want 1", len(got))
	}
	d := got[0]
	if id == "" || id != d.ID {
		t.Errorf("Send returned id %q, want the server's %q", id, d.ID)
	}
	if d.From != testFrom || !slices.Equal(d.To, []string{"alice@example.com"}) || d.Subject != e.Subject ||
		d.HTML != e.HTML || d.Text != e.Text || d.IdempotencyKey != "outbox-1" {
		t.Errorf("delivery = %+v, want from %q, to [alice@example.com], the rendered subject, html and text, key outbox-1", d, testFrom)
	}

	// An Email's own From wins over the configured one.
	e.From, e.IdempotencyKey = "Other <other@beep.test>", "outbox-2"
	if _, err := tr.Send(context.Background(), e); err != nil {
		t.Fatalf("Send with From = %v", err)
	}
	if got := srv.Deliveries()[1].From; got != e.From {
		t.Errorf("delivery from %q, want the email's %q", got, e.From)
	}
}

func TestResendClassifiesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status    int
		permanent bool
	}{
		{http.StatusInternalServerError, false},
		{http.StatusBadGateway, false},
		{http.StatusServiceUnavailable, false},
		{http.StatusTooManyRequests, false},
		{http.StatusRequestTimeout, false},
		{http.StatusConflict, false},
		{http.StatusBadRequest, true},
		{http.StatusUnprocessableEntity, true},
		{http.StatusForbidden, true},
		{http.StatusNotFound, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			tr, srv := newResend(t, nil)
			e := rendered(t, "alice@example.com", "outbox-1")
			srv.FailNext(1, tt.status)

			id, err := tr.Send(context.Background(), e)
			if err == nil {
				t.Fatalf("Send after FailNext(1, %d) = %q, nil; want an error", tt.status, id)
			}
			if got := errors.Is(err, mailer.ErrPermanent); got != tt.permanent {
				t.Errorf("Send error %q: permanent = %v, want %v", err, got, tt.permanent)
			}
			if want := fmt.Sprintf("HTTP %d", tt.status); !strings.Contains(err.Error(), want) {
				t.Errorf("Send error %q does not mention %q", err, want)
			}
			var later *mailer.RetryAfter
			if tt.status == http.StatusTooManyRequests && (!errors.Is(err, resend.ErrRateLimit) || !errors.As(err, &later) || later.After != time.Second) {
				t.Errorf("Send error %q is not a RetryAfter of the server's 1 s wrapping resend.ErrRateLimit", err)
			}
			if n := len(srv.Deliveries()); n != 0 {
				t.Errorf("fake server has %d deliveries after a failure, want 0", n)
			}
			// Only the next request failed: the retry goes through.
			if _, err := tr.Send(context.Background(), e); err != nil {
				t.Errorf("retry after one failure = %v, want no error", err)
			}
		})
	}
}

func TestResendTimeoutIsRetryableAndTheRetryDeliversOnce(t *testing.T) {
	t.Parallel()
	tr, srv := newResend(t, &http.Client{Timeout: 100 * time.Millisecond})
	e := rendered(t, "alice@example.com", "outbox-1")
	srv.Hang(400 * time.Millisecond)

	if id, err := tr.Send(context.Background(), e); err == nil || errors.Is(err, mailer.ErrPermanent) {
		t.Fatalf("Send to a hanging server = %q, %v; want a retryable error", id, err)
	}
	// The provider accepted the email although the answer was lost ...
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first, err := srv.WaitForDelivery(ctx, func(mailertest.Delivery) bool { return true })
	if err != nil {
		t.Fatalf("WaitForDelivery: %v", err)
	}
	// ... so the retry, with the same key, gets the same id and no copy.
	id, err := tr.Send(context.Background(), e)
	if err != nil {
		t.Fatalf("retry = %v, want no error", err)
	}
	if id != first.ID {
		t.Errorf("retry id = %q, want the first delivery's %q", id, first.ID)
	}
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("fake server has %d deliveries, want 1", n)
	}
}

func TestResendContextCancelIsRetryable(t *testing.T) {
	t.Parallel()
	tr, srv := newResend(t, nil)
	srv.Hang(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := tr.Send(ctx, rendered(t, "alice@example.com", "outbox-1"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, mailer.ErrPermanent) {
		t.Fatalf("Send with an expiring context = %v, want a retryable error wrapping context.DeadlineExceeded", err)
	}
}

func TestResendNetworkErrorIsRetryable(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	tr, err := mailer.NewResend(mailer.ResendConfig{APIKey: testKey, From: testFrom, BaseURL: down.URL})
	if err != nil {
		t.Fatalf("NewResend: %v", err)
	}
	_, err = tr.Send(context.Background(), rendered(t, "alice@example.com", "outbox-1"))
	if err == nil || errors.Is(err, mailer.ErrPermanent) {
		t.Fatalf("Send to a closed port = %v, want a retryable error", err)
	}
}

func TestResendDeliversOncePerIdempotencyKey(t *testing.T) {
	t.Parallel()
	tr, srv := newResend(t, nil)
	e := rendered(t, "alice@example.com", "outbox-1")

	first, err1 := tr.Send(context.Background(), e)
	second, err2 := tr.Send(context.Background(), e)
	if err1 != nil || err2 != nil {
		t.Fatalf("two sends = %v, %v; want no errors", err1, err2)
	}
	if first != second {
		t.Errorf("same key gave ids %q and %q, want the same", first, second)
	}
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("fake server has %d deliveries after two sends with one key, want 1", n)
	}

	// Reusing a key for another email is Resend's 409: retryable, so a
	// dispatcher bug shows up as a stuck email rather than a lost one.
	other := rendered(t, "bob@example.com", "outbox-1")
	if _, err := tr.Send(context.Background(), other); err == nil || errors.Is(err, mailer.ErrPermanent) {
		t.Errorf("same key, other email = %v, want a retryable error", err)
	}

	other.IdempotencyKey = "outbox-2"
	if _, err := tr.Send(context.Background(), other); err != nil {
		t.Fatalf("send with a new key = %v", err)
	}
	if n := len(srv.Deliveries()); n != 2 {
		t.Errorf("fake server has %d deliveries, want 2", n)
	}
}

func TestResendRefusesHeaderInjectionBeforeSending(t *testing.T) {
	t.Parallel()
	tr, srv := newResend(t, nil)
	e := rendered(t, "alice@example.com", "outbox-1")
	e.Subject = "Hi\r\nBcc: victim@example.com"
	if _, err := tr.Send(context.Background(), e); !errors.Is(err, mailer.ErrPermanent) {
		t.Errorf("Send with CRLF in the subject = %v, want ErrPermanent", err)
	}
	if n := len(srv.Deliveries()); n != 0 {
		t.Errorf("fake server has %d deliveries, want 0", n)
	}
}

func TestNewResendValidatesConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  mailer.ResendConfig
		want []string // fragments of the joined error; none means valid
	}{
		{"valid", mailer.ResendConfig{APIKey: testKey, From: testFrom}, nil},
		{"valid with base URL", mailer.ResendConfig{APIKey: testKey, From: testFrom, BaseURL: "https://resend.internal/api"}, nil},
		{"empty", mailer.ResendConfig{}, []string{"API key is required", "From) is required"}},
		{"key with a newline", mailer.ResendConfig{APIKey: testKey + "\n", From: testFrom}, []string{"API key contains whitespace"}},
		{"CRLF in from", mailer.ResendConfig{APIKey: testKey, From: "a@b.c\r\nBcc: x@y.z"}, []string{"line break"}},
		{"relative base URL", mailer.ResendConfig{APIKey: testKey, From: testFrom, BaseURL: "/emails"}, []string{"base URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mailer.NewResend(tt.cfg)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("NewResend(%s) = %v, want no error", tt.name, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewResend(%s) = nil, want an error mentioning %q", tt.name, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("NewResend(%s) = %q, want it to mention %q", tt.name, err, w)
				}
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("NewResend error %q reveals the API key", err)
			}
		})
	}
}

func TestResendBaseURLWithPath(t *testing.T) {
	t.Parallel()
	// A base URL with a path and no trailing slash (a proxy in front of
	// Resend) must still reach <path>/emails, not replace the last segment.
	srv := mailertest.NewResendServer(t, testKey)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(http.StripPrefix("/resend", httputil.NewSingleHostReverseProxy(target)))
	t.Cleanup(proxy.Close)
	tr, err := mailer.NewResend(mailer.ResendConfig{APIKey: testKey, From: testFrom, BaseURL: proxy.URL + "/resend"})
	if err != nil {
		t.Fatalf("NewResend: %v", err)
	}
	if _, err := tr.Send(context.Background(), rendered(t, "alice@example.com", "outbox-1")); err != nil {
		t.Fatalf("Send through %s/resend = %v", proxy.URL, err)
	}
}

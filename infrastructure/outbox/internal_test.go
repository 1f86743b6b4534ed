package outbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/domain/mail"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	const base, maxWait = 10 * time.Second, 10 * time.Minute
	tests := []struct {
		attempt int
		u       float64
		want    time.Duration
	}{
		{1, 0, 10 * time.Second},
		{1, 0.999999, 7500*time.Millisecond + 25*time.Microsecond},
		{2, 0, 20 * time.Second},
		{4, 0, 80 * time.Second},
		{4, 0.5, 70 * time.Second},
		{7, 0, maxWait}, // 640 s capped
		{8, 0.5, maxWait * 7 / 8},
		{1000, 0, maxWait}, // no overflow
	}
	for _, tt := range tests {
		if got := backoff(base, maxWait, tt.attempt, tt.u); got.Round(time.Millisecond) != tt.want.Round(time.Millisecond) {
			t.Errorf("backoff(attempt %d, u %v) = %v, want %v", tt.attempt, tt.u, got, tt.want)
		}
	}
	// Whatever the jitter, each wait exceeds the previous until the cap.
	for attempt := 1; attempt < 6; attempt++ {
		if longest, next := backoff(base, maxWait, attempt, 0), backoff(base, maxWait, attempt+1, 0.999999); next <= longest {
			t.Errorf("attempt %d may wait %v, attempt %d as little as %v", attempt, longest, attempt+1, next)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	m := mail.Message{
		Kind: mail.KindPasswordReset, To: "alice@example.com", Username: "Alice",
		URL:      "https://auth.example/api/auth/reset-password/AbCdEfGhIjKlMnOpQrStUvWx?callbackURL=https%3A%2F%2Fapp.example%2Freset",
		NewEmail: "alice.new@example.org",
	}
	tests := []string{
		"invalid to: alice@example.com",
		"link " + m.URL,
		"token AbCdEfGhIjKlMnOpQrStUvWx rejected",
		"callback https://app.example/reset",
		`body {"to":["alice%40example.com"]}`,
		"moving to alice.new@example.org",
	}
	for _, in := range tests {
		got := redact(in, m)
		for _, secret := range []string{"alice", "AbCdEfGh", "app.example"} {
			if strings.Contains(got, secret) {
				t.Errorf("redact(%q) = %q, still has %q", in, got, secret)
			}
		}
	}
	if got := redact("provider unavailable", m); got != "provider unavailable" {
		t.Errorf("redact left nothing to redact but changed %q", got)
	}
	if got := truncate(strings.Repeat("é", maxErrorLen)); len(got) > maxErrorLen || !strings.HasPrefix(strings.Repeat("é", maxErrorLen), got) || got == "" {
		t.Errorf("truncate cut %d bytes, or not on a rune boundary", len(got))
	}
}

func TestPayload(t *testing.T) {
	t.Parallel()
	m := mail.Message{Kind: mail.KindInvitation, To: "bob@example.com", URL: "https://auth.example/accept?id=x",
		Inviter: `Eve "<script>"`, Organization: "Acme & Co"}
	s, err := encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decode(s); err != nil || got != m {
		t.Fatalf("decode(encode(m)) = %+v, %v; want %+v", got, err, m)
	}
	for name, stored := range map[string]string{
		"not JSON":          "{",
		"another version":   strings.Replace(s, `"v":1`, `"v":2`, 1),
		"an unknown field":  strings.Replace(s, `"v":1`, `"v":1,"bcc":"x@example.com"`, 1),
		"an invalid header": strings.Replace(s, `"to":"bob@example.com"`, `"to":"bob@example.com\r\nBcc: x@example.com"`, 1),
	} {
		if _, err := decode(stored); err == nil {
			t.Errorf("decode of a payload with %s = nil error, want one", name)
		}
	}
	if _, err := decode(strings.Replace(s, `"url":"https://auth.example/accept?id=x"`, `"url":"javascript:alert(1)"`, 1)); !errors.Is(err, mail.ErrInvalidMessage) {
		t.Errorf("decode of a stored invalid message = %v, want mail.ErrInvalidMessage", err)
	}
}

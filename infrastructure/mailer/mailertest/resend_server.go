// Package mailertest provides a fake Resend API for tests of anything that
// sends email through mailer.Resend: the outbox dispatcher, the end-to-end
// suite.
//
// The fake is strict about the request and faithful about the answer. A
// request that is not what Resend expects from Beep — POST /emails with
// "Authorization: Bearer <key>", "Content-Type: application/json", an
// Idempotency-Key header, and a JSON body with from, a to array, subject,
// html and text — fails the test and gets the error Resend would give. A
// good request is delivered once per idempotency key, as Resend does: the
// same key with the same body answers the first id and delivers nothing
// more; the same key with another body answers 409.
//
// Typical use:
//
//	srv := mailertest.NewResendServer(t, "re_test")
//	tr, _ := mailer.NewResend(mailer.ResendConfig{APIKey: "re_test", From: "Beep <noreply@beep.test>", BaseURL: srv.URL})
//	// ... code under test sends ...
//	d, err := srv.WaitForDelivery(ctx, func(d mailertest.Delivery) bool { return d.To[0] == "alice@example.com" })
package mailertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Delivery is one email the fake accepted.
type Delivery struct {
	// ID is the id the fake answered, as Resend's email id.
	ID             string
	IdempotencyKey string
	From           string
	To             []string
	Subject        string
	HTML           string
	Text           string
}

// ResendServer is a fake Resend API on a local httptest.Server. It closes
// when the test ends. Its methods are safe for concurrent use.
type ResendServer struct {
	// URL is the server's base URL, for mailer.ResendConfig.BaseURL.
	URL string

	t      testing.TB
	apiKey string
	closed chan struct{} // closed when the test ends, to release hung requests

	mu         sync.Mutex
	deliveries []Delivery
	byKey      map[string]Delivery
	failN      int
	failStatus int
	hangUntil  time.Time
	changed    chan struct{} // closed and replaced on every delivery
}

// NewResendServer starts a fake Resend API that accepts apiKey only.
func NewResendServer(t testing.TB, apiKey string) *ResendServer {
	t.Helper()
	s := &ResendServer{
		t:       t,
		apiKey:  apiKey,
		closed:  make(chan struct{}),
		byKey:   map[string]Delivery{},
		changed: make(chan struct{}),
	}
	srv := httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = srv.URL
	t.Cleanup(func() {
		close(s.closed)
		srv.Close()
	})
	return s
}

// FailNext makes the next n well-formed requests fail with status (a 4xx or
// 5xx) and a Resend error body, delivering nothing; a 429 carries
// Retry-After: 1 and Resend's rate-limit headers.
func (s *ResendServer) FailNext(n, status int) {
	s.t.Helper()
	if status < 400 || status > 599 {
		s.t.Fatalf("mailertest: FailNext(%d, %d): status must be 4xx or 5xx", n, status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// Hang holds every request that arrives in the next d until d has passed,
// then handles it. A held request is handled even when its client has
// given up waiting, as a provider may accept an email whose answer never
// arrives: only the idempotency key keeps the client's retry from
// delivering it twice.
func (s *ResendServer) Hang(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangUntil = time.Now().Add(d)
}

// Deliveries returns the emails delivered so far, oldest first.
func (s *ResendServer) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// WaitForDelivery returns the first delivery, past or future, for which
// match is true, or ctx's error once ctx is done.
func (s *ResendServer) WaitForDelivery(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	seen := 0
	for {
		// match runs unlocked, so it may call Deliveries.
		s.mu.Lock()
		fresh, changed := slices.Clone(s.deliveries[seen:]), s.changed
		s.mu.Unlock()
		for _, d := range fresh {
			if match(d) {
				return d, nil
			}
		}
		seen += len(fresh)
		select {
		case <-changed:
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		}
	}
}

// sendRequest is the part of Resend's send-email body Beep uses. To is a
// slice, so a bare string fails to decode: Beep always sends an array.
type sendRequest struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	HTML    string   `json:"html"`
	Text    string   `json:"text"`
}

// maxIdempotencyKey is Resend's limit on the key's length.
const maxIdempotencyKey = 256

func (s *ResendServer) handle(w http.ResponseWriter, r *http.Request) {
	req, ok := s.check(w, r)
	if !ok {
		return
	}
	if !s.pause() {
		writeError(w, http.StatusServiceUnavailable, "the fake Resend server is closed")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN > 0 {
		s.failN--
		writeError(w, s.failStatus, "injected failure")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if d, seen := s.byKey[key]; seen {
		if d.From != req.From || !slices.Equal(d.To, req.To) || d.Subject != req.Subject || d.HTML != req.HTML || d.Text != req.Text {
			writeError(w, http.StatusConflict, "Same idempotency key used with a different request payload.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": d.ID})
		return
	}
	d := Delivery{
		ID: newID(), IdempotencyKey: key,
		From: req.From, To: req.To, Subject: req.Subject, HTML: req.HTML, Text: req.Text,
	}
	s.byKey[key] = d
	s.deliveries = append(s.deliveries, d)
	close(s.changed)
	s.changed = make(chan struct{})
	writeJSON(w, http.StatusOK, map[string]string{"id": d.ID})
}

// check validates the request's shape, failing the test and answering as
// Resend would when it is wrong.
func (s *ResendServer) check(w http.ResponseWriter, r *http.Request) (sendRequest, bool) {
	reject := func(status int, format string, args ...any) (sendRequest, bool) {
		msg := fmt.Sprintf(format, args...)
		s.t.Errorf("mailertest: fake Resend refused %s %s: %s", r.Method, r.URL.Path, msg)
		writeError(w, status, msg)
		return sendRequest{}, false
	}
	if r.URL.Path != "/emails" {
		return reject(http.StatusNotFound, "unknown path, want /emails")
	}
	if r.Method != http.MethodPost {
		return reject(http.StatusMethodNotAllowed, "method %s, want POST", r.Method)
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return reject(http.StatusUnauthorized, "missing Authorization header")
	}
	if auth != "Bearer "+s.apiKey {
		return reject(http.StatusForbidden, "Authorization is not \"Bearer <the API key>\"")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return reject(http.StatusUnprocessableEntity, "Content-Type %q, want application/json", r.Header.Get("Content-Type"))
	}
	if key := r.Header.Get("Idempotency-Key"); key == "" || len(key) > maxIdempotencyKey {
		return reject(http.StatusBadRequest, "Idempotency-Key header must be 1 to %d characters, got %d", maxIdempotencyKey, len(key))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return reject(http.StatusBadRequest, "reading the body: %v", err)
	}
	var req sendRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return reject(http.StatusUnprocessableEntity, "body is not a send-email request (is to an array?): %v", err)
	}
	var missing []string
	for name, v := range map[string]string{"from": req.From, "subject": req.Subject, "html": req.HTML, "text": req.Text} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(req.To) == 0 || slices.Contains(req.To, "") {
		missing = append(missing, "to")
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return reject(http.StatusUnprocessableEntity, "missing or empty fields: %s", strings.Join(missing, ", "))
	}
	if strings.ContainsAny(req.From+req.Subject+strings.Join(req.To, ""), "\r\n") {
		return reject(http.StatusUnprocessableEntity, "line break in from, to or subject")
	}
	return req, true
}

// pause waits out a Hang; it reports false if the test ended meanwhile.
func (s *ResendServer) pause() bool {
	s.mu.Lock()
	wait := time.Until(s.hangUntil)
	s.mu.Unlock()
	if wait <= 0 {
		return true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-s.closed:
		return false
	}
}

// errorNames are Resend's error names for the statuses it uses.
var errorNames = map[int]string{
	http.StatusBadRequest:          "validation_error",
	http.StatusUnauthorized:        "missing_api_key",
	http.StatusForbidden:           "invalid_api_key",
	http.StatusNotFound:            "not_found",
	http.StatusMethodNotAllowed:    "method_not_allowed",
	http.StatusConflict:            "invalid_idempotent_request",
	http.StatusUnprocessableEntity: "validation_error",
	http.StatusTooManyRequests:     "rate_limit_exceeded",
}

// writeError answers in Resend's error format.
func writeError(w http.ResponseWriter, status int, message string) {
	name, ok := errorNames[status]
	if !ok {
		name = "application_error"
		if status == http.StatusInternalServerError {
			name = "internal_server_error"
		}
	}
	if status == http.StatusTooManyRequests {
		h := w.Header()
		h.Set("Retry-After", "1")
		h.Set("Ratelimit-Limit", "2")
		h.Set("Ratelimit-Remaining", "0")
		h.Set("Ratelimit-Reset", "1")
	}
	writeJSON(w, status, map[string]any{"statusCode": status, "name": name, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v) // maps of strings always encode
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// newID returns a random UUID, the shape of Resend's email ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

package mailertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beep/iam/infrastructure/mailer/mailertest"
)

// complaints stands in for the test the fake server reports to, so a test
// can check that the fake flags a malformed request.
type complaints struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (c *complaints) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

func (c *complaints) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	msgs := c.msgs
	c.msgs = nil
	return msgs
}

const key = "re_test_key"

const goodBody = `{"from":"Beep <noreply@beep.test>","to":["alice@example.com"],"subject":"Hi","html":"<p>Hi</p>","text":"Hi"}`

// post sends a request that is right in every way except what edit
// changes, and returns the answer's status, headers and JSON body.
func post(t *testing.T, url string, edit func(*http.Request)) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/emails", strings.NewReader(goodBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "outbox-1")
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, resp.Header, body
}

func setBody(s string) func(*http.Request) {
	return func(r *http.Request) {
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(s)), int64(len(s))
	}
}

func TestResendServerFlagsMalformedRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*http.Request)
		want int
	}{
		{"wrong method", func(r *http.Request) { r.Method = http.MethodPut }, http.StatusMethodNotAllowed},
		{"wrong path", func(r *http.Request) { r.URL.Path = "/email" }, http.StatusNotFound},
		{"no key", func(r *http.Request) { r.Header.Del("Authorization") }, http.StatusUnauthorized},
		{"wrong key", func(r *http.Request) { r.Header.Set("Authorization", "Bearer re_other") }, http.StatusForbidden},
		{"key without Bearer", func(r *http.Request) { r.Header.Set("Authorization", key) }, http.StatusForbidden},
		{"form content type", func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, http.StatusUnprocessableEntity},
		{"no idempotency key", func(r *http.Request) { r.Header.Del("Idempotency-Key") }, http.StatusBadRequest},
		{"to as a string", setBody(`{"from":"a@b.c","to":"alice@example.com","subject":"Hi","html":"x","text":"x"}`), http.StatusUnprocessableEntity},
		{"no text part", setBody(`{"from":"a@b.c","to":["alice@example.com"],"subject":"Hi","html":"x"}`), http.StatusUnprocessableEntity},
		{"CRLF in the subject", setBody(`{"from":"a@b.c","to":["alice@example.com"],"subject":"Hi\r\nBcc: x@y.z","html":"x","text":"x"}`), http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &complaints{TB: t}
			srv := mailertest.NewResendServer(c, key)
			status, _, body := post(t, srv.URL, tt.edit)
			if status != tt.want || body["name"] == nil || body["message"] == nil {
				t.Errorf("answer = %d %v, want %d with a Resend error body", status, body, tt.want)
			}
			if msgs := c.take(); len(msgs) != 1 {
				t.Errorf("fake reported %q to the test, want one complaint", msgs)
			}
			if n := len(srv.Deliveries()); n != 0 {
				t.Errorf("fake has %d deliveries, want 0", n)
			}
		})
	}
}

func TestResendServerDelivers(t *testing.T) {
	t.Parallel()
	srv := mailertest.NewResendServer(t, key)

	status, _, body := post(t, srv.URL, nil)
	if status != http.StatusOK || body["id"] == "" {
		t.Fatalf("answer = %d %v, want 200 with an id", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := srv.WaitForDelivery(ctx, func(d mailertest.Delivery) bool { return d.To[0] == "alice@example.com" })
	if err != nil {
		t.Fatalf("WaitForDelivery: %v", err)
	}
	want := mailertest.Delivery{ID: body["id"].(string), IdempotencyKey: "outbox-1", From: "Beep <noreply@beep.test>",
		To: []string{"alice@example.com"}, Subject: "Hi", HTML: "<p>Hi</p>", Text: "Hi"}
	if fmt.Sprint(d) != fmt.Sprint(want) {
		t.Errorf("delivery = %+v, want %+v", d, want)
	}

	// Resend's idempotency: same key and body → same id, nothing new.
	if status, _, again := post(t, srv.URL, nil); status != http.StatusOK || again["id"] != body["id"] {
		t.Errorf("repeat = %d %v, want 200 with id %v", status, again, body["id"])
	}
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("fake has %d deliveries after a repeat, want 1", n)
	}
}

func TestResendServerFailNext(t *testing.T) {
	t.Parallel()
	srv := mailertest.NewResendServer(t, key)
	srv.FailNext(2, http.StatusTooManyRequests)
	for i := range 2 {
		req := func(r *http.Request) { r.Header.Set("Idempotency-Key", fmt.Sprint("k", i)) }
		status, h, _ := post(t, srv.URL, req)
		if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Errorf("request %d = %d with Retry-After %q, want 429 with one", i+1, status, h.Get("Retry-After"))
		}
	}
	if status, _, _ := post(t, srv.URL, nil); status != http.StatusOK {
		t.Errorf("third request = %d, want 200", status)
	}
}

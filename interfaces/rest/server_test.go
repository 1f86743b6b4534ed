package rest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/interfaces/rest"
)

func TestRouting404IsEmpty(t *testing.T) {
	s := newServer(t)
	tests := []struct{ name, method, path string }{
		{"unknown path", http.MethodGet, "/does-not-exist"},
		{"PUT on a POST route", http.MethodPut, "/sign-in/email"},
		{"GET on a POST route", http.MethodGet, "/sign-in/email"},
		{"DELETE on a GET route", http.MethodDelete, "/ok"},
		{"trailing slash", http.MethodGet, "/ok/"},
		{"double slash", http.MethodGet, "/ok"}, // rewritten below
		{"HEAD", http.MethodHead, "/ok"},
		{"OPTIONS", http.MethodOptions, "/ok"},
		{"outside the base path", http.MethodGet, "!/ok"},
		{"base path itself", http.MethodGet, "!/api/auth"},
		{"encoded path", http.MethodGet, "/%6Fk"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if tc.name == "double slash" {
				path = "!/api/auth//ok"
			}
			// A cookie and a foreign origin must not turn a 404 into a 403.
			res := s.do(t, tc.method, path, "", "Cookie", "a=b", "Origin", "https://evil.example")
			if res.status != http.StatusNotFound || res.body != "" {
				t.Fatalf("got %d %q, want an empty 404", res.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "" {
				t.Fatalf("content-type %q on a 404", ct)
			}
			if res.header.Get("Allow") != "" {
				t.Fatalf("Allow header leaked: %q", res.header.Get("Allow"))
			}
		})
	}
}

func TestOK(t *testing.T) {
	s := newServer(t)
	for _, path := range []string{"/ok", "/ok?x=1"} {
		res := s.do(t, http.MethodGet, path, "")
		if res.status != http.StatusOK || res.body != `{"ok":true}` || res.header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s = %d %q %q", path, res.status, res.body, res.header.Get("Content-Type"))
		}
		if res.header.Get("Cache-Control") != "" {
			t.Fatalf("GET %s has cache-control %q", path, res.header.Get("Cache-Control"))
		}
	}
}

func TestEdgeHeaders(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/ok"}, {http.MethodGet, "/nope"}, {http.MethodGet, "/get-session"}, {http.MethodPost, "/sign-in/email"},
	} {
		res := s.do(t, tc.method, tc.path, "")
		if res.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s %s: no nosniff", tc.method, tc.path)
		}
		if id := res.header.Get("X-Request-Id"); len(id) != 32 {
			t.Fatalf("%s %s: request id %q", tc.method, tc.path, id)
		}
	}
	for _, path := range []string{"/sign-in/email", "/sign-up/email", "/sign-out", "/change-password"} {
		if cc := s.do(t, http.MethodPost, path, "").header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("POST %s: Cache-Control %q, want no-store", path, cc)
		}
	}
	if id := s.do(t, http.MethodGet, "/ok", "", "X-Request-Id", "abc-123").header.Get("X-Request-Id"); id != "abc-123" {
		t.Fatalf("sane request id not kept: %q", id)
	}
	if id := s.do(t, http.MethodGet, "/ok", "", "X-Request-Id", "evil\"id with spaces").header.Get("X-Request-Id"); len(id) != 32 {
		t.Fatalf("unsafe request id kept: %q", id)
	}
}

// testRoutes misbehaves on purpose.
type testRoutes struct{}

func (testRoutes) Register(g *echo.Group) {
	g.GET("/test/panic", func(echo.Context) error { panic("kaboom: secret-panic-detail") })
	g.GET("/test/fail", func(echo.Context) error { return errors.New("secret-internal-detail") })
	g.GET("/test/request-id", func(c echo.Context) error { return c.String(http.StatusOK, rest.RequestID(c.Request().Context())) })
}

func TestInternalErrorsAreEmptyAndLogged(t *testing.T) {
	s := newServer(t, withRoutes(testRoutes{}))
	for _, tc := range []struct{ path, id, secret, msg string }{
		{"/test/panic", "req-panic", "secret-panic-detail", "panic serving request"},
		{"/test/fail", "req-fail", "secret-internal-detail", "internal error serving request"},
	} {
		res := s.do(t, http.MethodGet, tc.path, "", "X-Request-Id", tc.id)
		if res.status != http.StatusInternalServerError || res.body != "" || res.header.Get("Content-Type") != "" {
			t.Fatalf("%s: got %d %q %q, want an empty 500", tc.path, res.status, res.body, res.header.Get("Content-Type"))
		}
		logs := s.logs.String()
		if !strings.Contains(logs, `"request_id":"`+tc.id+`"`) || !strings.Contains(logs, tc.secret) || !strings.Contains(logs, tc.msg) {
			t.Fatalf("%s: not logged with request id: %s", tc.path, logs)
		}
	}
	// The server survived the panic.
	if res := s.do(t, http.MethodGet, "/test/request-id", "", "X-Request-Id", "req-7"); res.body != "req-7" {
		t.Fatalf("request id in context = %q", res.body)
	}
}

func TestExtraMiddlewareOrder(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	mark := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			mu.Lock()
			seen = append(seen, rest.RequestID(c.Request().Context()))
			mu.Unlock()
			if c.Request().Header.Get("X-Panic") != "" {
				panic("in middleware")
			}
			return next(c)
		}
	}
	cfg := rest.Config{BaseURL: mustURL(t, "http://127.0.0.1"), Secrets: [][]byte{secret}}
	e := rest.NewEcho(cfg, nil, []rest.Routes{rest.NewAuthRoutes(cfg, &stubAuth{})}, mark)
	srv := &http.Server{Handler: e, ReadHeaderTimeout: time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	for _, h := range [][2]string{{"X-Request-Id", "mw-1"}, {"X-Panic", "1"}} {
		req, err := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/api/auth/nope", nil)
		must(t, err)
		req.Header.Set(h[0], h[1])
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		_ = res.Body.Close()
		want := http.StatusNotFound // the extra middleware runs before the route gate
		if h[0] == "X-Panic" {
			want = http.StatusInternalServerError
		}
		if res.StatusCode != want {
			t.Fatalf("%s: status %d, want %d", h[0], res.StatusCode, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != "mw-1" || seen[1] == "" {
		t.Fatalf("extra middleware saw request ids %q", seen)
	}
}

// rawRequest writes head (and some body) on a fresh connection and returns
// the status line, without sending the rest of the declared body: a server
// that waited for the whole body would time out.
func rawRequest(t *testing.T, addr, head string, body []byte) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	must(t, err)
	defer conn.Close()
	must(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(conn, head)
	must(t, err)
	_, err = conn.Write(body)
	must(t, err)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	return strings.TrimSpace(line)
}

func TestBodyLimit(t *testing.T) {
	s := newServer(t)
	addr := strings.TrimPrefix(s.url, "http://")
	const tenMB = 10 << 20

	// Refused before reading: the raw request below sends only the start of
	// the declared body, so a server that waited for the rest would never
	// answer and rawRequest's read deadline would fail the test.
	t.Run("declared 10 MB refused before reading", func(t *testing.T) {
		head := fmt.Sprintf("POST /api/auth/sign-up/email HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, tenMB)
		line := rawRequest(t, addr, head, []byte(`{"name":"`))
		if line != "HTTP/1.1 413 Request Entity Too Large" {
			t.Fatalf("status line %q", line)
		}
	})
	t.Run("10 MB name through net/http", func(t *testing.T) {
		res := s.post(t, "/sign-up/email", `{"name":"`+strings.Repeat("x", tenMB)+`","email":"huge@example.com","password":"password123"}`)
		wantError(t, res, http.StatusRequestEntityTooLarge, `{"message":"Request body too large","code":"PAYLOAD_TOO_LARGE"}`)
	})
	t.Run("chunked body cut at the limit", func(t *testing.T) {
		head := fmt.Sprintf("POST /api/auth/sign-up/email HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", addr)
		chunk := fmt.Appendf(nil, "%x\r\n%s\r\n", 100<<10, strings.Repeat("x", 100<<10))
		if line := rawRequest(t, addr, head, chunk); line != "HTTP/1.1 413 Request Entity Too Large" {
			t.Fatalf("status line %q", line)
		}
	})
	t.Run("body and message", func(t *testing.T) {
		res := s.post(t, "/sign-up/email", `{"name":"`+strings.Repeat("x", 65<<10)+`","email":"big@example.com","password":"password123"}`)
		wantError(t, res, http.StatusRequestEntityTooLarge, `{"message":"Request body too large","code":"PAYLOAD_TOO_LARGE"}`)
	})
	t.Run("under the limit", func(t *testing.T) {
		res := s.post(t, "/sign-up/email", `{"name":"Fits","pad":"`+strings.Repeat("x", 60<<10)+`","email":"fits@example.com","password":"password123"}`)
		if res.status != http.StatusOK {
			t.Fatalf("status %d", res.status)
		}
	})
}

// busyAuth fails sign-in as an exhausted password-hash pool does.
type busyAuth struct{ stubAuth }

func (b *busyAuth) SignIn(context.Context, authn.SignInInput) (authn.Authenticated, error) {
	return authn.Authenticated{}, b.err
}

func TestUnavailableIs503WithRetryAfter(t *testing.T) {
	busy := failure.New(failure.Unavailable, "SERVICE_UNAVAILABLE", "Server is busy, try again")
	s := newServer(t, withAuth(&busyAuth{stubAuth{err: fmt.Errorf("verify password: %w", busy)}}))
	res := s.post(t, "/sign-in/email", `{"email":"a@example.com","password":"correct horse"}`)
	wantError(t, res, http.StatusServiceUnavailable, `{"message":"Server is busy, try again","code":"SERVICE_UNAVAILABLE"}`)
	if got := res.header.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After = %q, want 1", got)
	}
	if logs := s.logs.String(); strings.Contains(logs, "internal error") {
		t.Fatalf("an expected overload was logged as an internal error: %s", logs)
	}
}

// reportsErrors calls c.Error itself and returns the error too, as otelecho
// does; the error must still be answered and logged once.
func reportsErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		return err
	}
}

func TestErrorReportedTwiceIsLoggedOnce(t *testing.T) {
	var logs syncBuffer
	cfg := rest.Config{BaseURL: mustURL(t, "http://127.0.0.1"), Secrets: [][]byte{secret}}
	e := rest.NewEcho(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), []rest.Routes{testRoutes{}}, reportsErrors)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/auth/test/fail", nil))
	if rec.Code != http.StatusInternalServerError || rec.Body.Len() != 0 {
		t.Fatalf("got %d %q, want an empty 500", rec.Code, rec.Body.String())
	}
	if n := strings.Count(logs.String(), "internal error serving request"); n != 1 {
		t.Fatalf("logged %d times, want once: %s", n, logs.String())
	}
}

// TestCanceledRequestsAreNotBugs: a request whose client went away is not
// logged as an internal error, and a timed-out one is a 503.
func TestCanceledRequestsAreNotBugs(t *testing.T) {
	var logs syncBuffer
	cfg := rest.Config{BaseURL: mustURL(t, "http://127.0.0.1"), Secrets: [][]byte{secret}}
	e := rest.NewEcho(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), []rest.Routes{contextRoutes{}})
	for path, want := range map[string]int{"/api/auth/test/canceled": 499, "/api/auth/test/deadline": http.StatusServiceUnavailable} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", path, rec.Code, want)
		}
	}
	if strings.Contains(logs.String(), "internal error") {
		t.Fatalf("context errors logged as internal errors: %s", logs.String())
	}
}

type contextRoutes struct{}

func (contextRoutes) Register(g *echo.Group) {
	g.GET("/test/canceled", func(echo.Context) error { return fmt.Errorf("find session: %w", context.Canceled) })
	g.GET("/test/deadline", func(echo.Context) error { return fmt.Errorf("find session: %w", context.DeadlineExceeded) })
}

package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/beep/iam/interfaces/rest"
)

func TestHealthProbes(t *testing.T) {
	t.Parallel()
	ok := rest.ReadinessCheck{Name: "database", Check: func(context.Context) error { return nil }}
	down := rest.ReadinessCheck{Name: "redis", Check: func(context.Context) error { return errors.New("dial tcp: connection refused") }}
	optionalDown := down
	optionalDown.Optional = true
	hang := rest.ReadinessCheck{Name: "database", Check: func(ctx context.Context) error { <-ctx.Done(); time.Sleep(time.Second); return ctx.Err() }}
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })

	tests := []struct {
		name       string
		checks     []rest.ReadinessCheck
		method     string
		path       string
		wantStatus int
		wantBody   map[string]any // nil: not checked
	}{
		{"alive without asking any dependency", []rest.ReadinessCheck{down}, http.MethodGet, "/healthz", 200, map[string]any{"status": "ok"}},
		{"ready", []rest.ReadinessCheck{ok}, http.MethodGet, "/readyz", 200, map[string]any{"status": "ok", "checks": map[string]any{"database": "ok"}}},
		{"not ready when one check fails", []rest.ReadinessCheck{ok, down}, http.MethodGet, "/readyz", 503,
			map[string]any{"status": "unavailable", "checks": map[string]any{"database": "ok", "redis": "unavailable"}}},
		{"a hanging check times out", []rest.ReadinessCheck{hang}, http.MethodGet, "/readyz", 503,
			map[string]any{"status": "unavailable", "checks": map[string]any{"database": "timeout"}}},
		{"HEAD", []rest.ReadinessCheck{ok}, http.MethodHead, "/readyz", 200, nil},
		{"an optional dependency down degrades, stays ready", []rest.ReadinessCheck{ok, optionalDown}, http.MethodGet, "/readyz", 200,
			map[string]any{"status": "degraded", "checks": map[string]any{"database": "ok", "redis": "unavailable"}}},
		{"POST is refused", nil, http.MethodPost, "/healthz", 405, nil},
		{"other paths pass through", nil, http.MethodGet, "/api/auth/ok", http.StatusTeapot, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := rest.NewHealth(tt.checks, 100*time.Millisecond, nil).Wrap(next)
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Errorf("%s %s took %v, want the readiness timeout to bound it", tt.method, tt.path, took)
			}
			if rec.Code != tt.wantStatus {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, rec.Code, rec.Body, tt.wantStatus)
			}
			if rec.Code == 503 && rec.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if tt.wantBody == nil {
				return
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if g, w := probeJSON(t, got), probeJSON(t, tt.wantBody); g != w {
				t.Errorf("body = %s, want %s", g, w)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func probeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

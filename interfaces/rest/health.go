package rest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Probe paths, at the server root (outside /api/auth).
const (
	PathLive  = "/healthz"
	PathReady = "/readyz"
)

// DefaultReadinessTimeout bounds each readiness check.
const DefaultReadinessTimeout = time.Second

// ReadinessCheck is one dependency /readyz asks about: the database, Redis.
// Check returns nil when the dependency can serve; it is given a context
// that ends after the readiness timeout.
type ReadinessCheck struct {
	Name  string
	Check func(ctx context.Context) error
	// Optional marks a dependency the node can serve without (Redis: limits
	// fall back to memory, sessions to the database). Its failure shows in
	// the body and turns the status to "degraded", but the answer stays
	// 200: one Redis outage must not take every node out of rotation.
	Optional bool
}

// Health answers the orchestrator's probes:
//
//   - GET /healthz: the process is alive. 200 {"status":"ok"}, touching no
//     dependency, so a database outage never gets a healthy node killed.
//   - GET /readyz: the node can serve. Every check runs concurrently, each
//     bounded by the readiness timeout; 200 {"status":"ok","checks":{…}}
//     when all pass, else 503 {"status":"unavailable","checks":{…}} with
//     Retry-After. A check's value is "ok", "unavailable" or "timeout";
//     the error itself is logged, never sent.
//
// The probes sit in front of the echo server (Wrap): no request id,
// tracing, rate limit, origin check or session loading, so that a
// load balancer polling every second costs one ping and no spans, and a
// rate limit can never make a healthy node look dead.
type Health struct {
	checks  []ReadinessCheck
	timeout time.Duration
	logger  *slog.Logger
}

// NewHealth returns the probes over checks; a timeout ≤ 0 means
// DefaultReadinessTimeout.
func NewHealth(checks []ReadinessCheck, timeout time.Duration, logger *slog.Logger) *Health {
	if timeout <= 0 {
		timeout = DefaultReadinessTimeout
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Health{checks: checks, timeout: timeout, logger: logger}
}

// Wrap serves the probe paths and hands every other request to next.
func (h *Health) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case PathLive, PathReady:
		default:
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == PathLive {
			writeProbe(w, r, http.StatusOK, probeBody{Status: "ok"})
			return
		}
		h.ready(w, r)
	})
}

// probeBody is the JSON of both probes.
type probeBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Check results.
const (
	checkOK          = "ok"
	checkUnavailable = "unavailable"
	checkTimeout     = "timeout"
)

func (h *Health) ready(w http.ResponseWriter, r *http.Request) {
	results := h.Run(r.Context())
	status, body := http.StatusOK, probeBody{Status: "ok", Checks: results}
	for _, c := range h.checks {
		switch {
		case results[c.Name] == checkOK:
		case c.Optional:
			if body.Status == "ok" {
				body.Status = "degraded"
			}
		default:
			status, body.Status = http.StatusServiceUnavailable, "unavailable"
			w.Header().Set("Retry-After", retryAfterUnavailable)
		}
	}
	writeProbe(w, r, status, body)
}

// Run runs every check concurrently and returns each one's result by name:
// "ok", "unavailable" or "timeout".
func (h *Health) Run(ctx context.Context) map[string]string {
	results := make(map[string]string, len(h.checks))
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, c := range h.checks {
		wg.Go(func() {
			res := h.run(ctx, c)
			mu.Lock()
			results[c.Name] = res
			mu.Unlock()
		})
	}
	wg.Wait()
	return results
}

func (h *Health) run(ctx context.Context, c ReadinessCheck) string {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	// The check runs beside the timer, so that one ignoring its context
	// cannot hold the probe past the timeout.
	done := make(chan error, 1)
	go func() { done <- c.Check(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	switch {
	case err == nil:
		return checkOK
	case ctx.Err() != nil:
		h.logger.WarnContext(ctx, "readiness check timed out", slog.String("check", c.Name), slog.Duration("timeout", h.timeout), slog.Any("error", err))
		return checkTimeout
	default:
		h.logger.WarnContext(ctx, "readiness check failed", slog.String("check", c.Name), slog.Any("error", err))
		return checkUnavailable
	}
}

func writeProbe(w http.ResponseWriter, r *http.Request, status int, body probeBody) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_ = json.NewEncoder(w).Encode(body)
}

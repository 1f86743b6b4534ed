package module_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx/fxtest"
)

// outageServer is iamd (the graph that ships) on db.
type outageServer struct {
	base   string
	client *http.Client
}

func startOutageServer(t *testing.T, databaseURL string, env map[string]string) *outageServer {
	t.Helper()
	addr := freeAddr(t)
	all := map[string]string{
		"HTTP_ADDR":    addr,
		"DATABASE_URL": databaseURL,
		// Every get-session reads the database: no cookie cache.
		"SESSION_COOKIE_CACHE_MAX_AGE": "0",
		"SESSION_CACHE_TTL":            "0", // nor the server-side session cache
		"RATE_LIMIT_ENABLED":           "false",
	}
	for k, v := range env {
		all[k] = v
	}
	app := fxtest.New(t, graph(testConfig(t, all)))
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return &outageServer{
		base: "http://" + addr,
		// Far above the 2 s the server has: a hang shows as a client
		// error, not as a slow 503.
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}},
	}
}

// result is one answer the load saw.
type result struct {
	op      string
	start   time.Time
	took    time.Duration
	status  int // 0: no answer (err)
	err     error
	body    string
	retryAf string
}

func (s *outageServer) do(op, method, path, body, cookie string) result {
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", s.base)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	r := result{op: op, start: time.Now()}
	resp, err := s.client.Do(req)
	r.took = time.Since(r.start)
	if err != nil {
		r.err = err
		return r
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r.status, r.body, r.retryAf = resp.StatusCode, string(raw), resp.Header.Get("Retry-After")
	return r
}

// signUp creates a user and returns its session cookie.
func (s *outageServer) signUp(t *testing.T, email, password string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/api/auth/sign-up/email",
		strings.NewReader(fmt.Sprintf(`{"name":"Load","email":%q,"password":%q}`, email, password)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", s.base)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-up: %d %s", resp.StatusCode, raw)
	}
	var cookies []string
	for _, c := range resp.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return strings.Join(cookies, "; ")
}

// TestDatabaseOutage stops PostgreSQL for 10 s under load (get-session,
// which reads the session from the database, and sign-in), then starts it
// again, all with one server process: every answer that starts while the
// database is down is a 503 {code: SERVICE_UNAVAILABLE} with Retry-After
// within 2 s (or a 200, should a cache serve it), nothing is ever a 500 or
// a hang, /healthz stays 200 and /readyz follows the database, and both
// routes answer 200 again within 10 s of PostgreSQL's return.
func TestDatabaseOutage(t *testing.T) {
	pg := newPGCluster(t)
	s := startOutageServer(t, pg.url(), map[string]string{"JANITOR_INTERVAL": "1"})
	const email, password = "outage@example.com", "correct horse battery"
	cookie := s.signUp(t, email, password)
	signIn := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	ops := map[string]func() result{
		"get-session": func() result { return s.do("get-session", http.MethodGet, "/api/auth/get-session", "", cookie) },
		"sign-in":     func() result { return s.do("sign-in", http.MethodPost, "/api/auth/sign-in/email", signIn, "") },
		"readyz":      func() result { return s.do("readyz", http.MethodGet, "/readyz", "", "") },
		"healthz":     func() result { return s.do("healthz", http.MethodGet, "/healthz", "", "") },
	}
	workers := map[string]int{"get-session": 3, "sign-in": 2, "readyz": 1, "healthz": 1}

	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	for op, n := range workers {
		for range n {
			wg.Go(func() {
				for ctx.Err() == nil {
					r := ops[op]()
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
					time.Sleep(20 * time.Millisecond)
				}
			})
		}
	}

	time.Sleep(2 * time.Second)
	if err := pg.stop(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	t.Logf("PostgreSQL stopped")
	time.Sleep(10 * time.Second)
	upFrom := time.Now()
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	t.Logf("PostgreSQL started again after %v", up.Sub(down).Round(time.Millisecond))

	// Load until each database-backed route has answered 200 again, for
	// at most 10 s after PostgreSQL accepts connections.
	recovered := map[string]time.Duration{}
	deadline := up.Add(10 * time.Second)
	for time.Now().Before(deadline) && len(recovered) < 3 {
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		for _, r := range results {
			if _, ok := recovered[r.op]; !ok && r.op != "healthz" && r.start.After(up) && r.status == http.StatusOK {
				recovered[r.op] = r.start.Add(r.took).Sub(up)
			}
		}
		mu.Unlock()
	}
	stopLoad()
	wg.Wait()

	counts := map[string]map[int]int{}
	var slowest time.Duration
	for _, r := range results {
		if counts[r.op] == nil {
			counts[r.op] = map[int]int{}
		}
		counts[r.op][r.status]++
		during := r.start.After(down) && r.start.Before(upFrom)
		if during {
			slowest = max(slowest, r.took)
		}
		switch {
		case r.err != nil:
			t.Errorf("%s at %v: no answer after %v: %v", r.op, r.start.Sub(down).Round(time.Millisecond), r.took, r.err)
		case r.status >= 500 && r.status != http.StatusServiceUnavailable:
			t.Errorf("%s at %v: %d %s", r.op, r.start.Sub(down).Round(time.Millisecond), r.status, r.body)
		case r.op == "healthz" && r.status != http.StatusOK:
			t.Errorf("healthz: %d %s, want 200 whatever the database", r.status, r.body)
		case during && r.status != http.StatusOK && r.status != http.StatusServiceUnavailable:
			t.Errorf("%s during the outage: %d %s, want 503 (or a cached 200)", r.op, r.status, r.body)
		case during && r.took > 2*time.Second:
			t.Errorf("%s during the outage took %v, want an answer within 2 s", r.op, r.took)
		}
		if r.status == http.StatusServiceUnavailable {
			if r.retryAf == "" {
				t.Errorf("%s: 503 without Retry-After", r.op)
			}
			if r.op != "readyz" && !strings.Contains(r.body, `"code":"SERVICE_UNAVAILABLE"`) {
				t.Errorf("%s: 503 body %s, want code SERVICE_UNAVAILABLE", r.op, r.body)
			}
		}
	}
	t.Logf("answers by route and status: %v; slowest answer during the outage %v; back to 200 after %v", counts, slowest, recovered)
	for _, op := range []string{"get-session", "sign-in", "readyz"} {
		if counts[op][http.StatusServiceUnavailable] == 0 {
			t.Errorf("%s never answered 503: did the outage happen?", op)
		}
		if _, ok := recovered[op]; !ok {
			t.Errorf("%s did not answer 200 within 10 s of PostgreSQL's return", op)
		}
	}
}

// TestSignInStorm sends 200 concurrent sign-ins (right and wrong
// passwords, known and unknown addresses) at one server: every answer is
// 200, 401, 429 or 503 (the hash pool shedding load), and the process
// stays far below 1 GiB.
func TestSignInStorm(t *testing.T) {
	databaseURL := "sqlite:" + t.TempDir() + "/iam.db"
	if base := os.Getenv("IAM_TEST_POSTGRES_URL"); base != "" {
		databaseURL = postgresSchemaURL(t, base)
	} else if os.Getenv("IAM_TEST_REQUIRE_POSTGRES") == "1" {
		t.Fatal("IAM_TEST_REQUIRE_POSTGRES=1 but IAM_TEST_POSTGRES_URL is unset")
	}
	s := startOutageServer(t, databaseURL, nil)
	const users, storm = 20, 200
	for i := range users {
		s.signUp(t, fmt.Sprintf("storm%d@example.com", i), "correct horse battery")
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		counts  = map[int]int{}
		peak    uint64
		stopped = make(chan struct{})
	)
	// Sample the heap while the storm runs.
	sampler := make(chan struct{})
	go func() {
		defer close(sampler)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.Sys)
			select {
			case <-stopped:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	gate := make(chan struct{})
	for i := range storm {
		wg.Go(func() {
			<-gate
			password := "correct horse battery"
			if i%3 == 0 {
				password = "wrong horse battery"
			}
			email := fmt.Sprintf("storm%d@example.com", i%(users+5)) // some unknown
			r := s.do("sign-in", http.MethodPost, "/api/auth/sign-in/email", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password), "")
			mu.Lock()
			defer mu.Unlock()
			if r.err != nil {
				t.Errorf("sign-in: no answer: %v", r.err)
				return
			}
			counts[r.status]++
			switch r.status {
			case http.StatusOK, http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable:
			default:
				t.Errorf("sign-in: %d %s, want 200, 401, 429 or 503", r.status, r.body)
			}
		})
	}
	close(gate)
	wg.Wait()
	close(stopped)
	<-sampler
	rss := peakRSS()
	t.Logf("200 concurrent sign-ins: %v; Go runtime memory %d MiB before, peak %d MiB; process peak RSS %d MiB",
		counts, before.Sys>>20, peak>>20, rss>>20)
	const limit = 1 << 30
	if peak >= limit || rss >= limit {
		t.Fatalf("memory peaked at %d MiB (runtime) / %d MiB (RSS), want under 1 GiB", peak>>20, rss>>20)
	}
}

// peakRSS is the process's high-water resident set (Linux VmHWM), or 0.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Command authbench measures Beep IAM against the machine's own ceiling:
// first the password-hash throughput of this machine (scrypt as better-auth
// uses it, and argon2id at OWASP's m=19 MiB, t=2, p=1), then sign-in and
// get-session throughput and latency percentiles against a running server at
// concurrency 1, 16 and 64. Sign-in cannot beat the ceiling of the
// server's algorithm (argon2id by default); the gap is the server's
// overhead. get-session is measured from the cookie cache, from the
// database and with a bearer token.
//
//	authbench -url http://127.0.0.1:3000 [-duration 5s]
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:3000", "server base URL")
	dur := flag.Duration("duration", 5*time.Second, "duration of each load step")
	flag.Parse()

	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d)\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Println("hash ceilings (all CPUs busy):")
	ceiling("scrypt N=16384 r=16 p=1 (better-auth)", *dur, func(salt []byte) {
		_, _ = scrypt.Key([]byte("correct horse battery staple"), salt, 16384, 16, 1, 64)
	})
	ceiling("argon2id m=19MiB t=2 p=1 (OWASP)", *dur, func(salt []byte) {
		_ = argon2.IDKey([]byte("correct horse battery staple"), salt, 2, 19*1024, 1, 32)
	})

	c := &client{base: *base + "/api/auth", http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	email := fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano())
	auth, err := c.signUp(email)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sign-up:", err)
		os.Exit(1)
	}
	fmt.Printf("\nserver %s:\n", *base)
	fmt.Printf("%-28s %5s %10s %10s %10s %8s\n", "endpoint", "conc", "req/s", "p50", "p99", "errors")
	for _, conc := range []int{1, 16, 64} {
		load("sign-in", conc, *dur, func() error { _, err := c.signIn(email); return err })
	}
	steps := []struct {
		name string
		call func() error
	}{
		{"get-session (cookie cache)", func() error { return c.getSession("", auth.cookies, "") }},
		{"get-session (database)", func() error { return c.getSession("?disableCookieCache=true", auth.cookies, "") }},
		{"get-session (bearer)", func() error { return c.getSession("", nil, auth.bearer) }},
	}
	for _, st := range steps {
		for _, conc := range []int{1, 16, 64} {
			load(st.name, conc, *dur, st.call)
		}
	}
}

// credentials are what a sign-up hands a client: browser cookies and the
// bearer token of REST clients.
type credentials struct {
	cookies []*http.Cookie
	bearer  string
}

func ceiling(name string, d time.Duration, hash func(salt []byte)) {
	var n atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			salt := make([]byte, 32)
			for ctx.Err() == nil {
				_, _ = rand.Read(salt)
				hash(salt)
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("  %-40s %8.1f hashes/s  (%.1f ms each on one core)\n", name, float64(n.Load())/el.Seconds(), el.Seconds()*1000*float64(runtime.GOMAXPROCS(0))/float64(n.Load()))
}

func load(name string, conc int, d time.Duration, call func() error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t := time.Now()
				if err := call(); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	fmt.Printf("%-28s %5d %10.1f %10s %10s %8d\n", name, conc, float64(len(lat))/el.Seconds(), pct(lat, 0.50), pct(lat, 0.99), errs.Load())
}

func pct(s []time.Duration, p float64) string {
	if len(s) == 0 {
		return "-"
	}
	return s[int(float64(len(s)-1)*p)].Round(10 * time.Microsecond).String()
}

type client struct {
	base string
	http *http.Client
}

func (c *client) post(path string, body any) (*http.Response, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.http.Do(req)
}

func (c *client) signUp(email string) (credentials, error) {
	resp, err := c.post("/sign-up/email", map[string]any{"name": "Bench", "email": email, "password": "correct horse battery staple"})
	if err != nil {
		return credentials{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return credentials{}, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	cr := credentials{cookies: resp.Cookies(), bearer: resp.Header.Get("Set-Auth-Token")}
	if len(cr.cookies) == 0 || cr.bearer == "" {
		return credentials{}, fmt.Errorf("sign-up set no session cookie or set-auth-token")
	}
	return cr, nil
}

func (c *client) signIn(email string) (*http.Cookie, error) {
	resp, err := c.post("/sign-in/email", map[string]any{"email": email, "password": "correct horse battery staple"})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil, nil
}

func (c *client) getSession(query string, cookies []*http.Cookie, bearer string) error {
	req, _ := http.NewRequest(http.MethodGet, c.base+"/get-session"+query, nil)
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || bytes.Equal(b, []byte("null")) {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return nil
}

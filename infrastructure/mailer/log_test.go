package mailer_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/beep/iam/infrastructure/mailer"
)

// logLine is what a test reads back from the Log's JSON file.
type logLine struct {
	Time           string   `json:"time"`
	To             string   `json:"to"`
	Subject        string   `json:"subject"`
	Links          []string `json:"links"`
	Text           string   `json:"text"`
	HTML           string   `json:"html"`
	IdempotencyKey string   `json:"idempotencyKey"`
}

func readLogLines(t *testing.T, file string) []logLine {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("open the log file: %v", err)
	}
	defer f.Close()
	var lines []logLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("log line %d is not JSON: %v\n%s", len(lines)+1, err, sc.Text())
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read the log file: %v", err)
	}
	return lines
}

func TestLogWritesASummaryAndJSONLines(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	file := filepath.Join(t.TempDir(), "mail.jsonl")
	l := mailer.NewLog(&out, file)
	e := rendered(t, "alice@example.com", "outbox-1")

	id, err := l.Send(context.Background(), e)
	if err != nil || id != "log-outbox-1" {
		t.Fatalf("Send = %q, %v; want log-outbox-1, no error", id, err)
	}
	for _, want := range []string{"alice@example.com", e.Subject, "link: " + link + "\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}

	lines := readLogLines(t, file)
	if len(lines) != 1 {
		t.Fatalf("log file has %d lines, want 1", len(lines))
	}
	got := lines[0]
	if got.To != e.To || got.Subject != e.Subject || got.Text != e.Text || got.HTML != e.HTML ||
		got.IdempotencyKey != "outbox-1" || got.Time == "" {
		t.Errorf("log line = %+v, want the email as sent, with a time", got)
	}
	if len(got.Links) != 1 || got.Links[0] != link || !strings.Contains(got.Text, link) {
		t.Errorf("log line links = %q, want [%q], also in the text", got.Links, link)
	}

	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("log file mode = %v, want 0600: it holds live tokens", perm)
	}
}

func TestLogIsSafeForConcurrentSends(t *testing.T) {
	t.Parallel()
	// bytes.Buffer is not safe for concurrent writes: -race catches a Log
	// that does not serialise them.
	var out bytes.Buffer
	file := filepath.Join(t.TempDir(), "mail.jsonl")
	l := mailer.NewLog(&out, file)
	const n = 40
	emails := make([]mailer.Email, n)
	for i := range emails {
		emails[i] = rendered(t, fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("outbox-%d", i))
	}
	var wg sync.WaitGroup
	for i, e := range emails {
		wg.Go(func() {
			if _, err := l.Send(context.Background(), e); err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
		})
	}
	wg.Wait()

	lines := readLogLines(t, file)
	if len(lines) != n {
		t.Fatalf("log file has %d lines, want %d", len(lines), n)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		seen[l.IdempotencyKey] = true
	}
	if len(seen) != n {
		t.Errorf("log file has %d distinct emails, want %d", len(seen), n)
	}
	if got := strings.Count(out.String(), "mail to "); got != n {
		t.Errorf("summary has %d emails, want %d", got, n)
	}
}

func TestLogWithoutFile(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := mailer.NewLog(&out, "")
	e := rendered(t, "alice@example.com", "outbox-1")
	e.Subject = "Eve \x1b[31m invited you"
	if _, err := l.Send(context.Background(), e); err != nil {
		t.Fatalf("Send = %v", err)
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("summary passes a terminal escape through: %q", out.String())
	}
}

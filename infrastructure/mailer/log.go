package mailer

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Log is the development transport: it delivers nothing, but shows each
// email where a developer looks. It writes a short summary (recipient,
// subject, links) to a writer, and, when given a file, appends the whole
// email to it as one JSON object per line for scripts and end-to-end tests
// to read. It is safe for concurrent use.
type Log struct {
	w    io.Writer
	file string

	// mu keeps each email's summary and its JSON line whole and in the
	// same order in both outputs.
	mu sync.Mutex
}

var _ Transport = (*Log)(nil)

// NewLog returns a Log writing summaries to w (nil: none) and, when file is
// not empty, JSON lines to file, created with mode 0600 because the emails
// hold live tokens.
func NewLog(w io.Writer, file string) *Log {
	if w == nil {
		w = io.Discard
	}
	return &Log{w: w, file: file}
}

// logRecord is one line of the JSON file.
type logRecord struct {
	Time           time.Time `json:"time"`
	From           string    `json:"from,omitempty"`
	To             string    `json:"to"`
	Subject        string    `json:"subject"`
	Links          []string  `json:"links,omitempty"`
	Text           string    `json:"text"`
	HTML           string    `json:"html"`
	IdempotencyKey string    `json:"idempotencyKey"`
}

// Send writes e and returns "log-" plus its idempotency key.
func (l *Log) Send(ctx context.Context, e Email) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	links := actionLinks(e.HTML)
	var summary strings.Builder
	// Quoted: the subject may carry an inviter's or organization's name,
	// and a terminal should not interpret their control characters.
	fmt.Fprintf(&summary, "mail to %s: %s\n", strconv.Quote(e.To), strconv.Quote(e.Subject))
	for _, link := range links {
		fmt.Fprintf(&summary, "  link: %s\n", link)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.WriteString(l.w, summary.String()); err != nil {
		return "", fmt.Errorf("log mailer: %w", err)
	}
	if l.file != "" {
		line, err := json.Marshal(logRecord{
			Time: time.Now().UTC(), From: e.From, To: e.To, Subject: e.Subject,
			Links: links, Text: e.Text, HTML: e.HTML, IdempotencyKey: e.IdempotencyKey,
		})
		if err != nil {
			return "", fmt.Errorf("log mailer: %w", err)
		}
		if err := appendLine(l.file, line); err != nil {
			return "", fmt.Errorf("log mailer: %w", err)
		}
	}
	return "log-" + e.IdempotencyKey, nil
}

// appendLine opens the file for each email rather than once, so deleting
// the file between runs of a test script simply starts a new one, and one
// write call per line keeps lines whole even with other appenders.
func appendLine(name string, line []byte) (err error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = f.Write(append(line, '\n'))
	return err
}

// hrefPattern finds the links of a rendered email. Only the templates can
// produce an href attribute: html/template escapes every quote and angle
// bracket of user values, so `href="` never comes from a name.
var hrefPattern = regexp.MustCompile(`href="([^"]*)"`)

// actionLinks returns the distinct links of an HTML body, in order.
func actionLinks(body string) []string {
	var links []string
	for _, m := range hrefPattern.FindAllStringSubmatch(body, -1) {
		link := html.UnescapeString(m[1])
		if !slices.Contains(links, link) {
			links = append(links, link)
		}
	}
	return links
}

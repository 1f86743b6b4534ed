package oauthtest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/beep/iam/infrastructure/oauth"
)

// Request is one request the fake received, as it arrived.
type Request struct {
	Kind     oauth.Kind
	Endpoint Endpoint
	Method   string
	Path     string
	Query    url.Values
	Header   http.Header
	// Form is the parsed body of a form POST (nil otherwise).
	Form url.Values
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests received by kind's endpoint, oldest
// first.
func (s *Server) RequestsTo(kind oauth.Kind, ep Endpoint) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Kind == kind && r.Endpoint == ep {
			out = append(out, r)
		}
	}
	return out
}

// record keeps a copy of r, leaving its body readable.
func (s *Server) record(kind oauth.Kind, ep Endpoint, r *http.Request) {
	rec := Request{Kind: kind, Endpoint: ep, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	if r.Body != nil && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec.Form, _ = url.ParseQuery(string(body))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
}

package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds every response body a provider sends us, the size
// x/oauth2 itself reads of a token response.
const maxBody = 1 << 20

// userAgent identifies Beep to providers; GitHub refuses requests without one.
const userAgent = "beep-iam"

// errBodyTooLarge is a provider answer over maxBody.
var errBodyTooLarge = errors.New("response body over 1 MiB")

// statusError is a provider's 5xx answer, raised by guard as a transport
// error so that every caller (x/oauth2, go-oidc, our own requests) sees an
// outage the same way: a *url.Error from http.Client.Do.
type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("provider answered %d", e.status) }

// guard is the RoundTripper under every provider request: it sets the
// User-Agent (and an Accept header when asked), bounds the response body,
// and turns 5xx answers into errors.
type guard struct {
	base   http.RoundTripper
	accept string
}

func (g guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("User-Agent") == "" || (g.accept != "" && r.Header.Get("Accept") == "") {
		r = r.Clone(r.Context())
		if r.Header.Get("User-Agent") == "" {
			r.Header.Set("User-Agent", userAgent)
		}
		if g.accept != "" && r.Header.Get("Accept") == "" {
			r.Header.Set("Accept", g.accept)
		}
	}
	resp, err := g.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return nil, &statusError{status: resp.StatusCode}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxBody}
	return resp, nil
}

// limitedBody fails a read past its limit instead of truncating silently.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// formParams adds fields to a form-encoded request body. x/oauth2 has no
// hook for extra refresh parameters, and Microsoft's refresh carries scope.
type formParams struct {
	base  http.RoundTripper
	extra url.Values
}

func (t formParams) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		return t.base.RoundTrip(r)
	}
	raw, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, err
	}
	for k, vs := range t.extra {
		form[k] = vs
	}
	body := []byte(form.Encode())
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
	return t.base.RoundTrip(r)
}

// derive returns a copy of base whose transport is wrapped by wrap, which
// never follows redirects (better-auth refuses them too) and keeps no
// cookies.
func derive(base *http.Client, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	c := *base
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = wrap(rt)
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// clients are a provider's two HTTP clients: api for user info, keys and
// discovery; token for the token endpoint, which asks for JSON (GitHub
// answers form-encoded otherwise).
type clients struct {
	api, token *http.Client
}

func newClients(base *http.Client) clients {
	return clients{
		api:   derive(base, func(rt http.RoundTripper) http.RoundTripper { return guard{base: rt} }),
		token: derive(base, func(rt http.RoundTripper) http.RoundTripper { return guard{base: rt, accept: "application/json"} }),
	}
}

// getJSON GETs endpoint with the bearer token and decodes the answer into
// into (numbers as json.Number, so ids keep every digit). A 3xx or 4xx is
// ErrProviderRejected; anything that stops an answer is Unavailable.
func getJSON(ctx context.Context, c *http.Client, op, endpoint, accessToken string, header http.Header, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return unavailable(op, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return unavailable(op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return unavailable(op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return rejected(op, fmt.Errorf("status %d%s", resp.StatusCode, oauthErrorDetail(body)))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return unavailable(op, fmt.Errorf("decode answer: %w", err))
	}
	return nil
}

// getBytes GETs endpoint with the bearer token and returns the body of a
// 2xx answer.
func getBytes(ctx context.Context, c *http.Client, op, endpoint, accessToken string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, unavailable(op, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := c.Do(req)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, unavailable(op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, rejected(op, fmt.Errorf("status %d", resp.StatusCode))
	}
	return body, nil
}

// oauthErrorDetail is ` error "x": description` from an OAuth-style error
// body, bounded, or "" when the body is not one.
func oauthErrorDetail(body []byte) string {
	var e struct {
		Error            any    `json:"error"`
		ErrorDescription string `json:"error_description"`
		Message          string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	code, _ := e.Error.(string)
	desc := e.ErrorDescription
	if desc == "" {
		desc = e.Message
	}
	return errorDetail(code, desc)
}

func errorDetail(code, desc string) string {
	var b strings.Builder
	if code != "" {
		fmt.Fprintf(&b, " error %q", bounded(code, 64))
	}
	if desc != "" {
		fmt.Fprintf(&b, ": %q", bounded(desc, 200))
	}
	return b.String()
}

func bounded(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

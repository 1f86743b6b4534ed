package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// Media types an endpoint accepts, in better-call's order (the 415 message
// lists them).
var (
	mediaJSON       = []string{"application/json"}
	mediaFormOrJSON = []string{"application/x-www-form-urlencoded", "application/json"}
)

// maxJSONDepth bounds nesting in request bodies; auth bodies are flat.
const maxJSONDepth = 32

// kind is the type of a decoded value, named as zod names it in
// "expected string, received number".
type kind uint8

const (
	kindUndefined kind = iota
	kindNull
	kindString
	kindNumber
	kindBoolean
	kindArray
	kindObject
)

var kindNames = [...]string{"undefined", "null", "string", "number", "boolean", "array", "object"}

func (k kind) String() string { return kindNames[k] }

// value is one decoded JSON or form value: its kind, its scalar content
// where the edge needs it, and its JavaScript truthiness.
type value struct {
	kind    kind
	str     string
	boolean bool
	truthy  bool
	// raw is the JSON text of an object or array, for the endpoints whose
	// fields nest (organization update, has-permission, metadata); it has
	// passed the same checks as the rest of the body.
	raw []byte
}

// requestBody is a decoded body. Fields holds the top-level members when the
// body is an object; kind undefined means there was no body at all.
type requestBody struct {
	kind   kind
	fields map[string]value
}

// readBody decodes the request body as better-call does: no body is
// "undefined" whatever the content type; otherwise the content type must be
// one of allowed (415), JSON must parse (400 BAD_REQUEST), and forms decode
// to string fields. Beyond better-call, bodies must be valid UTF-8 and hold
// no duplicate keys and no NUL characters (400 VALIDATION_ERROR).
func readBody(r *http.Request, allowed []string) (requestBody, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return requestBody{}, nil
	}
	contentType := header(r, "Content-Type")
	mediaType := strings.TrimSpace(strings.ToLower(strings.SplitN(contentType, ";", 2)[0]))
	if !slices.Contains(allowed, mediaType) {
		return requestBody{}, unsupportedMediaType(contentType, allowed)
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return requestBody{}, errTooLarge
		}
		return requestBody{}, fmt.Errorf("read request body: %w", err)
	}
	if len(raw) == 0 {
		return requestBody{}, nil
	}
	if mediaType == "application/json" {
		return decodeJSON(raw)
	}
	return decodeForm(raw)
}

func unsupportedMediaType(contentType string, allowed []string) *apiError {
	list := strings.Join(allowed, ", ")
	msg := fmt.Sprintf("Content-Type %q is not allowed. Allowed types: %s", contentType, list)
	if contentType == "" {
		msg = "Content-Type is required. Allowed types: " + list
	}
	return &apiError{status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", message: msg}
}

// decodeJSON walks the body token by token. Any syntax error is "Invalid
// JSON" (JSON.parse fails first in better-call); hardening issues found on
// the way are reported only for bodies that parse.
func decodeJSON(raw []byte) (requestBody, error) {
	if !utf8.Valid(raw) {
		return requestBody{}, validationError("[body] Invalid input: expected UTF-8 text")
	}
	s := &jsonScan{src: raw, dec: json.NewDecoder(bytes.NewReader(raw))}
	s.dec.UseNumber()
	b := requestBody{fields: map[string]value{}}
	top, err := s.value("body", 0, b.fields)
	if err != nil {
		return requestBody{}, err
	}
	if _, err := s.dec.Token(); err != io.EOF {
		return requestBody{}, errInvalidJSON // trailing data
	}
	if len(s.issues) > 0 {
		return requestBody{}, validationError(strings.Join(s.issues, "; "))
	}
	b.kind = top.kind
	if top.kind != kindObject {
		b.fields = nil
	}
	return b, nil
}

type jsonScan struct {
	src    []byte
	dec    *json.Decoder
	issues []string
}

func (s *jsonScan) issue(path, msg string) {
	s.issues = append(s.issues, "["+path+"] Invalid input: "+msg)
}

// value reads one value at path. When fields is not nil and the value is an
// object, its members are recorded there.
func (s *jsonScan) value(path string, depth int, fields map[string]value) (value, error) {
	start := s.dec.InputOffset()
	tok, err := s.dec.Token()
	if err != nil {
		return value{}, errInvalidJSON
	}
	switch t := tok.(type) {
	case json.Delim:
		if t != '{' && t != '[' {
			return value{}, errInvalidJSON
		}
		if depth >= maxJSONDepth {
			return value{}, validationError("[" + path + "] Invalid input: nested too deeply")
		}
		if t == '{' {
			err := s.object(path, depth+1, fields)
			return value{kind: kindObject, truthy: true, raw: s.since(start)}, err
		}
		for i := 0; s.dec.More(); i++ {
			if _, err := s.value(fmt.Sprintf("%s.%d", path, i), depth+1, nil); err != nil {
				return value{}, err
			}
		}
		err := s.closing()
		return value{kind: kindArray, truthy: true, raw: s.since(start)}, err
	case string:
		if strings.ContainsRune(t, 0) {
			s.issue(path, "string contains a NUL character")
		}
		return value{kind: kindString, str: t, truthy: t != ""}, nil
	case json.Number:
		f, _ := t.Float64() // out of range is ±Inf, which is truthy as in JavaScript
		return value{kind: kindNumber, truthy: f != 0}, nil
	case bool:
		return value{kind: kindBoolean, boolean: t, truthy: t}, nil
	case nil:
		return value{kind: kindNull}, nil
	}
	return value{}, errInvalidJSON
}

// since is the source text from offset start (before the separators that
// precede a value) to the decoder's position.
func (s *jsonScan) since(start int64) []byte {
	return bytes.TrimLeft(s.src[start:s.dec.InputOffset()], " \t\r\n:,")
}

func (s *jsonScan) object(path string, depth int, fields map[string]value) error {
	seen := map[string]bool{}
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return errInvalidJSON
		}
		key, ok := tok.(string)
		if !ok {
			return errInvalidJSON
		}
		at := path + "." + key
		if strings.ContainsRune(key, 0) {
			s.issue(at, "key contains a NUL character")
		}
		dup := seen[key]
		if dup {
			s.issue(at, "duplicate key")
		}
		seen[key] = true
		v, err := s.value(at, depth, nil)
		if err != nil {
			return err
		}
		if fields != nil && !dup {
			fields[key] = v
		}
	}
	return s.closing()
}

// closing consumes the '}' or ']' that ends a container.
func (s *jsonScan) closing() error {
	if _, err := s.dec.Token(); err != nil {
		return errInvalidJSON
	}
	return nil
}

// decodeForm decodes application/x-www-form-urlencoded as the WHATWG URL
// standard does ('+' is a space, malformed escapes stay literal), into
// string fields.
func decodeForm(raw []byte) (requestBody, error) {
	b := requestBody{kind: kindObject, fields: map[string]value{}}
	var issues []string
	for pair := range strings.SplitSeq(string(raw), "&") {
		if pair == "" {
			continue
		}
		name, val, _ := strings.Cut(pair, "=")
		name, val = formUnescape(name), formUnescape(val)
		path := "body." + name
		switch {
		case !utf8.ValidString(name) || !utf8.ValidString(val):
			issues = append(issues, "["+path+"] Invalid input: expected UTF-8 text")
			continue
		case strings.ContainsRune(name, 0) || strings.ContainsRune(val, 0):
			issues = append(issues, "["+path+"] Invalid input: string contains a NUL character")
			continue
		}
		if _, dup := b.fields[name]; dup {
			issues = append(issues, "["+path+"] Invalid input: duplicate key")
			continue
		}
		b.fields[name] = value{kind: kindString, str: val, truthy: val != ""}
	}
	if len(issues) > 0 {
		return requestBody{}, validationError(strings.Join(issues, "; "))
	}
	return b, nil
}

func formUnescape(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

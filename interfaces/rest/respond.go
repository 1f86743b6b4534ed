package rest

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

// writeJSON sends v as better-auth does: JSON.stringify output with
// "content-type: application/json".
func writeJSON(c echo.Context, status int, v any) error {
	b, err := jsonStringify(v)
	if err != nil {
		return err
	}
	return c.Blob(status, echo.MIMEApplicationJSON, b)
}

// writeNull sends the literal JSON null (ctx.json(null) in better-auth).
func writeNull(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte("null"))
}

// jsonStringify marshals v to the bytes JavaScript's JSON.stringify writes
// for the same value: compact, HTML characters and U+2028/U+2029 left
// unescaped. Signed JSON (the cookie cache) depends on it: a JavaScript
// verifier re-stringifies what it parsed and must get the signed bytes.
func jsonStringify(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if !bytes.Contains(b, []byte(`\u202`)) {
		return b, nil
	}
	return unescapeLineSeparators(b), nil
}

// unescapeLineSeparators turns Go's \u2028 and \u2029 escapes back into
// the characters, skipping over other escapes so an escaped backslash
// followed by "u2028" is left alone.
func unescapeLineSeparators(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			switch string(b[i+2 : i+6]) {
			case "2028":
				out = append(out, "\u2028"...)
				i += 5
				continue
			case "2029":
				out = append(out, "\u2029"...)
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}

package rest

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
)

// writeJSON sends v as better-auth does: compact JSON.stringify output with
// "content-type: application/json". HTML characters are not escaped, so the
// bytes match what a JavaScript server would send.
func writeJSON(c echo.Context, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return c.Blob(status, echo.MIMEApplicationJSON, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// writeNull sends the literal JSON null (ctx.json(null) in better-auth).
func writeNull(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte("null"))
}

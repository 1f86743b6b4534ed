package rest

import (
	"encoding/json"
	"fmt"
	"time"
)

// isoLayout is JavaScript's Date.prototype.toISOString format.
const isoLayout = "2006-01-02T15:04:05.000Z"

// jsonTime is an instant on the wire: UTC with exactly three fractional
// digits, as toISOString writes it. The client SDK revives dates with a
// regular expression and reads the fraction as milliseconds, so more digits
// (Go's RFC 3339 default) would be misread.
type jsonTime time.Time

// MarshalJSON writes the quoted ISO form. Sub-millisecond digits are
// truncated, as a JavaScript Date holds none.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	u := time.Time(t).UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("rest: time %v outside the ISO 8601 four-digit year range", u)
	}
	b := make([]byte, 0, len(isoLayout)+2)
	b = append(b, '"')
	b = u.AppendFormat(b, isoLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads an RFC 3339 date, as the cookie cache stores them.
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	u, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*t = jsonTime(u)
	return nil
}

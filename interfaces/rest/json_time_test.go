package rest

import (
	"encoding/json"
	"testing"
	"time"
)

func TestJSONTime(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 28, 17, 32, 23, 37_000_000, time.UTC), `"2026-11-28T17:32:23.037Z"`},
		{time.Date(2026, 11, 28, 17, 32, 23, 0, time.UTC), `"2026-11-28T17:32:23.000Z"`},
		{time.Date(2026, 11, 28, 17, 32, 23, 999_999_999, time.UTC), `"2026-11-28T17:32:23.999Z"`}, // truncated, not rounded
		{time.Date(2026, 1, 1, 0, 30, 0, 5_000_000, berlin), `"2025-12-31T23:30:00.005Z"`},
		{time.Time{}.AddDate(1969, 0, 0), `"1970-01-01T00:00:00.000Z"`},
	}
	for _, tc := range tests {
		got, err := json.Marshal(jsonTime(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("marshal %v = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := json.Marshal(jsonTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))); err == nil {
		t.Error("year 10000 marshalled; want an error")
	}
}

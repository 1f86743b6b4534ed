package config

import (
	"net/url"
	"strings"
)

// redisDefaults are the defaults of the Redis settings, merged into
// defaults.
var redisDefaults = map[string]any{
	"REDIS_URL":         "",
	"SESSION_CACHE_TTL": "300",
}

func init() {
	for k, v := range redisDefaults {
		defaults[k] = v
	}
}

// redisURL reads REDIS_URL: "" (no Redis: state stays in each node's
// memory) or redis://[user:password@]host:port[/db] (rediss:// for TLS).
func (r *reader) redisURL() string {
	raw := strings.TrimSpace(r.v.GetString("REDIS_URL"))
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		r.fail("REDIS_URL must be redis://host:port[/db] or rediss://…, got %q", redactURL(raw))
		return ""
	}
	return raw
}

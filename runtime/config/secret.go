package config

import "log/slog"

// Secret is a string that never prints: fmt, %v, %+v, %#v, JSON and slog all
// show "[REDACTED]". Reveal returns the value for the one place that needs it.
type Secret struct{ value string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{value: s} }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return s.value }

// Set reports whether the secret is non-empty.
func (s Secret) Set() bool { return s.value != "" }

const redacted = "[REDACTED]"

// String implements fmt.Stringer.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer, so %#v is redacted too.
func (Secret) GoString() string { return redacted }

// MarshalText implements encoding.TextMarshaler (JSON, YAML).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

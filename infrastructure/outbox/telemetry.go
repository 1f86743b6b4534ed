package outbox

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/beep/iam/domain/mail"
)

// instrumentationName names the tracer and meter of this package.
const instrumentationName = "github.com/beep/iam/infrastructure/outbox"

// Attribute keys of spans, metrics and logs. None carries an address or a
// link: the id and the kind are enough to find an email in the table.
const (
	idKey      = attribute.Key("beep.outbox.id")
	kindKey    = attribute.Key("beep.outbox.kind")
	attemptKey = attribute.Key("beep.outbox.attempt")
	// outcomeKey is the key telemetry's use-case spans use for the same
	// idea.
	outcomeKey = attribute.Key("beep.outcome")
)

// Outcomes of one delivery attempt.
const (
	outcomeSent  = "sent"
	outcomeRetry = "retry"
	outcomeDead  = "dead"
)

// instruments are the dispatcher's metrics.
type instruments struct {
	meter              metric.Meter
	depth, deadLetters metric.Int64ObservableGauge
	counters           map[string]metric.Int64Counter // by outcome
	// problems are the errors met creating instruments, for one log line.
	problems []error
}

func newInstruments(mp metric.MeterProvider) *instruments {
	m := mp.Meter(instrumentationName)
	in := &instruments{meter: m}
	counter := func(name, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{email}"))
		if err != nil || c == nil {
			// Metrics must never stop mail: note the problem for the log
			// and count into the void.
			in.problems = append(in.problems, err)
			return noop.Int64Counter{}
		}
		return c
	}
	gauge := func(name, desc string) metric.Int64ObservableGauge {
		g, err := m.Int64ObservableGauge(name, metric.WithDescription(desc), metric.WithUnit("{email}"))
		if err != nil || g == nil {
			in.problems = append(in.problems, err)
			return noop.Int64ObservableGauge{}
		}
		return g
	}
	in.counters = map[string]metric.Int64Counter{
		outcomeSent:  counter("outbox.sent", "Emails delivered to the provider."),
		outcomeRetry: counter("outbox.retried", "Failed delivery attempts scheduled for a retry."),
		outcomeDead:  counter("outbox.dead", "Emails dead-lettered: refused for good or out of attempts."),
	}
	in.depth = gauge("outbox.depth", "Emails waiting for delivery, due or scheduled for a retry.")
	in.deadLetters = gauge("outbox.dead_letters", "Dead-lettered emails kept in the outbox.")
	return in
}

// count adds one email of kind to the counter of outcome, if it has one.
func (in *instruments) count(ctx context.Context, outcome string, kind mail.Kind) {
	if c, ok := in.counters[outcome]; ok {
		c.Add(ctx, 1, metric.WithAttributes(kindKey.String(kindName(kind))))
	}
}

// observe registers the callback that reads the gauges from store at each
// collection. The returned registration must be unregistered when the
// dispatcher stops, or collections would query a closed database.
func (in *instruments) observe(store Store) (metric.Registration, error) {
	return in.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		depth, err := store.Depth(ctx)
		if err != nil {
			return err
		}
		dead, err := store.DeadCount(ctx)
		if err != nil {
			return err
		}
		o.ObserveInt64(in.depth, int64(depth))
		o.ObserveInt64(in.deadLetters, int64(dead))
		return nil
	}, in.depth, in.deadLetters)
}

// kindName is the kind as telemetry shows it; an email whose payload could
// not be read has none.
func kindName(k mail.Kind) string {
	if k == "" {
		return "unknown"
	}
	return string(k)
}

// redacted replaces what may be secret or personal in an error text.
const redacted = "[redacted]"

// redact removes from s the addresses of m and its link, with the link's
// query and long path segments (single-use tokens travel there: a reset
// link is …/reset-password/<token>, a verification link ?token=<jwt>).
// Transports and providers echo request fields in their errors, and what
// reaches logs, traces and the last_error column must hold no token and no
// full address.
func redact(s string, m mail.Message) string {
	var secrets []string
	add := func(v string, minLen int) {
		if len(v) < minLen {
			return
		}
		secrets = append(secrets, v)
		if esc := url.QueryEscape(v); esc != v {
			secrets = append(secrets, esc)
		}
	}
	add(string(m.To), 1)
	add(string(m.NewEmail), 1)
	add(m.URL, 1)
	if u, err := url.Parse(m.URL); err == nil {
		add(u.RawQuery, 1)
		for _, values := range u.Query() {
			for _, v := range values {
				add(v, 8)
			}
		}
		for seg := range strings.SplitSeq(u.Path, "/") {
			add(seg, 16)
		}
	}
	// Longest first: replacing a token first would leave the rest of the
	// link in place and stop the link itself from matching.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, redacted)
	}
	return s
}

// maxErrorLen bounds the error text kept in a row.
const maxErrorLen = 1000

// truncate cuts s to at most maxErrorLen bytes on a rune boundary.
func truncate(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

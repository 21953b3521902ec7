package graph

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
)

// maxOperationNames bounds the operation-name label's distinct values; names
// beyond it (and malformed ones) are recorded as "other".
const maxOperationNames = 200

var operationNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Metrics holds the GraphQL API's Prometheus collectors.
type Metrics struct {
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	creditsConsumed prometheus.Counter
	subscriptions   prometheus.Gauge

	mu    sync.Mutex
	names map[string]bool
}

// NewMetrics creates the collectors and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tally_graphql_requests_total",
			Help: "GraphQL queries and mutations by operation name and outcome (ok or the first error code).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tally_graphql_request_duration_seconds",
			Help:    "Time from receiving a GraphQL query or mutation to its response, by operation name.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
		creditsConsumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tally_credits_consumed_total",
			Help: "Credits spent through successful consumeCredits mutations.",
		}),
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tally_graphql_active_subscriptions",
			Help: "GraphQL subscriptions currently open over websockets.",
		}),
		names: map[string]bool{},
	}
	reg.MustRegister(m.requests, m.latency, m.creditsConsumed, m.subscriptions)
	return m
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = (*Metrics)(nil)

// ExtensionName names the extension.
func (m *Metrics) ExtensionName() string { return "Metrics" }

// Validate accepts any schema.
func (m *Metrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse counts each query or mutation response by outcome and
// observes its latency; subscription events are not requests.
func (m *Metrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if m == nil || resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		return resp
	}
	name := m.label(oc)
	outcome := "ok"
	if len(resp.Errors) > 0 {
		outcome = "error"
		if code, ok := resp.Errors[0].Extensions["code"].(string); ok {
			outcome = code
		}
	}
	m.requests.WithLabelValues(name, outcome).Inc()
	if start := oc.Stats.OperationStart; !start.IsZero() {
		m.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
	}
	return resp
}

// label returns a bounded operation-name label: the operation's name, or
// for an unnamed operation its first root field ("consumeCredits"), which
// the schema bounds.
func (m *Metrics) label(oc *graphql.OperationContext) string {
	name := oc.OperationName
	if name == "" && oc.Operation != nil {
		name = oc.Operation.Name
		if name == "" {
			for _, sel := range oc.Operation.SelectionSet {
				if f, ok := sel.(*ast.Field); ok {
					name = f.Name
					break
				}
			}
		}
	}
	switch {
	case name == "":
		return "anonymous"
	case !operationNameRE.MatchString(name):
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.names[name] {
		if len(m.names) >= maxOperationNames {
			return "other"
		}
		m.names[name] = true
	}
	return name
}

// consumed adds credits spent by a successful consumeCredits.
func (m *Metrics) consumed(amount int64) {
	if m != nil {
		m.creditsConsumed.Add(float64(amount))
	}
}

// subscriptionStarted counts an open subscription until the returned func is called.
func (m *Metrics) subscriptionStarted() (done func()) {
	if m == nil {
		return func() {}
	}
	m.subscriptions.Inc()
	return m.subscriptions.Dec
}

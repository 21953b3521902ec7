package graph

import (
	"context"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
)

// Metrics holds the GraphQL API's Prometheus collectors. Every label value
// comes from a fixed list: the schema's root fields and the API's error codes.
type Metrics struct {
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	creditsConsumed prometheus.Counter
	subscriptions   prometheus.Gauge
	pushes          prometheus.Counter // subscription events sent
	renders         prometheus.Counter // subscription events executed and marshalled

	// roots are the schema's query and mutation fields: the only values
	// the operation label takes besides "anonymous" and "other", so that no
	// client can grow the label set.
	roots map[string]bool
}

// NewMetrics creates the collectors and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tally_graphql_requests_total",
			Help: "GraphQL queries and mutations by first root field and outcome (ok or the first error code).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tally_graphql_request_duration_seconds",
			Help:    "Time from receiving a GraphQL query or mutation to its response, by first root field.",
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
		pushes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tally_graphql_subscription_pushes_total",
			Help: "Subscription events sent over websockets (one per subscriber).",
		}),
		renders: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tally_graphql_subscription_renders_total",
			Help: "Subscription events executed and marshalled; subscribers of one org with the same principal and operation share one render of an event.",
		}),
		roots: map[string]bool{},
	}
	reg.MustRegister(m.requests, m.latency, m.creditsConsumed, m.subscriptions, m.pushes, m.renders)
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

// label returns the operation label: the operation's first root field
// ("consumeCredits") when the schema has it, "anonymous" when there is
// none, "other" otherwise. Client-chosen operation names are not labels:
// the schema bounds the label set, not the order clients arrive in.
func (m *Metrics) label(oc *graphql.OperationContext) string {
	if oc.Operation == nil {
		return "anonymous"
	}
	for _, sel := range oc.Operation.SelectionSet {
		if f, ok := sel.(*ast.Field); ok {
			if m.roots[f.Name] {
				return f.Name
			}
			return "other"
		}
	}
	return "other"
}

// allowRoots records the schema's query and mutation fields as labels.
func (m *Metrics) allowRoots(schema *ast.Schema) {
	if m == nil || schema == nil {
		return
	}
	for _, t := range []*ast.Definition{schema.Query, schema.Mutation} {
		if t == nil {
			continue
		}
		for _, f := range t.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				m.roots[f.Name] = true
			}
		}
	}
}

// consumed adds credits spent by a successful consumeCredits.
func (m *Metrics) consumed(amount int64) {
	if m != nil {
		m.creditsConsumed.Add(float64(amount))
	}
}

// subscriptionPushed counts one event sent to one subscriber.
func (m *Metrics) subscriptionPushed() {
	if m != nil {
		m.pushes.Inc()
	}
}

// subscriptionRendered counts one event executed and marshalled.
func (m *Metrics) subscriptionRendered() {
	if m != nil {
		m.renders.Inc()
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

package graph

import (
	"github.com/tallyhq/tally/domain"
)

// Resolver is the root of the GraphQL resolvers. Each resolver parses its
// input, calls one domain.Service method, converts the result and returns;
// domain errors pass through unchanged to the error presenter.
type Resolver struct {
	svc     *domain.Service
	metrics *Metrics
}

// Package graph is Tally's GraphQL API: the schema in schema/*.graphqls, thin
// resolvers over domain.Service, converters between domain types and the
// GraphQL models of graph/model, the error presenter, per-request
// dataloaders, limits and the HTTP and websocket transport.
//
// schema/REFERENCE.md is the API reference, generated from the schema's
// descriptions by internal/apiref after gqlgen.
package graph

//go:generate go run github.com/99designs/gqlgen generate
//go:generate go run ./internal/apiref -schema schema -out schema/REFERENCE.md

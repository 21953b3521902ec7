// Package model holds the GraphQL models of Tally's API: the ones gqlgen
// generates into models_gen.go, the hand-written ones below whose
// relationship fields are resolved lazily (they carry the domain keys the
// resolvers need), and the custom scalars Credits and JSON.
package model

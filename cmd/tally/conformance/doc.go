// Package conformance checks the real tally binary with the JavaScript
// clients and test suites its users meet: the GraphQL over HTTP
// specification's audit (the graphql-http npm package's serverAudits),
// and Apollo Client with the reference graphql-ws client doing what a
// single-page app does. Its Go tests start the binary and run the node
// scripts of this directory (audit.mjs, spa.mjs) against it; their npm
// packages are pinned by package-lock.json and installed with `npm ci`
// here (.ci/run does). Without node or the packages the tests fail when
// CI is set, and skip otherwise.
package conformance

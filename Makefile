# Tally's developer entry points. `make test` is the one test command (README).

GO                     ?= go
GOLANGCI_LINT_VERSION  ?= v2.15.0
VERSION                ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS                := -X main.version=$(VERSION)

.PHONY: all generate build test lint run bench ci graphiql-assets web web-check

all: build

## generate: regenerate every generated file (gqlgen); CI fails when this leaves a diff
generate:
	$(GO) generate ./...

## build: the one binary, bin/tally
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/tally ./cmd/tally

## test: the whole suite with the race detector; needs PostgreSQL on 127.0.0.1:5432 (see .ci/run)
test:
	$(GO) test -race -count=1 -timeout 30m ./...

## lint: golangci-lint v2 (fetched through the Go module proxy, cached after the first run)
lint:
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

## run: a development server on :8080 with SQLite in ./tally.db
run:
	$(GO) run ./cmd/tally serve

## bench: the load benchmark from nothing: a fresh PostgreSQL database, the binary
## built from this tree, then `tally bench` (one table; BENCH_SIZE=small: seconds)
bench:
	scripts/bench.sh

## graphiql-assets: refresh the GraphiQL page's vendored React and GraphiQL
## builds (graph/graphiql/vendor/) from npm at the versions the script pins
graphiql-assets:
	scripts/graphiql-assets.sh

## web: the billing page (cmd/tally/web): npm ci, the typed client's codegen
## from graph/schema, type check and Vite build into cmd/tally/web/dist (embedded)
web:
	scripts/web.sh

## web-check: web, then its unit tests (vitest); fails when the codegen output
## or dist/ differ from what is committed (CI runs it)
web-check:
	scripts/web.sh check

## ci: what CI runs: start PostgreSQL if needed, format, vet, generate check, test
ci:
	.ci/run

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/readref"
	"github.com/tallyhq/tally/domain"
)

// The read scenario: `org(id) { balance { total } }` with the org's API key
// against a plain net/http + pgx handler, served by the bench itself, that
// reads the same row with one statement. The ratio says how much of a
// minimal handler's rate the whole stack (auth, GraphQL, domain, store)
// keeps on a read.

// typenameBody is the ceiling's request: no resolver touches the store.
const typenameBody = `{"query":"{ __typename }"}`

// readBalanceQuery is the read scenario's query.
const readBalanceQuery = `query Read($id: ID!) { org(id: $id) { balance { total } } }`

// referencePoolSize matches the server's default PostgreSQL pool.
const referencePoolSize = 20

// appendReadBody appends the JSON request of one balance read.
func appendReadBody(b []byte, orgID string) []byte {
	b = append(b, `{"query":`...)
	b = strconv.AppendQuote(b, readBalanceQuery)
	b = append(b, `,"variables":{"id":`...)
	b = strconv.AppendQuote(b, orgID)
	return append(b, `}}`...)
}

// referenceURL is the reference handler's request for one org's balance.
func referenceURL(endpoint, orgID string) string {
	return endpoint + "?org=" + url.QueryEscape(orgID)
}

// graphQLErrors is the error part of any GraphQL answer.
type graphQLErrors []struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// checkGraphQL decodes a GraphQL answer into r (which embeds the errors
// through errs) and fails on a non-200 answer or any error.
func checkGraphQL(status int, body []byte, r any, errs *graphQLErrors) error {
	jerr := json.Unmarshal(body, r)
	switch {
	case jerr == nil && len(*errs) > 0:
		return fmt.Errorf("HTTP %d: %s: %s", status, (*errs)[0].Extensions.Code, (*errs)[0].Message)
	case status != http.StatusOK:
		return fmt.Errorf("HTTP %d: %s", status, clip(body))
	case jerr != nil:
		return fmt.Errorf("bad JSON answer: %v: %s", jerr, clip(body))
	}
	return nil
}

// checkTypenameResponse accepts `{"data":{"__typename":"QueryRoot"}}`-like
// answers.
func checkTypenameResponse(status int, body []byte) error {
	var r struct {
		Data *struct {
			Typename string `json:"__typename"`
		} `json:"data"`
		Errors graphQLErrors `json:"errors"`
	}
	if err := checkGraphQL(status, body, &r, &r.Errors); err != nil {
		return err
	}
	if r.Data == nil || r.Data.Typename == "" {
		return fmt.Errorf("answer without __typename: %s", clip(body))
	}
	return nil
}

// checkReadResponse accepts an answer carrying org.balance.total.
func checkReadResponse(status int, body []byte) error {
	var r struct {
		Data *struct {
			Org *struct {
				Balance *struct {
					Total *int64 `json:"total"`
				} `json:"balance"`
			} `json:"org"`
		} `json:"data"`
		Errors graphQLErrors `json:"errors"`
	}
	if err := checkGraphQL(status, body, &r, &r.Errors); err != nil {
		return err
	}
	if r.Data == nil || r.Data.Org == nil || r.Data.Org.Balance == nil || r.Data.Org.Balance.Total == nil {
		return fmt.Errorf("answer without org.balance.total: %s", clip(body))
	}
	return nil
}

// checkReferenceResponse accepts the reference handler's `{"total":N}`.
func checkReferenceResponse(status int, body []byte) error {
	var r struct {
		Total *int64 `json:"total"`
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, clip(body))
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Total == nil {
		return fmt.Errorf("bad reference answer: %s", clip(body))
	}
	return nil
}

// startReference runs the reference handler in a process of its own
// (`binary bench --serve-reference ADDR`), as the server runs in its own:
// the bench's CPU accounting then tells the handler's CPU from the load
// client's. It is ready when it answers anything.
func startReference(ctx context.Context, binary, databaseURL string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := append(baseEnv(), "DATABASE_URL="+databaseURL)
	return startProcess(ctx, exec.Command(binary, "bench", "--serve-reference", addr), env, "http://"+addr, "/",
		func(int) bool { return true })
}

// ServeReference serves readref's plain handler on addr until ctx ends:
// GET ?org=<id> answers the org's balance counters from one SELECT on a
// pgx pool of as many connections as the server's.
func ServeReference(ctx context.Context, databaseURL, addr string) error {
	pool, err := readref.Open(ctx, databaseURL, referencePoolSize)
	if err != nil {
		return domain.Internal(fmt.Errorf("reference pool: %w", err))
	}
	defer pool.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return domain.Internal(err)
	}
	srv := &http.Server{Handler: readref.Handler(pool), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return domain.Internal(err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}

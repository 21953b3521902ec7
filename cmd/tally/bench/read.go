package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

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

// referenceServer serves readref's plain handler: GET ?org=<id> answers
// the org's balance counters from one SELECT on a pgx pool.
type referenceServer struct {
	URL  string
	pool *pgxpool.Pool
	srv  *http.Server
	done chan struct{}
}

// startReference serves the reference handler on a free loopback port.
func startReference(ctx context.Context, databaseURL string) (*referenceServer, error) {
	pool, err := readref.Open(ctx, databaseURL, referencePoolSize)
	if err != nil {
		return nil, domain.Internal(fmt.Errorf("reference pool: %w", err))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pool.Close()
		return nil, domain.Internal(err)
	}
	r := &referenceServer{URL: "http://" + ln.Addr().String(), pool: pool, done: make(chan struct{})}
	r.srv = &http.Server{Handler: readref.Handler(pool), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(r.done)
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// close stops the handler and its pool.
func (r *referenceServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
	<-r.done
	r.pool.Close()
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// consumeMutation is the debit every request makes: one credit, selecting
// only the new entry's ID and the balance total.
const consumeMutation = `mutation Debit($orgId: ID!, $key: String!) { consumeCredits(input: {orgId: $orgId, amount: 1, idempotencyKey: $key}) { entry { id } balance { total } } }`

// maxErrorSamples bounds how many error messages a run keeps for the report.
const maxErrorSamples = 5

// latencyCapacity is the latency samples preallocated per client.
const latencyCapacity = 1 << 15

// Target is one org the load spends from: its GraphQL ID and an API key.
type Target struct {
	OrgID  string // the org's global ID, as consumeCredits takes it
	APIKey string // "tly_…"
	ID     string // the org's domain ID (the plain reference handler's key)
}

// requestKind is what one load run's requests do.
type requestKind int

const (
	// kindDebit is consumeCredits of one credit (the zero value).
	kindDebit requestKind = iota
	// kindTypename is `{ __typename }` with the target's API key: the
	// stack's own ceiling (HTTP, auth, GraphQL, no store).
	kindTypename
	// kindReadBalance is `org(id) { balance { total } }` with the target's
	// API key.
	kindReadBalance
	// kindReference asks the built-in plain net/http + pgx handler for the
	// same balance row.
	kindReference
)

// LoadResult is what one load run measured.
type LoadResult struct {
	Successes, Errors int
	// Acked counts every successful request, warm-up and stragglers
	// included: the debits the ledger must hold.
	Acked        int
	Window       time.Duration // the measured time, warm-up excluded
	Latencies    Latencies     // of the successful requests
	ErrorSamples []string      // the first few errors
	// CPU is where the CPU of the measured window went (nil when the load
	// had no meter or the system has no /proc).
	CPU *CPUUse
}

// PerSecond returns successful debits per second.
func (r LoadResult) PerSecond() float64 { return Rate(r.Successes, r.Window) }

// load is one run: clients goroutines debiting targets over HTTP.
type load struct {
	endpoint string // …/graphql
	// endpoints, when set, replaces endpoint: client c uses endpoints[c%len]
	// (several instances behind one client).
	endpoints []string
	kind      requestKind
	// onDebit, when set, is called with every acknowledged debit's org
	// (global ID), the balance total its answer carried and the time the
	// answer arrived (from all clients at once).
	onDebit  func(orgID string, total int64, at time.Time)
	targets  []Target
	clients  int
	warmup   time.Duration
	duration time.Duration
	runID    string // makes idempotency keys unique across runs
	// meter, when set, measures the CPU of the window.
	meter *meter
}

// pick returns the target of a client's k-th request: clients walk the
// targets round-robin, each from its own offset.
func (l *load) pick(client, k int) Target {
	return l.targets[(client+k*l.clients)%len(l.targets)]
}

// run drives the load and counts the requests that complete inside the
// measured window [start+warmup, start+warmup+duration).
func (l *load) run(ctx context.Context) LoadResult {
	start := time.Now()
	from, to := start.Add(l.warmup), start.Add(l.warmup+l.duration)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		total   LoadResult
		samples []time.Duration
	)
	cpu := l.meter.during(ctx, from, to)
	for c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(l, c)
			w.loop(ctx, from, to)
			mu.Lock()
			defer mu.Unlock()
			total.Successes += len(w.latencies)
			total.Errors += w.errors
			total.Acked += w.acked
			samples = append(samples, w.latencies...)
			for _, e := range w.samples {
				if len(total.ErrorSamples) < maxErrorSamples {
					total.ErrorSamples = append(total.ErrorSamples, e)
				}
			}
		}()
	}
	wg.Wait()
	total.Window = l.duration
	total.Latencies = Summarize(samples)
	total.CPU = cpu(total.Successes)
	return total
}

// worker is one client: its own keep-alive connection and buffers.
type worker struct {
	l         *load
	id        int
	http      *http.Client
	body      []byte
	resp      bytes.Buffer
	latencies []time.Duration
	errors    int
	acked     int
	samples   []string
	endpoint  string
}

func newWorker(l *load, id int) *worker {
	tr := &http.Transport{
		MaxIdleConns:        l.clients,
		MaxIdleConnsPerHost: l.clients,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	endpoint := l.endpoint
	if len(l.endpoints) > 0 {
		endpoint = l.endpoints[id%len(l.endpoints)]
	}
	return &worker{
		l: l, id: id, endpoint: endpoint,
		http:      &http.Client{Transport: tr, Timeout: 30 * time.Second},
		latencies: make([]time.Duration, 0, latencyCapacity),
	}
}

// loop sends debits back to back until to (or ctx ends), recording those
// that complete in [from, to).
func (w *worker) loop(ctx context.Context, from, to time.Time) {
	defer w.http.CloseIdleConnections()
	for k := 0; ctx.Err() == nil; k++ {
		t := w.l.pick(w.id, k)
		began := time.Now()
		if !began.Before(to) {
			return
		}
		err := w.do(ctx, t, k)
		ended := time.Now()
		if err == nil {
			w.acked++
		}
		if ended.Before(from) || !ended.Before(to) {
			continue
		}
		if err != nil {
			w.errors++
			if len(w.samples) < maxErrorSamples {
				w.samples = append(w.samples, err.Error())
			}
			continue
		}
		w.latencies = append(w.latencies, ended.Sub(began))
	}
}

// do sends one request of the run's kind and checks its answer.
func (w *worker) do(ctx context.Context, t Target, k int) error {
	switch w.l.kind {
	case kindTypename:
		w.body = append(w.body[:0], typenameBody...)
	case kindReadBalance:
		w.body = appendReadBody(w.body[:0], t.OrgID)
	case kindReference:
		w.body = w.body[:0]
	default:
		w.body = appendDebitBody(w.body[:0], t.OrgID, w.l.runID, w.id, k)
	}
	var (
		req *http.Request
		err error
	)
	if w.l.kind == kindReference {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, referenceURL(w.endpoint, t.ID), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, w.endpoint, bytes.NewReader(w.body))
	}
	if err != nil {
		return err
	}
	if w.l.kind != kindReference {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+t.APIKey)
	}
	res, err := w.http.Do(req)
	if err != nil {
		return err
	}
	w.resp.Reset()
	_, err = w.resp.ReadFrom(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	switch w.l.kind {
	case kindTypename:
		return checkTypenameResponse(res.StatusCode, w.resp.Bytes())
	case kindReadBalance:
		return checkReadResponse(res.StatusCode, w.resp.Bytes())
	case kindReference:
		return checkReferenceResponse(res.StatusCode, w.resp.Bytes())
	}
	at := time.Now()
	total, err := checkDebitResponse(res.StatusCode, w.resp.Bytes())
	if err == nil && w.l.onDebit != nil {
		w.l.onDebit(t.OrgID, total, at)
	}
	return err
}

// appendDebitBody appends the JSON request of one debit; the idempotency key
// is unique per run, client and request.
func appendDebitBody(b []byte, orgID, runID string, client, k int) []byte {
	b = append(b, `{"query":`...)
	b = strconv.AppendQuote(b, consumeMutation)
	b = append(b, `,"variables":{"orgId":`...)
	b = strconv.AppendQuote(b, orgID)
	b = append(b, `,"key":"bench-`...)
	b = append(b, runID...)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(client), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(k), 10)
	return append(b, `"}}`...)
}

// debitResponse is the part of a consumeCredits answer the load checks.
type debitResponse struct {
	Data *struct {
		ConsumeCredits *struct {
			Entry struct {
				ID string `json:"id"`
			} `json:"entry"`
			Balance struct {
				Total int64 `json:"total"`
			} `json:"balance"`
		} `json:"consumeCredits"`
	} `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

// checkDebitResponse accepts only a 200 answer without GraphQL errors that
// carries the new ledger entry, and returns the balance total it reports.
func checkDebitResponse(status int, body []byte) (int64, error) {
	var r debitResponse
	jerr := json.Unmarshal(body, &r)
	switch {
	case jerr == nil && len(r.Errors) > 0:
		return 0, fmt.Errorf("HTTP %d: %s: %s", status, r.Errors[0].Extensions.Code, r.Errors[0].Message)
	case status != http.StatusOK:
		return 0, fmt.Errorf("HTTP %d: %s", status, clip(body))
	case jerr != nil:
		return 0, fmt.Errorf("bad JSON answer: %v: %s", jerr, clip(body))
	case r.Data == nil || r.Data.ConsumeCredits == nil || r.Data.ConsumeCredits.Entry.ID == "":
		return 0, fmt.Errorf("answer without consumeCredits.entry.id: %s", clip(body))
	}
	return r.Data.ConsumeCredits.Balance.Total, nil
}

// clip shortens a response body for an error message.
func clip(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
)

// The usage ingest run: clients post batches of usage events (CloudEvents
// to /v1/usage/events) round-robin over a few orgs; every retryEvery-th
// batch is sent twice at the same time and once more afterwards, as a
// client that timed out and retried would. At the end each org's
// org-wide EVENTS total, read back through GraphQL, must equal the
// distinct events sent to it: no loss and no double count.

// retryEvery makes every n-th batch a retried one.
const retryEvery = 4

// UsageResult is what the usage run measured.
type UsageResult struct {
	Orgs, Clients, Batch int
	Duration             time.Duration
	Events               int // distinct events accepted in the window
	Batches              int // distinct batches completed in the window
	Retried              int // batches sent three times (two at once)
	Errors               int
	ErrorSamples         []string
	Latencies            Latencies // per batch request
	// Verified says the totals equal the distinct events sent; Mismatch
	// describes the first difference otherwise.
	Verified bool
	Mismatch string

	sentPerOrg []int64 // distinct events sent per org, in target order
}

// PerSecond returns accepted events per second.
func (r UsageResult) PerSecond() float64 { return Rate(r.Events, r.Duration) }

// usageRun is one usage ingest run.
type usageRun struct {
	endpoint string // …/v1/usage/events
	targets  []Target
	clients  int
	batch    int
	duration time.Duration
	runID    string
}

// sent counts the distinct events sent per org (by target index).
type sent struct {
	mu     sync.Mutex
	events []int64
}

func (r *usageRun) run(ctx context.Context) UsageResult {
	res := UsageResult{Orgs: len(r.targets), Clients: r.clients, Batch: r.batch, Duration: r.duration}
	start := time.Now()
	to := start.Add(r.duration)
	tally := &sent{events: make([]int64, len(r.targets))}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		samples []time.Duration
	)
	for c := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}
			defer hc.CloseIdleConnections()
			var lat []time.Duration
			var events, batches, retried, errs int
			var errSamples []string
			fail := func(err error) {
				errs++
				if len(errSamples) < maxErrorSamples {
					errSamples = append(errSamples, err.Error())
				}
			}
			for k := 0; ctx.Err() == nil && time.Now().Before(to); k++ {
				ti := (c + k*r.clients) % len(r.targets)
				t := r.targets[ti]
				body := r.body(c, k)
				began := time.Now()
				var accepted int
				var err error
				if k%retryEvery == retryEvery-1 {
					// Two at once, then a third after both answered.
					var a2 int
					var err2 error
					var inner sync.WaitGroup
					inner.Add(1)
					go func() { defer inner.Done(); a2, err2 = postBatch(ctx, hc, r.endpoint, t.APIKey, body) }()
					accepted, err = postBatch(ctx, hc, r.endpoint, t.APIKey, body)
					inner.Wait()
					if err == nil {
						err = err2
					}
					accepted += a2
					if err == nil {
						var a3 int
						a3, err = postBatch(ctx, hc, r.endpoint, t.APIKey, body)
						accepted += a3
					}
					retried++
				} else {
					accepted, err = postBatch(ctx, hc, r.endpoint, t.APIKey, body)
				}
				ended := time.Now()
				if err != nil {
					fail(err)
					// Unknown outcome: the events may count; retry until
					// known so the check at the end stays exact.
					for try := 0; err != nil && try < 5 && ctx.Err() == nil; try++ {
						var a int
						a, err = postBatch(ctx, hc, r.endpoint, t.APIKey, body)
						accepted += a
					}
					if err != nil {
						return
					}
				}
				if accepted != r.batch {
					fail(fmt.Errorf("batch %d-%d: %d events accepted over its sends, want %d exactly once", c, k, accepted, r.batch))
				}
				tally.mu.Lock()
				tally.events[ti] += int64(r.batch)
				tally.mu.Unlock()
				if ended.Before(to) {
					events += accepted
					batches++
					lat = append(lat, ended.Sub(began))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.Events += events
			res.Batches += batches
			res.Retried += retried
			res.Errors += errs
			samples = append(samples, lat...)
			for _, e := range errSamples {
				if len(res.ErrorSamples) < maxErrorSamples {
					res.ErrorSamples = append(res.ErrorSamples, e)
				}
			}
		}()
	}
	wg.Wait()
	res.Latencies = Summarize(samples)
	res.sentPerOrg = tally.events
	return res
}

// body returns the JSON batch of client c's k-th batch: batch events of one
// EVENTS each, ids unique per run, client, batch and position.
func (r *usageRun) body(c, k int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range r.batch {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"specversion":"1.0","source":"bench","type":"events","data":{"quantity":1},"id":"u-`)
		b.WriteString(r.runID)
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(c))
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(k))
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(i))
		b.WriteString(`"}`)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// postBatch sends one batch and returns how many of its events the server
// accepted (new); any refused or invalid event is an error.
func postBatch(ctx context.Context, hc *http.Client, endpoint, key string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/cloudevents-batch+json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	var out struct {
		Accepted, Duplicates, Refused, Invalid int
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil {
		return 0, fmt.Errorf("HTTP %d: %s", res.StatusCode, clip(raw))
	}
	if out.Refused+out.Invalid > 0 {
		return out.Accepted, fmt.Errorf("%d refused, %d invalid: %s", out.Refused, out.Invalid, clip(raw))
	}
	return out.Accepted, nil
}

// verifyUsage reads each org's org-wide EVENTS total through GraphQL as
// the owner and compares it with what was sent.
func verifyUsage(ctx context.Context, endpoint, jwtSecret string, owner domain.User, targets []Target, sentPerOrg []int64, res *UsageResult) error {
	token, err := auth.Mint([]byte(jwtSecret), auth.Claims{Subject: owner.Subject, Email: owner.Email, Name: owner.Name, TTL: time.Hour})
	if err != nil {
		return domain.Internal(err)
	}
	for i, t := range targets {
		var data struct {
			Org struct {
				Usage struct {
					Metrics []struct {
						Metric   string
						Quantity int64
					}
				}
			}
		}
		q := `{ org(id: ` + strconv.Quote(t.OrgID) + `) { usage { metrics { metric quantity } } } }`
		if err := graphQL(ctx, endpoint, "Bearer "+token, q, &data); err != nil {
			return err
		}
		var got int64
		for _, m := range data.Org.Usage.Metrics {
			if m.Metric == string(domain.MetricEvents) {
				got = m.Quantity
			}
		}
		if got != sentPerOrg[i] {
			res.Mismatch = fmt.Sprintf("org %d: EVENTS total %d, %d distinct events sent", i, got, sentPerOrg[i])
			return nil
		}
	}
	res.Verified = true
	return nil
}

// WriteUsage prints the usage block of the report, with the debit rate of
// the same run for comparison.
func WriteUsage(w io.Writer, r UsageResult, debitsPerSecond float64) error {
	l := r.Latencies
	verdict := "OK: every org's EVENTS total equals the distinct events sent to it (no loss, no double count)"
	if !r.Verified {
		verdict = "FAILED: " + r.Mismatch
	}
	_, err := fmt.Fprintf(w, "scenario: usage ingest, %d %s, %d %s, %s, batches of %d events (POST /v1/usage/events)\n"+
		"tally:   usage events/s %.1f  batches %d (%d sent twice at once and again)  p50 %s  p99 %s  max %s  errors %d\n"+
		"ratio:   %.1f (usage events/s / debits/s %.1f of the spread-out scenario)\n"+
		"check:   %s\n",
		r.Orgs, plural(r.Orgs, "org"), r.Clients, plural(r.Clients, "client"), r.Duration, r.Batch,
		r.PerSecond(), r.Batches, r.Retried, millis(l.P50), millis(l.P99), millis(l.Max), r.Errors,
		Ratio(r.PerSecond(), debitsPerSecond), debitsPerSecond, verdict)
	if err != nil {
		return err
	}
	for _, e := range r.ErrorSamples {
		if _, err := fmt.Fprintf(w, "error:   %s\n", e); err != nil {
			return err
		}
	}
	return nil
}

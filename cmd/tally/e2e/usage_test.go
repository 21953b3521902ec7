package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// usageAnswer is POST /v1/usage/events' answer: counts and results, or a
// GraphQL-shaped error.
type usageAnswer struct {
	Status     int
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Refused    int `json:"refused"`
	Invalid    int `json:"invalid"`
	Results    []struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		OverLimit bool   `json:"overLimit"`
		Code      string `json:"code"`
		Field     string `json:"field"`
		Reason    string `json:"reason"`
	} `json:"results"`
	Errors []gqlError `json:"errors"`
}

func (a usageAnswer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	return a.Errors[0].Extensions.Code
}

// postUsage sends body to /v1/usage/events with contentType and auth
// ("" for none).
func (s *server) postUsage(t testing.TB, auth, contentType string, body []byte) usageAnswer {
	t.Helper()
	h := map[string]string{"Content-Type": contentType}
	if auth != "" {
		h["Authorization"] = auth
	}
	status, raw := s.send(t, "/v1/usage/events", h, body)
	a := usageAnswer{Status: status}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("status %d, undecodable body %q: %v", status, raw, err)
	}
	return a
}

// cloudEvent returns one usage CloudEvent.
func cloudEvent(id, typ string, quantity int64) map[string]any {
	return map[string]any{"specversion": "1.0", "id": id, "source": "e2e", "type": typ, "data": map[string]any{"quantity": quantity}}
}

func batchBody(t testing.TB, evs ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const ceBatch = "application/cloudevents-batch+json"

// usageQuery reads the org's usage as c.
const usageQuery = `query($org: ID!, $member: ID) { org(id: $org) { usage(memberId: $member) { scope memberId
	metrics { metric quantity limit fractionUsed level overLimit overLimitEvents } } usagePeriods { start end } } }`

type usageView struct {
	Usage struct {
		Scope    string
		MemberID *string
		Metrics  []struct {
			Metric          string
			Quantity        int64
			Limit           *int64
			FractionUsed    *float64
			Level           string
			OverLimit       bool
			OverLimitEvents int64
		}
	}
	UsagePeriods []struct{ Start, End time.Time }
}

func (c *client) usage(t testing.TB, orgID string, member any) usageView {
	t.Helper()
	var v usageView
	c.must(t, usageQuery, map[string]any{"org": orgID, "member": member}, "org", &v)
	return v
}

// TestUsageEventsEndpoint: the real server takes CloudEvents batches with
// an API key, counts each event once however often batches are retried
// concurrently, refuses malformed requests with coded errors, and the
// default catalog's Free plan refuses sessions past its limit of 100.
func TestUsageEventsEndpoint(t *testing.T) {
	t.Parallel()
	// The SQLite server loads the default catalog (Free: 100 sessions, refuse).
	s := startServer(t, backends[1].newDB(t), "TALLY_USAGE_BATCH_MAX=50", "TALLY_USAGE_MAX_BODY_BYTES=16384")
	owner := s.user(t, "usage-owner@example.com")
	orgID := owner.createOrg(t, "Metered", "DE", "EUR")
	_, key := owner.createKey(t, orgID, "backend")
	mia, miaID := s.join(t, owner, orgID, "usage-mia@example.com", "MEMBER")
	auth := "Bearer " + key

	// Concurrent retried batches: 6 senders, overlapping windows of 40
	// events of 1 session each, every batch sent twice.
	var evs []map[string]any
	for i := range 90 {
		e := cloudEvent(fmt.Sprintf("s-%02d", i), "sessions", 1)
		if i%3 == 0 {
			e["subject"] = miaID
		}
		evs = append(evs, e)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := w * 10
			body := batchBody(t, evs[start:min(start+40, len(evs))]...)
			for range 2 {
				a := s.postUsage(t, auth, ceBatch, body)
				if a.Status != http.StatusOK || a.Invalid+a.Refused != 0 {
					t.Errorf("batch %d: %+v", w, a)
					return
				}
				mu.Lock()
				accepted += a.Accepted
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if accepted != len(evs) {
		t.Fatalf("accepted %d, want each of %d events once", accepted, len(evs))
	}
	v := owner.usage(t, orgID, nil)
	if v.Usage.Scope != "ORG" || v.Usage.Metrics[0].Quantity != 90 || v.Usage.Metrics[0].Level != "WARNING" ||
		v.Usage.Metrics[0].Limit == nil || *v.Usage.Metrics[0].Limit != 100 || len(v.UsagePeriods) != 1 {
		t.Fatalf("owner's view %+v", v)
	}
	if own := mia.usage(t, orgID, nil); own.Usage.Scope != "MEMBER" || own.Usage.Metrics[0].Quantity != 30 {
		t.Fatalf("mia's view %+v", own)
	}
	if r := mia.do(t, usageQuery, map[string]any{"org": orgID, "member": ghostID("User")}); r.code() != "FORBIDDEN" {
		t.Fatalf("mia reading another member: %+v", r)
	}

	// Past the limit: 10 fit, the 11th is refused with its code.
	var more []map[string]any
	for i := range 11 {
		more = append(more, cloudEvent(fmt.Sprintf("more-%02d", i), "SESSIONS", 1))
	}
	a := s.postUsage(t, auth, ceBatch, batchBody(t, more...))
	if a.Accepted != 10 || a.Refused != 1 || a.Results[10].Code != "USAGE_LIMIT_EXCEEDED" {
		t.Fatalf("past the limit: %+v", a)
	}
	// The single-event content type.
	one, _ := json.Marshal(cloudEvent("bytes-1", "storage_bytes", 1024))
	if a := s.postUsage(t, auth, "application/cloudevents+json", one); a.Accepted != 1 {
		t.Fatalf("single event: %+v", a)
	}
	// recordUsage says USAGE_LIMIT_EXCEEDED as a GraphQL error.
	r := s.as(auth).do(t, `mutation($org: ID!) { recordUsage(input: {orgId: $org, eventId: "gql-1", metric: SESSIONS, quantity: 1}) { outcome } }`,
		map[string]any{"org": orgID})
	if r.code() != "USAGE_LIMIT_EXCEEDED" {
		t.Fatalf("recordUsage past the limit: %+v", r)
	}

	// Bad events inside a good request: INVALID each, with the attribute.
	bad := []map[string]any{
		{"specversion": "0.3", "id": "v03", "source": "e2e", "type": "sessions", "data": map[string]any{"quantity": 1}},
		{"id": "nospec", "source": "e2e", "type": "sessions", "data": map[string]any{"quantity": 1}},
		{"specversion": "1.0", "source": "e2e", "type": "sessions", "data": map[string]any{"quantity": 1}},
		{"specversion": "1.0", "id": "nosource", "type": "sessions", "data": map[string]any{"quantity": 1}},
		{"specversion": "1.0", "id": "cpu", "source": "e2e", "type": "cpu", "data": map[string]any{"quantity": 1}},
		{"specversion": "1.0", "id": "nodata", "source": "e2e", "type": "events"},
		{"specversion": "1.0", "id": "float", "source": "e2e", "type": "events", "data": map[string]any{"quantity": 1.5}},
		{"specversion": "1.0", "id": "when", "source": "e2e", "type": "events", "time": "yesterday", "data": map[string]any{"quantity": 1}},
		{"specversion": "1.0", "id": "who", "source": "e2e", "type": "events", "subject": "someone", "data": map[string]any{"quantity": 1}},
		{"specversion": "1.0", "id": "zero", "source": "e2e", "type": "events", "data": map[string]any{"quantity": 0}},
	}
	fields := []string{"specversion", "specversion", "id", "source", "type", "data", "data", "time", "subject", "quantity"}
	a = s.postUsage(t, auth, ceBatch, batchBody(t, append(bad, cloudEvent("fine", "events", 2))...))
	if a.Status != http.StatusOK || a.Invalid != len(bad) || a.Accepted != 1 {
		t.Fatalf("bad events: %+v", a)
	}
	for i, f := range fields {
		if a.Results[i].Status != "INVALID" || a.Results[i].Field != f || a.Results[i].Code != "INVALID_INPUT" || a.Results[i].Reason == "" {
			t.Errorf("bad event %d: %+v, want INVALID on %s", i, a.Results[i], f)
		}
	}

	// Requests that cannot be read at all.
	var fifty []map[string]any
	for i := range 51 {
		fifty = append(fifty, cloudEvent(fmt.Sprint("x", i), "events", 1))
	}
	requests := []struct {
		name        string
		auth        string
		contentType string
		body        []byte
		status      int
		code        string
	}{
		{"no credentials", "", ceBatch, batchBody(t, cloudEvent("a", "events", 1)), 401, "UNAUTHENTICATED"},
		{"a wrong key", "Bearer tly_wrong", ceBatch, batchBody(t, cloudEvent("a", "events", 1)), 401, "UNAUTHENTICATED"},
		{"a user token", "Bearer " + token(t, "usage-owner@example.com", false), ceBatch, batchBody(t, cloudEvent("a", "events", 1)), 403, "FORBIDDEN"},
		{"plain JSON", auth, "application/json", batchBody(t, cloudEvent("a", "events", 1)), 415, "INVALID_INPUT"},
		{"not JSON", auth, ceBatch, []byte("[{"), 400, "INVALID_INPUT"},
		{"an object for a batch", auth, ceBatch, []byte(`{"specversion":"1.0"}`), 400, "INVALID_INPUT"},
		{"an empty batch", auth, ceBatch, []byte(`[]`), 400, "INVALID_INPUT"},
		{"too many events", auth, ceBatch, batchBody(t, fifty...), 400, "INVALID_INPUT"},
		{"too large", auth, ceBatch, []byte("[" + strings.Repeat(" ", 20000) + "]"), 413, "INVALID_INPUT"},
		{"a single event that is an array", auth, "application/cloudevents+json", []byte(`[1]`), 400, "INVALID_INPUT"},
	}
	for _, rq := range requests {
		a := s.postUsage(t, rq.auth, rq.contentType, rq.body)
		if a.Status != rq.status || a.code() != rq.code {
			t.Errorf("%s: %d %+v, want %d %s", rq.name, a.Status, a.Errors, rq.status, rq.code)
		}
	}
	// Nothing of the refused requests counted.
	if got := owner.usage(t, orgID, nil).Usage.Metrics[1].Quantity; got != 2 {
		t.Errorf("EVENTS %d, want the one good event's 2", got)
	}
}

// TestUsageEventsAbuse: hostile requests to POST /v1/usage/events on a
// production server are answered fast with one coded error and count
// nothing: huge bodies with and without a key, nesting bombs, and an API
// key past its rate limit.
func TestUsageEventsAbuse(t *testing.T) {
	t.Parallel()
	s := startServer(t, backends[0].newDB(t), "TALLY_ENV=production",
		"TALLY_RATE_LIMIT_API_KEY=1", "TALLY_RATE_LIMIT_API_KEY_BURST=12")
	owner := s.user(t, "usage-abuse@example.com")
	orgID := owner.createOrg(t, "Abused meter", "DE", "EUR")
	_, key := owner.createKey(t, orgID, "backend")
	auth := "Bearer " + key
	huge := []byte("[" + strings.Repeat(`{"specversion":"1.0"},`, 300_000) + "{}]") // 6.6 MB
	nested := []byte(`[{"specversion":"1.0","id":"n","source":"s","type":"events","data":` +
		strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000) + "}]")
	cases := []struct {
		name   string
		auth   string
		body   []byte
		status int
		code   string
	}{
		{"6.6 MB anonymously", "", huge, 401, "UNAUTHENTICATED"},
		{"6.6 MB with a forged key", "Bearer tly_" + strings.Repeat("0", 48), huge, 401, "UNAUTHENTICATED"},
		{"6.6 MB with the key", auth, huge, 413, "INVALID_INPUT"},
		{"data nested 100,000 deep (600 KB)", auth, nested, 400, "INVALID_INPUT"},
		{"data nested 5,000 deep", auth, []byte(`[{"specversion":"1.0","id":"n","source":"s","type":"events","data":` +
			strings.Repeat(`{"a":`, 5_000) + "1" + strings.Repeat("}", 5_000) + "}]"), 200, ""},
	}
	for _, tc := range cases {
		start := time.Now()
		a := s.postUsage(t, tc.auth, ceBatch, tc.body)
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%s: answered in %v", tc.name, took)
		}
		if a.Status != tc.status || a.code() != tc.code {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, a.Status, a.Errors, tc.status, tc.code)
		}
		if tc.status == 200 && a.Invalid != 1 {
			t.Errorf("%s: %+v, want one INVALID event", tc.name, a)
		}
	}
	// The key's rate limit holds here as on /graphql.
	limited := false
	for i := range 30 {
		a := s.postUsage(t, auth, ceBatch, batchBody(t, cloudEvent(fmt.Sprint("r", i), "events", 1)))
		if a.Status == http.StatusTooManyRequests && a.code() == "RATE_LIMITED" {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("30 quick requests of a key limited to 1/s with a burst of 12 were never RATE_LIMITED")
	}
	s.stop(t)
	if strings.Contains(s.log.String(), "internal error") {
		t.Errorf("an attack was logged as an internal error:\n%s", s.log)
	}
}

// TestUsagePeriodsOnTheTestClock: on a server whose clock a platform admin
// moves, usage rolls over at the org's monthly reset (the Free plan's,
// anchored at the org's creation), the past period stays readable with
// usage(at:), a late event of the period just ended still counts there,
// and the threshold crossing of the new period is a new event in the
// org's history.
func TestUsagePeriodsOnTheTestClock(t *testing.T) {
	t.Parallel()
	s := startServer(t, backends[1].newDB(t), "TALLY_TEST_CLOCK=1")
	admin := s.as("Bearer " + token(t, "root@platform.example", true))
	owner := s.user(t, "usage-clock@example.com")
	orgID := owner.createOrg(t, "Clocked meter", "DE", "EUR")
	_, key := owner.createKey(t, orgID, "backend")
	auth := "Bearer " + key
	var created time.Time
	owner.must(t, readClock, nil, "testClock", &created)

	send := func(id string, q int64, at *time.Time) usageAnswer {
		t.Helper()
		e := cloudEvent(id, "sessions", q)
		if at != nil {
			e["time"] = at.Format(time.RFC3339Nano)
		}
		return s.postUsage(t, auth, ceBatch, batchBody(t, e))
	}
	if a := send("march-1", 85, nil); a.Accepted != 1 {
		t.Fatalf("first event: %+v", a)
	}
	// A month and a day on: a new period, starting at zero.
	var now time.Time
	admin.must(t, advanceClock, map[string]any{"by": "768h"}, "advanceTestClock", &now)
	v := owner.usage(t, orgID, nil)
	if v.Usage.Metrics[0].Quantity != 0 || v.Usage.Metrics[0].Level != "OK" {
		t.Fatalf("the new period: %+v", v.Usage.Metrics[0])
	}
	late := now.Add(-48 * time.Hour) // in the period just ended
	if a := send("march-late", 5, &late); a.Accepted != 1 {
		t.Fatalf("late event: %+v", a)
	}
	if a := send("april-1", 90, nil); a.Accepted != 1 {
		t.Fatalf("new period's event: %+v", a)
	}
	var past usageView
	owner.must(t, `query($org: ID!, $at: Time) { org(id: $org) { usage(at: $at) { scope memberId metrics { metric quantity level } } usagePeriods { start end } } }`,
		map[string]any{"org": orgID, "at": created.Add(time.Hour).Format(time.RFC3339Nano)}, "org", &past)
	if past.Usage.Metrics[0].Quantity != 90 || past.Usage.Metrics[0].Level != "WARNING" || len(past.UsagePeriods) != 2 {
		t.Fatalf("the past period: %+v", past)
	}
	if !past.UsagePeriods[1].End.Equal(past.UsagePeriods[0].Start) || past.UsagePeriods[1].Start.After(created) {
		t.Fatalf("periods %+v do not follow each other from the org's creation %v", past.UsagePeriods, created)
	}
	// One WARNING crossing per period: two in the history.
	var hist struct {
		History struct {
			Edges []struct{ Node struct{ Kind string } }
		}
	}
	owner.must(t, `query($org: ID!) { org(id: $org) { history(first: 20) { edges { node { kind } } } } }`,
		map[string]any{"org": orgID}, "org", &hist)
	n := 0
	for _, e := range hist.History.Edges {
		if e.Node.Kind == "USAGE_THRESHOLD_CROSSED" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d USAGE_THRESHOLD_CROSSED events, want one per period: %+v", n, hist)
	}
}

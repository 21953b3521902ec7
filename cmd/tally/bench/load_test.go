package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestAppendDebitBody(t *testing.T) {
	body := appendDebitBody(nil, `T3JnOjE="`, "ab12-tpcb", 7, 42)
	var req struct {
		Query     string            `json:"query"`
		Variables map[string]string `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	want := map[string]string{"orgId": `T3JnOjE="`, "key": "bench-ab12-tpcb-7-42"}
	if req.Query != consumeMutation || len(req.Variables) != 2 ||
		req.Variables["orgId"] != want["orgId"] || req.Variables["key"] != want["key"] {
		t.Errorf("got %+v, want the mutation with %v", req, want)
	}
}

func TestCheckDebitResponse(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{"ok", 200, `{"data":{"consumeCredits":{"entry":{"id":"TGVkZ2VyRW50cnk6MQ=="},"balance":{"total":99}}}}`, ""},
		{"graphql error", 200, `{"errors":[{"message":"not enough credits","extensions":{"code":"INSUFFICIENT_CREDITS"}}],"data":{"consumeCredits":null}}`,
			"HTTP 200: INSUFFICIENT_CREDITS: not enough credits"},
		{"unauthenticated", 401, `{"errors":[{"message":"invalid API key","extensions":{"code":"UNAUTHENTICATED"}}]}`,
			"HTTP 401: UNAUTHENTICATED: invalid API key"},
		{"proxy error", 502, `bad gateway`, "HTTP 502: bad gateway"},
		{"not json", 200, `<html>`, "bad JSON answer: invalid character '<' looking for beginning of value: <html>"},
		{"no entry", 200, `{"data":{"consumeCredits":null}}`, `answer without consumeCredits.entry.id: {"data":{"consumeCredits":null}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkDebitResponse(tt.status, []byte(tt.body))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("got %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestPickCoversEveryTarget(t *testing.T) {
	tests := []struct{ targets, clients int }{{1000, 64}, {1, 64}, {10, 3}, {7, 7}}
	for _, tt := range tests {
		l := &load{targets: make([]Target, tt.targets), clients: tt.clients}
		for i := range l.targets {
			l.targets[i].OrgID = string(rune('a' + i%26))
			l.targets[i].APIKey = string(rune(i))
		}
		seen := map[string]bool{}
		for c := range tt.clients {
			for k := range tt.targets {
				seen[l.pick(c, k).APIKey] = true
			}
		}
		if len(seen) != tt.targets {
			t.Errorf("%d targets, %d clients: %d targets used", tt.targets, tt.clients, len(seen))
		}
	}
}

func TestLoadRun(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(w http.ResponseWriter, r *http.Request)
		wantError string
	}{
		{"all succeed", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"data":{"consumeCredits":{"entry":{"id":"e1"},"balance":{"total":1}}}}`)
		}, ""},
		{"all refused", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"message":"invalid API key","extensions":{"code":"UNAUTHENTICATED"}}]}`)
		}, "HTTP 401: UNAUTHENTICATED: invalid API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu   sync.Mutex
				keys = map[string]bool{}
				dups int
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					Variables struct{ OrgID, Key string }
				}
				if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.Header.Get("Authorization") != "Bearer tly_"+req.Variables.OrgID {
					http.Error(w, "bad request", http.StatusBadRequest)
					return
				}
				mu.Lock()
				dups += map[bool]int{true: 1}[keys[req.Variables.Key]]
				keys[req.Variables.Key] = true
				mu.Unlock()
				tt.answer(w, r)
			}))
			defer srv.Close()
			l := &load{endpoint: srv.URL, clients: 4, warmup: 50 * time.Millisecond, duration: 200 * time.Millisecond, runID: "t",
				targets: []Target{{"o1", "tly_o1", "1"}, {"o2", "tly_o2", "2"}, {"o3", "tly_o3", "3"}}}
			r := l.run(context.Background())
			if dups != 0 {
				t.Errorf("%d idempotency keys repeated", dups)
			}
			if r.Window != l.duration {
				t.Errorf("window %s, want %s", r.Window, l.duration)
			}
			got, want := r.Successes+r.Errors, len(keys)
			if got == 0 || got >= want {
				t.Errorf("%d requests counted of %d sent: want some, warm-up excluded", got, want)
			}
			if tt.wantError == "" {
				if r.Errors != 0 || r.Latencies.Count != r.Successes || r.Latencies.P50 <= 0 || r.Latencies.Max < r.Latencies.P99 {
					t.Errorf("result %+v", r)
				}
				return
			}
			if r.Successes != 0 || len(r.ErrorSamples) != maxErrorSamples || r.ErrorSamples[0] != tt.wantError {
				t.Errorf("result %+v, want only errors %q", r, tt.wantError)
			}
		})
	}
}

// Package scrape reads a running server's /metrics for tests: it lets a
// test wait for the server to reach a state (subscriptions registered)
// instead of sleeping and hoping.
package scrape

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// WaitForGauge polls base+"/metrics" until the unlabelled gauge name has
// value n, and fails t after timeout, or as soon as an error arrives on
// one of abort (a process the test started exited, say).
func WaitForGauge(t testing.TB, base, name string, n int, timeout time.Duration, abort ...<-chan error) {
	t.Helper()
	want := fmt.Sprintf("\n%s %d\n", name, n)
	deadline := time.Now().Add(timeout)
	for {
		for _, a := range abort {
			select {
			case err := <-a:
				t.Fatalf("waiting for %s to reach %d: %v", name, n, err)
			default:
			}
		}
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach %d within %v", name, n, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Subscriptions is the gauge of open GraphQL subscriptions; it goes up once
// a subscription has registered with the event bus, so a change made after
// WaitForGauge returns is delivered to it.
const Subscriptions = "tally_graphql_active_subscriptions"

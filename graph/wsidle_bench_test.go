package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

// idleSockets is how many idle subscribers BenchmarkIdleSockets opens.
const idleSockets = 1000

// BenchmarkIdleSockets measures what an idle subscriber costs the server:
// it opens idleSockets websockets (graphql-transport-ws, signed in, one
// balanceUpdated subscription each) and reports the growth of the
// process's goroutines and of its heap and stack memory in use (after a
// GC), per connection. The clients are bare TCP connections that write
// hand-made frames, so that next to the server they cost little (no
// goroutine, a socket each). The connections are detached from their
// requests as in `tally serve`.
//
//	go test -run '^$' -bench IdleSockets -benchtime 1x ./graph/
func BenchmarkIdleSockets(b *testing.B) {
	ctx := context.Background()
	bs := bus.NewLocal()
	b.Cleanup(func() { _ = bs.Close() })
	svc := domain.NewService(dbtest.SQLite(b), domain.Config{}, domain.WithBus(bs))
	a, err := auth.New(ctx, auth.Config{HS256Secret: testSecret}, svc)
	if err != nil {
		b.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	gql := graph.NewHandler(svc, graph.Options{Auth: a, Metrics: graph.NewMetrics(reg), Websockets: graph.WebsocketLimits{
		Connections: 2 * idleSockets, PerPrincipal: 2 * idleSockets, Subscriptions: 2,
	}})
	// As in `tally serve` (cmd/tally/http.go): the request's context
	// outlives its handler, and the transport may hand the connection to
	// a goroutine of its own.
	detach := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, _ := graph.WithDetachment(context.WithoutCancel(r.Context()))
		gql.ServeHTTP(w, r.WithContext(ctx))
	})
	ts := httptest.NewServer(a.Middleware(detach))
	b.Cleanup(ts.Close)
	token, err := auth.Mint(testSecret, auth.Claims{Email: "owner@example.com", Name: "Owner"})
	if err != nil {
		b.Fatal(err)
	}
	org := benchOrg(b, ts.URL, token)
	waitSubscriptions := func(n int) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			mfs, err := reg.Gather()
			if err != nil {
				b.Fatal(err)
			}
			for _, mf := range mfs {
				if mf.GetName() == "tally_graphql_active_subscriptions" && int(mf.GetMetric()[0].GetGauge().GetValue()) == n {
					return
				}
			}
			if time.Now().After(deadline) {
				b.Fatalf("the server did not count %d open subscriptions within 30s", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	addr := strings.TrimPrefix(ts.URL, "http://")
	upgrade := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
		"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
	open := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		msg := []byte(upgrade)
		msg = append(msg, clientFrame(`{"type":"connection_init","payload":{"authorization":"Bearer `+token+`"}}`)...)
		msg = append(msg, clientFrame(`{"type":"subscribe","id":"1","payload":{"query":"subscription($o: ID!) { balanceUpdated(orgId: $o) { balance { total } } }","variables":{"o":"`+org+`"}}}`)...)
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		// Read up to the ack; the subscription's first message, its balance, is
		// left unread in the socket.
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReaderSize(c, 512)
		var seen []byte
		for !bytes.Contains(seen, []byte("connection_ack")) {
			buf := make([]byte, 256)
			n, err := br.Read(buf)
			if err != nil {
				b.Fatalf("waiting for connection_ack: %v (%q)", err, seen)
			}
			seen = append(seen, buf[:n]...)
		}
		_ = c.SetReadDeadline(time.Time{})
		return c
	}
	measure := func() (goroutines int, heap, stack uint64) {
		var ms runtime.MemStats
		for range 3 {
			runtime.GC()
		}
		runtime.ReadMemStats(&ms)
		return runtime.NumGoroutine(), ms.HeapInuse, ms.StackInuse
	}
	for b.Loop() {
		g0, h0, s0 := measure()
		conns := make([]net.Conn, 0, idleSockets)
		for range idleSockets {
			conns = append(conns, open())
		}
		waitSubscriptions(idleSockets)
		time.Sleep(100 * time.Millisecond) // short-lived goroutines of the start-up end
		g1, h1, s1 := measure()
		b.ReportMetric(float64(g1-g0)/idleSockets, "goroutines/conn")
		b.ReportMetric(float64(int64(h1+s1)-int64(h0+s0))/idleSockets, "bytes/conn")
		b.ReportMetric(float64(int64(h1)-int64(h0))/idleSockets, "heap-bytes/conn")
		b.ReportMetric(float64(int64(s1)-int64(s0))/idleSockets, "stack-bytes/conn")
		writeProfiles(b)
		for _, c := range conns {
			_ = c.Close()
		}
		waitSubscriptions(0)
	}
}

// writeProfiles writes the heap and goroutine profiles of the idle
// sockets into the directory TALLY_BENCH_PROFILE names (nothing when it is
// unset): heap.pprof (in use after a GC) and goroutine.txt (every stack).
func writeProfiles(b *testing.B) {
	dir := os.Getenv("TALLY_BENCH_PROFILE")
	if dir == "" {
		return
	}
	for name, p := range map[string]struct {
		profile string
		debug   int
	}{"heap.pprof": {"heap", 0}, "goroutine.txt": {"goroutine", 1}} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.Lookup(p.profile).WriteTo(f, p.debug); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// clientFrame is a masked text frame carrying payload.
func clientFrame(payload string) []byte {
	key := [4]byte{1, 2, 3, 4}
	frame := []byte{0x81}
	switch n := len(payload); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	default:
		frame = append(frame, 0x80|126, byte(n>>8), byte(n))
	}
	frame = append(frame, key[:]...)
	for i := range len(payload) {
		frame = append(frame, payload[i]^key[i%4])
	}
	return frame
}

// benchOrg creates an org as the bearer of token and returns its global ID.
func benchOrg(b *testing.B, url, token string) string {
	body := `{"query":"mutation { createOrg(input: {name: \"Acme\", country: \"DE\", currency: EUR}) { org { id } } }"}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var out struct {
		Data struct {
			CreateOrg struct{ Org struct{ ID string } }
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Data.CreateOrg.Org.ID == "" {
		b.Fatalf("createOrg: %v %+v", err, out)
	}
	return out.Data.CreateOrg.Org.ID
}

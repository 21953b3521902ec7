package wsload_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/cmd/tally/internal/wsload"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

func TestMain(m *testing.M) { tallytest.Main(m) }

// TestPushLoad runs the push load against real servers on PostgreSQL: by
// default a small run against this tree's binary (correctness: every push
// arrives, in order). For measurements set
//
//	WSLOAD_BINARIES=base=/tmp/tally-base,new=/tmp/tally-new  (label=path, run in order)
//	WSLOAD_ORGS=1000 WSLOAD_PER_ORG=10 WSLOAD_CLIENTS=64 WSLOAD_DURATION=20s
//	WSLOAD_SERVER_ENV=TALLY_DB_MAX_CONNS=40,...  (more settings of the servers)
//
// Each binary gets a fresh database and runs two scenarios: every org
// spending, then one org spending.
func TestPushLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	orgs := envInt(t, "WSLOAD_ORGS", 5)
	perOrg := envInt(t, "WSLOAD_PER_ORG", 4) // 0: no subscribers (the debit rate without them)
	clients := envInt(t, "WSLOAD_CLIENTS", 4)
	duration := 2 * time.Second
	if v := os.Getenv("WSLOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		duration = d
	}
	type bin struct{ label, path string }
	var bins []bin
	if v := os.Getenv("WSLOAD_BINARIES"); v != "" {
		for _, kv := range strings.Split(v, ",") {
			label, path, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("WSLOAD_BINARIES: %q is not label=path", kv)
			}
			bins = append(bins, bin{label, path})
		}
	} else {
		bins = []bin{{"this tree", tallytest.Binary(t)}}
	}
	var report strings.Builder
	for _, b := range bins {
		dbURL := dbtest.PostgresURL(t)
		targets := setup(t, dbURL, orgs)
		srv := start(t, b.path, dbURL)
		var subs []wsload.Org
		for range perOrg {
			subs = append(subs, targets...)
		}
		ctx := context.Background()
		spread, err := wsload.Run(ctx, wsload.Options{URL: srv.url, Subscribers: subs, Spend: targets,
			Clients: clients, Duration: duration, ServerPID: srv.cmd.Process.Pid})
		if err != nil {
			t.Fatalf("%s: %v", b.label, err)
		}
		one, err := wsload.Run(ctx, wsload.Options{URL: srv.url, Subscribers: subs, Spend: targets[:1],
			Clients: clients, Duration: duration})
		if err != nil {
			t.Fatalf("%s: %v", b.label, err)
		}
		fmt.Fprintf(&report, "== %s: %d orgs x %d subscribers, %d spending clients, %s\n", b.label, orgs, perOrg, clients, duration)
		fmt.Fprintf(&report, "-- every org spending:\n%s\n-- one org spending:\n%s\n", spread, one)
		for _, r := range []wsload.Result{spread, one} {
			if r.Backwards > 0 || r.DebitErrors > 0 || r.Debits == 0 || (perOrg > 0 && r.Pushes == 0) {
				t.Errorf("%s: %d pushes backwards, %d debit errors, %d debits, %d pushes", b.label, r.Backwards, r.DebitErrors, r.Debits, r.Pushes)
			}
		}
		srv.stop(t)
	}
	t.Logf("push load:\n%s", report.String())
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || (n == 0 && name != "WSLOAD_PER_ORG") {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// setup creates n funded orgs, each with an API key, on the database.
func setup(t *testing.T, dbURL string, n int) []wsload.Org {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL, db.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	svc := domain.NewService(d, domain.Config{})
	u, err := svc.EnsureUser(ctx, "wsload", "wsload@tally.invalid", "wsload")
	if err != nil {
		t.Fatal(err)
	}
	owner := domain.Actor{UserID: u.ID, Email: u.Email}
	admin := owner
	admin.PlatformAdmin = true
	ownerCtx, adminCtx := domain.WithActor(ctx, owner), domain.WithActor(ctx, admin)
	out := make([]wsload.Org, n)
	for i := range out {
		org, err := svc.CreateOrg(ownerCtx, domain.CreateOrgInput{Name: fmt.Sprintf("wsload %d", i), Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GrantCredits(adminCtx, domain.GrantInput{OrgID: org.ID, Amount: 1_000_000_000_000,
			Kind: domain.GrantAdjustment, Reason: "wsload", IdempotencyKey: "wsload-" + org.ID}); err != nil {
			t.Fatal(err)
		}
		_, secret, err := svc.CreateAPIKey(ownerCtx, org.ID, "wsload")
		if err != nil {
			t.Fatal(err)
		}
		out[i] = wsload.Org{ID: graph.EncodeID("Org", org.ID), APIKey: secret}
	}
	return out
}

type server struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{}
}

// start runs `bin serve` in production mode on the database.
func start(t *testing.T, bin, dbURL string) *server {
	t.Helper()
	addr := tallytest.FreeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr)
	cmd.Env = tallytest.Env("DATABASE_URL="+dbURL, "TALLY_ENV=production", "TALLY_LOG_LEVEL=error",
		"TALLY_JWT_SECRET="+randomHex(t), "TALLY_WS_MAX_CONNECTIONS=100000")
	if extra := os.Getenv("WSLOAD_SERVER_ENV"); extra != "" {
		cmd.Env = append(cmd.Env, strings.Split(extra, ",")...)
	}
	log := &tallytest.Log{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{url: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("server log:\n%s", log)
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-s.done:
			t.Fatalf("server exited:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // start-up garbage settles before the idle RSS
	return s
}

func randomHex(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

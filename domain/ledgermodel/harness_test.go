package ledgermodel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/sandbox"
)

// t0 is where every check's clock starts.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// webhookSecret signs the sandbox's deliveries; the harness re-signs a
// delivery when it hands it over, as a provider signs each attempt.
var webhookSecret = []byte("whsec_ledger_model")

// testClock is the service's clock; only the test moves it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// hook is one webhook the sandbox sent, held back until the test delivers
// it: its body, decoded for the comparison with the model.
type hook struct {
	body  []byte
	event sandbox.Event
}

// outbox holds the sandbox's webhooks in the order they were sent.
type outbox struct {
	mu    sync.Mutex
	hooks []hook
}

func (o *outbox) capture(_ context.Context, req domain.WebhookRequest) error {
	var ev sandbox.Event
	if err := json.Unmarshal(req.Body, &ev); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hooks = append(o.hooks, hook{body: req.Body, event: ev})
	return nil
}

// await waits until n webhooks are held (the sandbox sends them from its
// own goroutines) and returns them; it gives up after a deadline.
func (o *outbox) await(n int) ([]hook, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		o.mu.Lock()
		got := append([]hook(nil), o.hooks...)
		o.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				return got, fmt.Errorf("the sandbox sent %d webhooks, the model expects %d", len(got), n)
			}
			return got, nil
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// peek returns held webhook i, keeping it.
func (o *outbox) peek(i int) hook {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hooks[i]
}

// take removes and returns held webhook i.
func (o *outbox) take(i int) hook {
	o.mu.Lock()
	defer o.mu.Unlock()
	h := o.hooks[i]
	o.hooks = append(o.hooks[:i:i], o.hooks[i+1:]...)
	return h
}

// signedNow is h's delivery signed at the time it is handed over.
func (h hook) signedNow() domain.WebhookRequest {
	req := domain.WebhookRequest{Header: make(map[string][]string), Body: h.body}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(sandbox.SignatureHeader, sandbox.Sign(webhookSecret, time.Now(), h.body))
	return req
}

// system is the real thing one check drives: a service on a fresh store,
// with the sandbox gateway whose webhooks wait in an outbox.
type system struct {
	store  domain.Store
	svc    *domain.Service
	clock  *testClock
	sb     *sandbox.Gateway
	out    *outbox
	owner  context.Context
	admin  context.Context
	orgID  string
	packs  map[string]domain.Pack // by code
	plan   domain.Plan
	card   string // the org's saved card (sandbox 4242…), which subscriptions renew with
	closed []func()
}

// Catalog of the checks: a pack that never expires and one valid a billing
// cycle (a month after payment, the org having no subscription).
const (
	packNever = "never"
	packCycle = "cycle"
)

// The plan of the checks: monthly, per seat, with included credits.
const (
	planSeatNet     = 1000
	planSeatCredits = 4000
)

// signupCredits and signupTTL are the sign-up gift of every check's org.
const (
	signupCredits = 1000
	signupTTL     = 10 * 24 * time.Hour
)

func newSystem(st domain.Store) (*system, error) {
	s := &system{store: st, clock: &testClock{now: t0}, out: &outbox{}}
	sb, err := sandbox.New(sandbox.Config{
		BaseURL: "http://tally.test", WebhookSecret: webhookSecret, Deliver: s.out.capture,
		DeliveryDelay: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	s.sb = sb
	s.closed = append(s.closed, func() { _ = sb.Close() })
	reg, err := gateways.New(nil, sb)
	if err != nil {
		return nil, err
	}
	s.svc = domain.NewService(st, domain.Config{SignupGrant: signupCredits, SignupGrantTTL: signupTTL, PublicURL: "http://tally.test"},
		domain.WithClock(s.clock), domain.WithGateways(reg), domain.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	s.closed = append(s.closed, s.svc.Close)
	ctx := context.Background()
	ou, err := s.svc.EnsureUser(ctx, "test|owner", "owner@example.com", "Owner")
	if err != nil {
		return nil, err
	}
	s.owner = domain.WithActor(ctx, domain.Actor{UserID: ou.ID, Email: ou.Email, EmailVerified: true})
	au, err := s.svc.EnsureUser(ctx, "test|admin", "admin@example.com", "Admin")
	if err != nil {
		return nil, err
	}
	s.admin = domain.WithActor(ctx, domain.Actor{UserID: au.ID, Email: au.Email, EmailVerified: true, PlatformAdmin: true})
	org, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
	if err != nil {
		return nil, err
	}
	s.orgID = org.ID
	cat, err := s.svc.LoadCatalog(ctx, domain.Catalog{Plans: []domain.Plan{{
		Code: "team-monthly", Name: "Team", Interval: domain.Monthly, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: planSeatNet}},
		IncludedCreditsPerSeat: planSeatCredits, Seats: 1, Active: true,
	}}, Packs: []domain.Pack{
		{Code: packNever, Name: "Never", Credits: 3000, Validity: domain.ValidityNever, Active: true,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 500}}},
		{Code: packCycle, Name: "Cycle", Credits: 2000, Validity: domain.ValidityBillingCycle, Active: true, Position: 1,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 300}}},
	}})
	if err != nil {
		return nil, err
	}
	s.plan = cat.Plans[0]
	pm, err := s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{OrgID: org.ID, Gateway: sandbox.Name, Token: cardPays, IdempotencyKey: "card"})
	if err != nil || pm.Status != domain.MethodActive {
		return nil, fmt.Errorf("save card: %+v, %v", pm, err)
	}
	s.card = pm.ID
	s.packs = map[string]domain.Pack{}
	for _, p := range cat.Packs {
		s.packs[p.Code] = p
	}
	return s, nil
}

func (s *system) close() {
	for i := len(s.closed) - 1; i >= 0; i-- {
		s.closed[i]()
	}
}

// A backend makes one fresh, migrated store per check and measures what
// that costs.
type backend interface {
	fresh() (domain.Store, func(), error)
}

// pgBackend copies dbtest's migrated template database for each check.
type pgBackend struct{ t *testing.T }

func (b pgBackend) fresh() (domain.Store, func(), error) {
	tb := &checkTB{TB: b.t}
	u := dbtest.PostgresURL(tb)
	d, err := db.Open(context.Background(), u, db.Options{MaxOpenConns: 4})
	if err != nil {
		tb.cleanup()
		return nil, nil, err
	}
	return d, func() { _ = d.Close(); tb.cleanup() }, nil
}

// checkTB is the test as dbtest sees it during one check: its cleanups
// run when the check ends, not when the whole test does.
type checkTB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
}

func (c *checkTB) Cleanup(f func()) { c.mu.Lock(); c.cleanups = append(c.cleanups, f); c.mu.Unlock() }

func (c *checkTB) cleanup() {
	c.mu.Lock()
	fs := c.cleanups
	c.cleanups = nil
	c.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// sqliteBackend copies a database file migrated once for each check.
type sqliteBackend struct {
	dir      string
	template string
}

func newSQLiteBackend(t *testing.T) (*sqliteBackend, error) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.db")
	d, err := db.Open(context.Background(), "sqlite://"+tpl, db.Options{})
	if err != nil {
		return nil, err
	}
	err = d.Migrate(context.Background())
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return &sqliteBackend{dir: dir, template: tpl}, err
}

func (b *sqliteBackend) fresh() (domain.Store, func(), error) {
	dir, err := os.MkdirTemp(b.dir, "check")
	if err != nil {
		return nil, nil, err
	}
	raw, err := os.ReadFile(b.template)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, "tally.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return nil, nil, err
	}
	d, err := db.Open(context.Background(), "sqlite://"+path, db.Options{})
	if err != nil {
		return nil, nil, err
	}
	return d, func() { _ = d.Close(); _ = os.RemoveAll(dir) }, nil
}

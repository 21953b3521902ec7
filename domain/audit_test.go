package domain_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/sandbox"
)

// auditClock is a settable clock, so that grants can expire.
type auditClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *auditClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *auditClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// auditSeed is what seedAuditStore made, for the corruptions to aim at.
type auditSeed struct {
	orgs []string
	// adminGrant is a PURCHASED grant an admin gave orgs[0] (no order).
	adminGrant string
	// paidOrder is orgs[0]'s last paid order (no refund): its invoice is
	// the last invoice issued.
	paidOrder string
	// refundedOrder is orgs[1]'s order refunded in part; its credit note
	// is the last one issued.
	refundedOrder string
	// consume is a CONSUME entry of orgs[0].
	consume string
}

// seedAuditStore fills d through the domain service as the API would:
// three orgs with sign-up credit, admin grants with keys, keyed spends, an
// expired grant, a plan subscription and pack purchases paid by sandbox
// webhooks, a full and a partial refund with credit notes, and an order
// left unpaid.
func seedAuditStore(t *testing.T, d *db.DB) auditSeed {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{BaseURL: "http://tally.test", WebhookSecret: []byte("whsec_test"),
		Deliver: func(context.Context, domain.WebhookRequest) error { return nil }})
	mustA(t, err)
	t.Cleanup(func() { _ = sb.Close() })
	reg, err := gateways.New(nil, sb)
	mustA(t, err)
	clk := &auditClock{now: time.Now().UTC().Truncate(time.Microsecond)}
	svc := domain.NewService(d, domain.Config{SignupGrant: 1000}, domain.WithGateways(reg), domain.WithClock(clk))
	u, err := svc.EnsureUser(context.Background(), "sub-"+uuid.NewString(), "owner@x.io", "Owner")
	mustA(t, err)
	owner := domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Email: u.Email, EmailVerified: true})
	au, err := svc.EnsureUser(context.Background(), "sub-"+uuid.NewString(), "admin@x.io", "Admin")
	mustA(t, err)
	admin := domain.WithActor(context.Background(), domain.Actor{UserID: au.ID, Email: au.Email, EmailVerified: true, PlatformAdmin: true})
	cat, err := svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
		Code: "pro", Name: "Pro", Credits: 5000, Validity: domain.ValidityNever, Active: true,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 2500}},
	}}, Plans: []domain.Plan{{
		Code: "core-monthly", Name: "Core", Interval: domain.Monthly, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 7200}},
		IncludedCreditsPerSeat: 3000, Seats: 1, Active: true,
	}}})
	mustA(t, err)
	pack, plan := cat.Packs[0].ID, cat.Plans[0].ID

	var seed auditSeed
	events := 0
	pay := func(o domain.Order) domain.Order {
		mustA(t, sb.Approve(o.PaymentID))
		events++
		req := sb.Webhook(sandbox.Event{ID: fmt.Sprintf("evt_%d", events), Type: sandbox.EventSucceeded, Created: time.Now().Unix(),
			Data: sandbox.EventData{PaymentID: o.PaymentID, OrderID: o.ID, AmountMinor: o.Total.AmountMinor, Currency: "EUR"}})
		mustA(t, svc.HandleWebhook(context.Background(), "sandbox", req))
		o, err := svc.Order(owner, o.ID)
		mustA(t, err)
		if o.Status != domain.OrderPaid {
			t.Fatalf("order %s is %s after its payment", o.Number, o.Status)
		}
		return o
	}
	buy := func(orgID, key string, paid bool) domain.Order {
		co, err := svc.PurchasePack(owner, domain.PurchaseInput{OrgID: orgID, PackID: pack, Quantity: 1, Installments: 1, IdempotencyKey: key})
		mustA(t, err)
		if !paid {
			return co.Order
		}
		return pay(co.Order)
	}
	for i := range 3 {
		org, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: fmt.Sprintf("Org %d", i), Country: "DE", Currency: domain.EUR})
		mustA(t, err)
		seed.orgs = append(seed.orgs, org.ID)
		exp := clk.Now().Add(time.Hour)
		_, err = svc.GrantCredits(admin, domain.GrantInput{OrgID: org.ID, Amount: 300, Kind: domain.GrantPromo, ExpiresAt: &exp, IdempotencyKey: "promo"})
		mustA(t, err)
		g, err := svc.GrantCredits(admin, domain.GrantInput{OrgID: org.ID, Amount: 2000, Kind: domain.GrantPurchased, IdempotencyKey: "grant"})
		mustA(t, err)
		if i == 0 {
			seed.adminGrant = g.Entry.GrantID()
		}
		for k := range 4 {
			res, err := svc.Consume(owner, domain.ConsumeInput{OrgID: org.ID, Amount: int64(50 + k), IdempotencyKey: fmt.Sprintf("spend-%d", k)})
			mustA(t, err)
			if i == 0 && k == 2 {
				seed.consume = res.Entry.ID
			}
		}
	}
	// The promo grants expire with 300-… left.
	clk.add(2 * time.Hour)
	if _, err := svc.ExpireDue(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	// orgs[2]: a paid subscription (SUBSCRIPTION credits, an invoice);
	// a pack bought and refunded in full; one left unpaid.
	sub, err := svc.Subscribe(owner, domain.SubscribeInput{OrgID: seed.orgs[2], PlanID: plan, Seats: 2, Installments: 1, IdempotencyKey: "subscribe"})
	mustA(t, err)
	if sub.Order == nil {
		t.Fatal("subscribing made no order")
	}
	pay(*sub.Order)
	full := buy(seed.orgs[2], "buy-full", true)
	_, err = svc.RefundOrder(admin, domain.RefundInput{OrderID: full.ID, IdempotencyKey: "refund-full", Reason: "test"})
	mustA(t, err)
	buy(seed.orgs[2], "buy-unpaid", false)
	// orgs[1]: a pack bought, spent from, refunded in part (the last
	// credit note).
	part := buy(seed.orgs[1], "buy-part", true)
	_, err = svc.Consume(owner, domain.ConsumeInput{OrgID: seed.orgs[1], Amount: 2500, IdempotencyKey: "spend-big"})
	mustA(t, err)
	amount := int64(1000)
	_, err = svc.RefundOrder(admin, domain.RefundInput{OrderID: part.ID, Amount: &amount, IdempotencyKey: "refund-part", Reason: "test"})
	mustA(t, err)
	seed.refundedOrder = part.ID
	// orgs[0]: the last invoice, paid, not refunded.
	seed.paidOrder = buy(seed.orgs[0], "buy-paid", true).ID
	return seed
}

// auditStore is a seeded store that tests copy before corrupting.
type auditStore struct {
	dialect string
	url     string // of the seeded original (closed)
	seed    auditSeed
}

// newAuditStores seeds one PostgreSQL and one SQLite store and closes them.
func newAuditStores(t *testing.T) []auditStore {
	t.Helper()
	var out []auditStore
	pgURL := dbtest.PostgresURL(t)
	sqliteURL := "sqlite://" + filepath.Join(t.TempDir(), "seed.db")
	for _, u := range []string{pgURL, sqliteURL} {
		d, err := db.Open(context.Background(), u, db.Options{})
		mustA(t, err)
		if d.Dialect() == db.DialectSQLite {
			mustA(t, d.Migrate(context.Background()))
		}
		seed := seedAuditStore(t, d)
		dialect := d.Dialect()
		mustA(t, d.Close())
		out = append(out, auditStore{dialect: dialect, url: u, seed: seed})
	}
	return out
}

// copyOf returns a fresh copy of the seeded store, open, closed at cleanup.
func (s auditStore) copyOf(t *testing.T) *db.DB {
	t.Helper()
	var u string
	if s.dialect == db.DialectPostgres {
		src, err := url.Parse(s.url)
		mustA(t, err)
		from := strings.TrimPrefix(src.Path, "/")
		name := "tally_audit_" + strings.ReplaceAll(uuid.NewString()[:18], "-", "")
		admin := *src
		admin.Path = "/postgres"
		pgExec(t, admin.String(), fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, from))
		t.Cleanup(func() { pgExec(t, admin.String(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)) })
		dst := *src
		dst.Path = "/" + name
		u = dst.String()
	} else {
		path := filepath.Join(t.TempDir(), "copy.db")
		copyFile(t, strings.TrimPrefix(s.url, "sqlite://"), path)
		u = "sqlite://" + path
	}
	d, err := db.Open(context.Background(), u, db.Options{})
	mustA(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func pgExec(t *testing.T, u, stmt string) {
	t.Helper()
	c, err := pgx.Connect(context.Background(), u)
	mustA(t, err)
	defer func() { _ = c.Close(context.Background()) }()
	if _, err := c.Exec(context.Background(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	mustA(t, err)
	defer func() { _ = in.Close() }()
	out, err := os.Create(to)
	mustA(t, err)
	_, err = io.Copy(out, in)
	mustA(t, err)
	mustA(t, out.Close())
}

// exec runs raw statements on d in one transaction (so that a SQLite
// PRAGMA among them holds for the rest).
func exec(t *testing.T, d *db.DB, stmts ...string) {
	t.Helper()
	err := d.InTx(context.Background(), func(tx domain.Store) error {
		for _, s := range stmts {
			if err := tx.(*db.DB).Gorm().Exec(s).Error; err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	mustA(t, err)
}

func scalar(t *testing.T, d *db.DB, q string, args ...any) string {
	t.Helper()
	var v string
	if err := d.Gorm().Raw(q, args...).Row().Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func audit(t *testing.T, d *db.DB, opts db.AuditOptions) domain.AuditReport {
	t.Helper()
	rep, err := d.Audit(context.Background(), opts)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return rep
}

// The audit's rules are the domain's (AuditKind); its queries are db's
// (db.(*DB).Audit). These tests live here because a realistic store is
// built through the service with the sandbox gateway, which db's own
// tests may not import.

// TestAudit audits a store built by the domain service (clean, in any
// batch size), then copies of it each corrupted on purpose with raw SQL:
// exactly the kind the corruption breaks is found, naming the right rows,
// in every batch size.
func TestAudit(t *testing.T) {
	t.Parallel()
	stores := newAuditStores(t)
	for _, s := range stores {
		t.Run(s.dialect, func(t *testing.T) {
			t.Parallel()
			clean := audit(t, s.copyOf(t), db.AuditOptions{})
			if !clean.Clean() {
				t.Fatalf("the seeded store is not clean: %v", clean.Listed)
			}
			c := clean.Checked
			if c.Orgs != 3 || c.Orders != 5 || c.Invoices != 4 || c.CreditNotes != 2 || c.Grants < 13 || c.Idempotency < 20 || c.LedgerEntries < 20 {
				t.Fatalf("checked %+v: the audit did not read the whole store", c)
			}
			for _, opts := range []db.AuditOptions{{BatchSize: 1}, {BatchSize: 2, IdempotencyPage: 3}, {IdempotencyPage: 1}} {
				if got := audit(t, s.copyOf(t), opts); got.Checked != c || !got.Clean() {
					t.Fatalf("%+v checked %+v (found %v), the defaults checked %+v", opts, got.Checked, got.Found, c)
				}
			}

			sd := s.seed
			org0, org1 := sd.orgs[0], sd.orgs[1]
			for _, tc := range []struct {
				name    string
				kind    domain.AuditKind
				corrupt func(t *testing.T, d *db.DB) (org string, refs []string)
			}{
				{"balance off its ledger", domain.AuditLedgerBalance, func(t *testing.T, d *db.DB) (string, []string) {
					exec(t, d, fmt.Sprintf("UPDATE org_balances SET total = total + 5, paid = paid + 5 WHERE org_id = '%s'", org0))
					return org0, []string{"org_balances:" + org0}
				}},
				{"balance_after off the running sum", domain.AuditRunningBalance, func(t *testing.T, d *db.DB) (string, []string) {
					exec(t, d, fmt.Sprintf("UPDATE ledger_entries SET balance_after = balance_after + 1 WHERE id = '%s'", sd.consume))
					return org0, []string{"ledger_entries:" + sd.consume}
				}},
				{"running balance below zero", domain.AuditNegativeBalance, func(t *testing.T, d *db.DB) (string, []string) {
					// The first two entries (sign-up GRANT, promo GRANT)
					// change places with the first spend: sums agree,
					// the spend now comes first, below zero.
					spend := scalar(t, d, "SELECT id FROM ledger_entries WHERE org_id = ? AND kind = 'CONSUME' ORDER BY seq LIMIT 1", org0)
					seq := scalar(t, d, "SELECT seq FROM ledger_entries WHERE id = ?", spend)
					exec(t, d, dropCheck(d),
						fmt.Sprintf("UPDATE ledger_entries SET seq = seq + 1000 WHERE org_id = '%s' AND seq <= %s", org0, seq),
						fmt.Sprintf("UPDATE ledger_entries SET seq = 1, balance_after = amount WHERE id = '%s'", spend),
						fmt.Sprintf("UPDATE ledger_entries SET seq = seq - 999, balance_after = balance_after + (SELECT amount FROM ledger_entries WHERE id = '%s') WHERE org_id = '%s' AND seq > 1000", spend, org0))
					return org0, []string{"ledger_entries:" + spend}
				}},
				{"allocation to another org's grant", domain.AuditEntryAllocations, func(t *testing.T, d *db.DB) (string, []string) {
					other := scalar(t, d, "SELECT id FROM grants WHERE org_id = ? LIMIT 1", org1)
					allocs := scalar(t, d, "SELECT allocations FROM ledger_entries WHERE id = ?", sd.consume)
					exec(t, d, fmt.Sprintf(`UPDATE ledger_entries SET allocations = '%s' WHERE id = '%s'`,
						strings.TrimSuffix(allocs, "]")+`,{"grantId":"`+other+`","amount":0}]`, sd.consume))
					return org0, []string{"ledger_entries:" + sd.consume, "grants:" + other}
				}},
				{"grant amount off its GRANT entry", domain.AuditGrantRemaining, func(t *testing.T, d *db.DB) (string, []string) {
					exec(t, d, fmt.Sprintf("UPDATE grants SET amount = amount + 1 WHERE id = '%s'", sd.adminGrant))
					return org0, []string{"grants:" + sd.adminGrant}
				}},
				{"paid order's grant unlinked", domain.AuditOrderGrant, func(t *testing.T, d *db.DB) (string, []string) {
					exec(t, d, fmt.Sprintf("UPDATE orders SET grant_id = NULL WHERE id = '%s'", sd.paidOrder))
					return org0, []string{"orders:" + sd.paidOrder}
				}},
				{"paid order without invoice", domain.AuditOrderInvoice, func(t *testing.T, d *db.DB) (string, []string) {
					// The last invoice goes, and its number with it.
					year := scalar(t, d, "SELECT year FROM invoices WHERE order_id = ?", sd.paidOrder)
					exec(t, d, fmt.Sprintf("DELETE FROM invoices WHERE order_id = '%s'", sd.paidOrder),
						fmt.Sprintf("UPDATE counters SET value = value - 1 WHERE name = 'INV-%s'", year))
					return org0, []string{"orders:" + sd.paidOrder}
				}},
				{"refund without its credit note", domain.AuditRefundCreditNote, func(t *testing.T, d *db.DB) (string, []string) {
					year := scalar(t, d, "SELECT year FROM credit_notes WHERE order_id = ?", sd.refundedOrder)
					exec(t, d, fmt.Sprintf("DELETE FROM credit_notes WHERE order_id = '%s'", sd.refundedOrder),
						fmt.Sprintf("UPDATE counters SET value = value - 1 WHERE name = 'CN-%s'", year))
					return org1, []string{"orders:" + sd.refundedOrder}
				}},
				{"invoice number skipped", domain.AuditInvoiceNumbering, func(t *testing.T, d *db.DB) (string, []string) {
					inv := scalar(t, d, "SELECT id FROM invoices WHERE order_id = ?", sd.paidOrder)
					year := scalar(t, d, "SELECT year FROM invoices WHERE id = ?", inv)
					exec(t, d, fmt.Sprintf("UPDATE invoices SET seq = seq + 2 WHERE id = '%s'", inv),
						fmt.Sprintf("UPDATE counters SET value = value + 2 WHERE name = 'INV-%s'", year))
					return "", []string{"INV-" + year, "invoices:" + inv}
				}},
				{"credit note counter ahead", domain.AuditCreditNoteNumbering, func(t *testing.T, d *db.DB) (string, []string) {
					year := scalar(t, d, "SELECT year FROM credit_notes WHERE order_id = ?", sd.refundedOrder)
					exec(t, d, fmt.Sprintf("UPDATE counters SET value = value + 1 WHERE name = 'CN-%s'", year))
					return "", []string{"CN-" + year, "counters:CN-" + year}
				}},
				{"idempotency record pointing at another org's order", domain.AuditIdempotency, func(t *testing.T, d *db.DB) (string, []string) {
					if err := d.Gorm().Exec("UPDATE idempotency_keys SET response = ? WHERE org_id = ? AND idem_key = 'buy-paid'",
						[]byte(sd.refundedOrder), org0).Error; err != nil {
						t.Fatal(err)
					}
					return org0, []string{"idempotency_keys:" + org0 + "/buy-paid", "orders:" + sd.refundedOrder}
				}},
				{"idempotency record pointing at a missing entry", domain.AuditIdempotency, func(t *testing.T, d *db.DB) (string, []string) {
					id := uuid.NewString()
					if err := d.Gorm().Exec("UPDATE idempotency_keys SET response = ? WHERE org_id = ? AND idem_key = 'spend-1'",
						[]byte(`{"Entry":{"ID":"`+id+`"}}`), org0).Error; err != nil {
						t.Fatal(err)
					}
					return org0, []string{"idempotency_keys:" + org0 + "/spend-1", "ledger_entries:" + id}
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					d := s.copyOf(t)
					org, refs := tc.corrupt(t, d)
					for _, batch := range []int{1, 0} {
						rep := audit(t, d, db.AuditOptions{BatchSize: batch, IdempotencyPage: 2 + batch})
						if rep.Found[tc.kind] != 1 || rep.Total() != 1 {
							t.Fatalf("batch %d: found %v, want one %s: %v", batch, rep.Found, tc.kind, rep.Listed)
						}
						got := rep.Listed[0]
						if got.Kind != tc.kind || got.OrgID != org || !hasAll(got.Refs, refs) {
							t.Fatalf("batch %d: listed %+v, want %s of org %q naming %v", batch, got, tc.kind, org, refs)
						}
					}
				})
			}
		})
	}
}

// dropCheck is the statement that lets raw SQL store a negative
// balance_after, which the schema refuses.
func dropCheck(d *db.DB) string {
	if d.Dialect() == db.DialectPostgres {
		return "ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_balance_after_check"
	}
	return "PRAGMA ignore_check_constraints = ON"
}

// hasAll reports whether got holds every one of want.
func hasAll(got, want []string) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// TestAuditWritesNothing: the audit leaves PostgreSQL's data as it was
// and a SQLite file byte for byte, and never migrates an empty database.
func TestAuditWritesNothing(t *testing.T) {
	t.Parallel()
	t.Run("sqlite file unchanged", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "t.db")
		d, err := db.Open(context.Background(), "sqlite://"+path, db.Options{})
		mustA(t, err)
		mustA(t, d.Migrate(context.Background()))
		seedAuditStore(t, d)
		mustA(t, d.Close())
		before := fileSum(t, path)
		d, err = db.Open(context.Background(), "sqlite://"+path, db.Options{MaxOpenConns: 1})
		mustA(t, err)
		if rep := audit(t, d, db.AuditOptions{BatchSize: 1}); !rep.Clean() {
			t.Fatalf("not clean: %v", rep.Listed)
		}
		mustA(t, d.Close())
		if after := fileSum(t, path); !bytes.Equal(before, after) {
			t.Fatal("the audit changed the SQLite file")
		}
		// The audit's connection (the only one) went back to the pool
		// writable.
		d, err = db.Open(context.Background(), "sqlite://"+path, db.Options{MaxOpenConns: 1})
		mustA(t, err)
		defer func() { _ = d.Close() }()
		audit(t, d, db.AuditOptions{})
		exec(t, d, "CREATE TABLE scratch (x integer)", "DROP TABLE scratch")
	})
	t.Run("postgres data unchanged", func(t *testing.T) {
		t.Parallel()
		d := dbtest.Postgres(t)
		seedAuditStore(t, d)
		const sum = `SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (
  SELECT 'b' || b::text AS t FROM org_balances b UNION ALL SELECT 'l' || l::text FROM ledger_entries l
  UNION ALL SELECT 'g' || g::text FROM grants g UNION ALL SELECT 'o' || o::text FROM orders o
  UNION ALL SELECT 'i' || i::text FROM invoices i UNION ALL SELECT 'c' || c::text FROM counters c
  UNION ALL SELECT 'k' || k::text FROM idempotency_keys k) x`
		before := scalar(t, d, sum)
		audit(t, d, db.AuditOptions{BatchSize: 1})
		if after := scalar(t, d, sum); after != before {
			t.Fatal("the audit changed the data")
		}
	})
	t.Run("postgres never migrated", func(t *testing.T) {
		t.Parallel()
		d, err := db.Open(context.Background(), dbtest.EmptyPostgresURL(t), db.Options{})
		mustA(t, err)
		defer func() { _ = d.Close() }()
		if _, err := d.Audit(context.Background(), db.AuditOptions{}); err == nil {
			t.Fatal("an audit of an empty database succeeded")
		}
		if got := scalar(t, d, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"); got != "0" {
			t.Fatalf("the audit created %s tables", got)
		}
	})
}

func fileSum(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	mustA(t, err)
	s := sha256.Sum256(b)
	return s[:]
}

func mustA(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

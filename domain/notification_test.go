package domain_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
)

// mailbox is a Mailer that keeps what it is given (the real SMTP path is
// tested in cmd/tally against an SMTP server); fail, while set, refuses.
type mailbox struct {
	mu   sync.Mutex
	sent []domain.Mail
	fail error
}

func (m *mailbox) Send(_ context.Context, mail domain.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.sent = append(m.sent, mail)
	return nil
}

func (m *mailbox) mails() []domain.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sent)
}

func (m *mailbox) refuse(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

// pdf renders invoices as /invoices/{id}.pdf does.
func pdf(w io.Writer, inv domain.Invoice) error {
	return invoicepdf.Render(w, inv, invoicepdf.DefaultIssuer())
}

// record adds an event as the dunning and auto-recharge code does.
func record(t *testing.T, st domain.Store, orgID string, kind domain.OrgEventKind, key string, detail map[string]string) domain.OrgEvent {
	t.Helper()
	ev := domain.OrgEvent{ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, Kind: kind, Key: key, Detail: detail, CreatedAt: t0, Notify: kind.Notifies()}
	if ok, err := st.AddOrgEvent(context.Background(), ev); err != nil || !ok {
		t.Fatalf("AddOrgEvent: %v %v", ok, err)
	}
	return ev
}

// history is the org's whole history, newest first, as its owner reads it.
func history(t *testing.T, f *fixture) []domain.OrgEvent {
	t.Helper()
	c, err := f.svc.OrgHistory(f.owner, f.org.ID, domain.Page{First: domain.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]domain.OrgEvent, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func TestDeliverNotification(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		box := &mailbox{}
		f := newFixtureStore(t, d, domain.Config{PublicURL: "https://billing.example.com"}, domain.WithMailer(box, pdf))
		f.join(t, "billing", domain.RoleBilling)
		f.join(t, "admin", domain.RoleAdmin)
		f.join(t, "member", domain.RoleMember)
		ev := record(t, d, f.org.ID, domain.OrgEventPaymentFailed, "failed:1", map[string]string{"orderNumber": "ORD-2026-000007", "reason": "card declined"})
		quiet := record(t, d, f.org.ID, domain.OrgEventAutoRechargeStarted, "started:1", nil)
		ctx := context.Background()

		// A refusal is recorded and returned, for the queue to retry.
		box.refuse(errors.New("451 try again later"))
		if err := f.svc.DeliverNotification(ctx, ev.ID); err == nil {
			t.Fatal("a refused send reported success")
		}
		got, err := d.OrgEventByID(ctx, ev.ID)
		if err != nil || got.SentAt != nil || got.Attempts != 1 || !strings.Contains(got.LastError, "451") {
			t.Fatalf("after a refusal: %+v %v", got, err)
		}
		box.refuse(nil)
		for range 3 { // the retry sends; later runs find it sent
			if err := f.svc.DeliverNotification(ctx, ev.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.DeliverNotification(ctx, quiet.ID); err != nil {
			t.Fatal(err)
		}
		mails := box.mails()
		if len(mails) != 1 {
			t.Fatalf("%d mails, want 1", len(mails))
		}
		m := mails[0]
		if want := []string{"billing@example.com", "owner@example.com"}; !slices.Equal(m.To, want) {
			t.Errorf("to %v, want only the OWNER and BILLING members %v", m.To, want)
		}
		if m.MessageID != ev.ID+"@billing.example.com" || m.Subject != "Tally: payment failed for Acme" {
			t.Errorf("message-id %q subject %q", m.MessageID, m.Subject)
		}
		if !strings.Contains(m.Text, "ORD-2026-000007") || !strings.Contains(m.Text, "card declined") ||
			!strings.Contains(m.Text, "What to do") || !strings.Contains(m.HTML, "<strong>Acme</strong>") || len(m.Attachments) != 0 {
			t.Errorf("mail %+v", m)
		}
		h := history(t, f)
		if len(h) != 2 || h[0].ID != quiet.ID || h[1].SentAt == nil || h[0].SentAt != nil {
			t.Fatalf("history %+v", h)
		}

		// Unsent: none left; an unknown event is NOT_FOUND.
		if left, err := f.svc.UnsentNotifications(ctx, 10); err != nil || len(left) != 0 {
			t.Fatalf("unsent %v %v", left, err)
		}
		if err := f.svc.DeliverNotification(ctx, uuid.Must(uuid.NewV7()).String()); codeOf(err) != domain.CodeNotFound {
			t.Fatalf("unknown event: %v", err)
		}
	})
}

func TestRenewalReceiptCarriesTheInvoicePDF(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		box := &mailbox{}
		s := newShop(t, d, domain.WithMailer(box, pdf))
		co, err := s.buy(s.owner, "k1")
		if err != nil {
			t.Fatal(err)
		}
		inv, err := s.svc.InvoiceOfOrder(s.owner, co.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		byInvoice := record(t, d, s.org.ID, domain.OrgEventRenewalPaid, "paid:1", map[string]string{"invoiceId": inv.ID, "invoiceNumber": inv.Number})
		byOrder := record(t, d, s.org.ID, domain.OrgEventRenewalPaid, "paid:2", map[string]string{"orderId": co.Order.ID})
		for _, ev := range []domain.OrgEvent{byInvoice, byOrder} {
			if err := s.svc.DeliverNotification(context.Background(), ev.ID); err != nil {
				t.Fatal(err)
			}
		}
		var want bytes.Buffer
		if err := pdf(&want, inv); err != nil {
			t.Fatal(err)
		}
		mails := box.mails()
		if len(mails) != 2 {
			t.Fatalf("%d mails", len(mails))
		}
		for _, m := range mails {
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments %+v", m.Attachments)
			}
			a := m.Attachments[0]
			if a.Name != inv.Number+".pdf" || a.ContentType != "application/pdf" || !bytes.HasPrefix(a.Data, []byte("%PDF")) ||
				!bytes.Equal(a.Data, want.Bytes()) {
				t.Errorf("attachment %s %s (%d bytes), want the invoice's PDF", a.Name, a.ContentType, len(a.Data))
			}
		}
	})
}

func TestNotificationWithoutRecipientsIsClosed(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		box := &mailbox{}
		f := newFixtureStore(t, d, domain.Config{}, domain.WithMailer(box, nil))
		ev := record(t, d, f.org.ID, domain.OrgEventSuspended, "suspended:1", nil)
		if _, err := d.DeleteOrgMembers(context.Background(), f.org.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeliverNotification(context.Background(), ev.ID); err != nil {
			t.Fatal(err)
		}
		got, err := d.OrgEventByID(context.Background(), ev.ID)
		if err != nil || got.SentAt == nil || !strings.Contains(got.LastError, "no OWNER or BILLING") || len(box.mails()) != 0 {
			t.Fatalf("event %+v, %d mails", got, len(box.mails()))
		}
	})
}

func TestConcurrentDeliveriesSendOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		box := &mailbox{}
		f := newFixtureStore(t, d, domain.Config{}, domain.WithMailer(box, nil))
		ev := record(t, d, f.org.ID, domain.OrgEventRestored, "restored:1", nil)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { _ = f.svc.DeliverNotification(context.Background(), ev.ID) })
		}
		wg.Wait()
		if err := f.svc.DeliverNotification(context.Background(), ev.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(box.mails()); n != 1 {
			t.Fatalf("%d mails from 8 concurrent deliveries on one instance, want 1", n)
		}
	})
}

// TestLowBalanceOncePerCrossing: the alert is recorded once per crossing,
// whether the periodic sweep (four at once) or the spend itself (the
// background check a committed spend pokes, with no sweep) finds it.
func TestLowBalanceOncePerCrossing(t *testing.T) {
	t.Parallel()
	for _, via := range []string{"sweep", "spend"} {
		t.Run(via, func(t *testing.T) {
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				f := newFixtureStore(t, d, domain.Config{SignupGrant: 10_000}, domain.WithMailer(&mailbox{}, nil))
				ctx := context.Background()
				lows := func() int {
					n := 0
					for _, ev := range history(t, f) {
						if ev.Kind == domain.OrgEventLowBalance {
							n++
						}
					}
					return n
				}
				sweep := func(t *testing.T) {
					t.Helper()
					if via == "spend" {
						// The spend or grant poked the check before it returned.
						for deadline := time.Now().Add(30 * time.Second); !f.svc.ChecksIdle(); time.Sleep(5 * time.Millisecond) {
							if time.Now().After(deadline) {
								t.Fatal("the background check is still busy after 30 s")
							}
						}
						return
					}
					var wg sync.WaitGroup
					for range 4 { // concurrent sweeps see one crossing once
						wg.Go(func() {
							if _, err := f.svc.CheckLowBalances(ctx, 100); err != nil {
								t.Error(err)
							}
						})
					}
					wg.Wait()
				}
				a, err := f.svc.SetLowBalanceAlert(f.owner, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: 5000, IdempotencyKey: "a1"})
				if err != nil || a != (domain.LowBalanceAlert{Threshold: 5000}) {
					t.Fatalf("SetLowBalanceAlert = %+v, %v", a, err)
				}
				steps := []struct {
					name    string
					spend   int64 // or grant when negative
					lows    int
					alerted bool
				}{
					{"above the threshold", 1000, 0, false},      // 9000
					{"down across it", 5000, 1, true},            // 4000
					{"further down", 1000, 1, true},              // 3000
					{"further down again", 2500, 1, true},        // 500
					{"back up", -6000, 1, false},                 // 6500
					{"exactly at the threshold", 1500, 1, false}, // 5000
					{"down again", 1, 2, true},                   // 4999
				}
				for i, st := range steps {
					if st.spend > 0 {
						if _, err := consume(f.owner, f, st.spend, "s"+string(rune('a'+i))); err != nil {
							t.Fatalf("%s: %v", st.name, err)
						}
					} else {
						f.grant(t, domain.GrantPromo, -st.spend, 0, "g"+string(rune('a'+i)))
					}
					sweep(t)
					if got := lows(); got != st.lows {
						t.Fatalf("%s: %d LOW_BALANCE events, want %d", st.name, got, st.lows)
					}
					if a, err := f.svc.LowBalanceAlert(f.owner, f.org.ID); err != nil || a.Alerted != st.alerted {
						t.Fatalf("%s: alert %+v %v, want alerted %v", st.name, a, err, st.alerted)
					}
				}
				ev := history(t, f)[0]
				if ev.Kind != domain.OrgEventLowBalance || ev.Detail["balance"] != "4999" || ev.Detail["threshold"] != "5000" || !ev.Notify {
					t.Fatalf("newest event %+v", ev)
				}
				// Off: no alert whatever the balance.
				if _, err := f.svc.SetLowBalanceAlert(f.owner, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: 0, IdempotencyKey: "off"}); err != nil {
					t.Fatal(err)
				}
				if _, err := consume(f.owner, f, 4000, "after-off"); err != nil {
					t.Fatal(err)
				}
				sweep(t)
				if got := lows(); got != 2 {
					t.Fatalf("%d LOW_BALANCE events with the alert off, want 2", got)
				}
				// A threshold above the balance alerts at once.
				a, err = f.svc.SetLowBalanceAlert(f.owner, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: 100_000, IdempotencyKey: "high"})
				if err != nil || !a.Alerted || lows() != 3 {
					t.Fatalf("threshold above the balance: %+v %v, %d events", a, err, lows())
				}
			})
		})
	}
}

func TestSetLowBalanceAlertRules(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{})
		member, _ := f.join(t, "member", domain.RoleMember)
		billing, _ := f.join(t, "billing", domain.RoleBilling)
		set := func(ctx context.Context, threshold int64, key string) (domain.LowBalanceAlert, error) {
			return f.svc.SetLowBalanceAlert(ctx, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: threshold, IdempotencyKey: key})
		}
		tests := []struct {
			name      string
			ctx       context.Context
			threshold int64
			key       string
			code      domain.Code
			field     string
		}{
			{"negative", f.owner, -1, "k", domain.CodeInvalidInput, "threshold"},
			{"beyond the ceiling", f.owner, domain.MaxCredits + 1, "k", domain.CodeInvalidInput, "threshold"},
			{"no key", f.owner, 10, " ", domain.CodeInvalidInput, "idempotencyKey"},
			{"a MEMBER", member, 10, "k", domain.CodeForbidden, ""},
			{"anonymous", context.Background(), 10, "k", domain.CodeUnauthenticated, ""},
		}
		for _, tt := range tests {
			_, err := set(tt.ctx, tt.threshold, tt.key)
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != tt.code || (tt.field != "" && de.Field != tt.field) {
				t.Errorf("%s: %v, want %s on %q", tt.name, err, tt.code, tt.field)
			}
		}
		if _, err := f.svc.LowBalanceAlert(member, f.org.ID); codeOf(err) != domain.CodeForbidden {
			t.Errorf("a MEMBER reads the alert: %v", err)
		}
		if _, err := f.svc.OrgHistory(member, f.org.ID, domain.Page{}); codeOf(err) != domain.CodeForbidden {
			t.Errorf("a MEMBER reads the history: %v", err)
		}
		a, err := set(billing, 10, "k1")
		if err != nil || a.Threshold != 10 {
			t.Fatalf("BILLING sets: %+v %v", a, err)
		}
		if a, err := set(billing, 10, "k1"); err != nil || a.Threshold != 10 {
			t.Fatalf("replay: %+v %v", a, err)
		}
		if _, err := set(billing, 20, "k1"); codeOf(err) != domain.CodeConflict {
			t.Fatalf("same key, other threshold: %v", err)
		}
		if a, err := f.svc.LowBalanceAlert(f.owner, f.org.ID); err != nil || a.Threshold != 10 || a.Alerted {
			t.Fatalf("alert %+v %v", a, err)
		}
	})
}

func TestWatchOrgEventsPushesEachNewEvent(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		f := newFixtureStore(t, d, domain.Config{SignupGrant: 1000}, domain.WithBus(b))
		member, _ := f.join(t, "member", domain.RoleMember)
		if _, err := f.svc.WatchOrgEvents(member, f.org.ID); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("a MEMBER watches: %v", err)
		}
		record(t, d, f.org.ID, domain.OrgEventRestored, "before", nil) // not pushed: older than the watch
		ctx, cancel := context.WithCancel(f.owner)
		defer cancel()
		ch, err := f.svc.WatchOrgEvents(ctx, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetLowBalanceAlert(f.owner, domain.LowBalanceAlertInput{OrgID: f.org.ID, Threshold: 5000, IdempotencyKey: "a"}); err != nil {
			t.Fatal(err)
		}
		ev := <-ch
		if ev.Kind != domain.OrgEventLowBalance || ev.Detail["balance"] != "1000" {
			t.Fatalf("pushed %+v", ev)
		}
		second := record(t, d, f.org.ID, domain.OrgEventSuspended, "later", nil)
		b.Publish(context.Background(), domain.Event{Kind: domain.EventOrg, OrgID: f.org.ID})
		if ev := <-ch; ev.ID != second.ID {
			t.Fatalf("pushed %+v, want %s", ev, second.ID)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tallyhq/tally/cmd/tally/internal/mailer"
	"github.com/tallyhq/tally/cmd/tally/internal/mailtest"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
)

// notifyFixture is a service over a real store mailing through a real
// SMTP server, with an org whose OWNER, BILLING, ADMIN and MEMBER have
// emails.
type notifyFixture struct {
	svc   *domain.Service
	store *db.DB
	smtp  *mailtest.Server
	org   domain.Org
	url   string
}

func newNotifyFixture(t *testing.T, url string) *notifyFixture {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	store, err := openStore(ctx, Common{DatabaseURL: url}, false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	srv := mailtest.Start(t)
	m, err := mailer.ParseSMTP(srv.URL, mailer.TLSOpportunistic, "Tally Billing <billing@tally.example>")
	if err != nil {
		t.Fatal(err)
	}
	svc := domain.NewService(store, domain.Config{PublicURL: "https://tally.example", Notify: domain.NotifyConfig{ProductName: "Metered"}},
		domain.WithMailer(m, invoiceRenderer(invoicepdf.DefaultIssuer())), domain.WithLogger(quiet))
	signIn := func(name string) context.Context {
		u, err := svc.EnsureUser(ctx, "test|"+name, name+"@example.com", name)
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(ctx, domain.Actor{UserID: u.ID, Email: u.Email, EmailVerified: true})
	}
	owner := signIn("owner")
	org, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: "Acme & Sons", Country: "DE", Currency: domain.EUR})
	if err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]domain.Role{"billing": domain.RoleBilling, "admin": domain.RoleAdmin, "member": domain.RoleMember} {
		_, token, err := svc.InviteMember(owner, org.ID, name+"@example.com", role)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptInvitation(signIn(name), token); err != nil {
			t.Fatal(err)
		}
	}
	return &notifyFixture{svc: svc, store: store, smtp: srv, org: org, url: url}
}

// event records an event as the dunning code does.
func (f *notifyFixture) event(t *testing.T, kind domain.OrgEventKind, detail map[string]string) domain.OrgEvent {
	t.Helper()
	ev := domain.OrgEvent{ID: uuid.Must(uuid.NewV7()).String(), OrgID: f.org.ID, Kind: kind, Key: string(kind) + ":" + uuid.NewString(),
		Detail: detail, CreatedAt: time.Now().UTC(), Notify: kind.Notifies()}
	if ok, err := f.store.AddOrgEvent(context.Background(), ev); err != nil || !ok {
		t.Fatalf("AddOrgEvent: %v %v", ok, err)
	}
	return ev
}

// invoice stores a paid order and its invoice.
func (f *notifyFixture) invoice(t *testing.T) domain.Invoice {
	t.Helper()
	ctx := context.Background()
	eur := func(n int64) domain.Money { return domain.Money{AmountMinor: n, Currency: domain.EUR} }
	now := time.Now().UTC().Truncate(time.Second)
	o := domain.Order{
		ID: uuid.Must(uuid.NewV7()).String(), Number: "ORD-2026-000042", OrgID: f.org.ID, Status: domain.OrderPaid,
		Lines:    []domain.OrderLine{{Kind: domain.LinePack, Description: "Pro pack", Quantity: 1, UnitPrice: eur(2500), Amount: eur(2500), PackID: "p", Credits: 1000}},
		Subtotal: eur(2500), Tax: eur(475), TaxRateBP: 1900, Total: eur(2975), Credits: 1000, Validity: domain.ValidityNever,
		Gateway: "sandbox", Method: domain.MethodCard, CreatedAt: now, UpdatedAt: now, PaidAt: &now, Version: 1,
	}
	if err := f.store.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	inv := domain.Invoice{
		ID: uuid.Must(uuid.NewV7()).String(), Number: "INV-2026-000042", Year: 2026, Seq: 42, OrgID: f.org.ID, OrderID: o.ID,
		OrderNumber: o.Number, IssuedAt: now, BilledTo: domain.InvoiceDetails{CompanyName: "Acme & Sons", Country: "DE"},
		Lines: o.Lines, Subtotal: o.Subtotal, Tax: o.Tax, TaxRateBP: o.TaxRateBP, Total: o.Total, Gateway: o.Gateway,
	}
	if err := f.store.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

// startQueue starts a job queue working send_notification jobs and a
// test kind that runs one notifications sweep.
func (f *notifyFixture) startQueue(t *testing.T) *jobs.Queue {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	q, err := openJobs(ctx, Common{DatabaseURL: f.url}, false, quiet, jobs.Options{TestOnly: true, PollInterval: 50 * time.Millisecond,
		Workers: []jobs.Worker{
			notificationWorker(f.svc),
			jobs.Handle("test_sweep", func(ctx context.Context, _ struct{}) error { return notificationsRun(f.svc, quiet)(ctx) }),
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stop)
		_ = q.Close()
	})
	return q
}

// waitSent waits until the event is marked sent.
func (f *notifyFixture) waitSent(t *testing.T, id string) domain.OrgEvent {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ev, err := f.store.OrgEventByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ev.SentAt != nil {
			return ev
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s not sent after 30s: %+v", id, ev)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func notifyStores() []struct {
	name string
	url  func(t *testing.T) string
} {
	return []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "tally.db") }},
		{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }},
	}
}

// TestNotificationsThroughSMTP: two concurrent sweeps on the job queue
// hand a payment failure to one send_notification job; the mail server
// refuses it once with a 4xx, the queue retries, and one message arrives,
// to the OWNER and BILLING members only, with the org's and product's
// names in both parts and the event's Message-ID. A renewal receipt
// carries its invoice's PDF.
func TestNotificationsThroughSMTP(t *testing.T) {
	for _, st := range notifyStores() {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			f := newNotifyFixture(t, st.url(t))
			ev := f.event(t, domain.OrgEventPaymentFailed, map[string]string{"orderNumber": "ORD-2026-000007", "reason": "card declined"})
			f.smtp.RefuseNext(1)
			q := f.startQueue(t)
			ctx := context.Background()
			for range 2 {
				if _, err := q.Enqueue(ctx, "test_sweep", struct{}{}, ""); err != nil {
					t.Fatal(err)
				}
			}
			sent := f.waitSent(t, ev.ID)
			if sent.Attempts != 1 || !strings.Contains(sent.LastError, "451") {
				t.Errorf("sent after %d failed attempts (%q), want 1 refusal", sent.Attempts, sent.LastError)
			}
			// A sweep now finds nothing to send.
			if err := notificationsRun(f.svc, slog.New(slog.DiscardHandler))(q.Inline(ctx)); err != nil {
				t.Fatal(err)
			}
			msgs := f.smtp.Messages()
			if len(msgs) != 1 || f.smtp.Refused() != 1 {
				t.Fatalf("%d messages accepted, %d refused; want 1 and 1", len(msgs), f.smtp.Refused())
			}
			to := slices.Clone(msgs[0].To)
			slices.Sort(to)
			if !slices.Equal(to, []string{"billing@example.com", "owner@example.com"}) {
				t.Errorf("recipients %v, want only the OWNER and BILLING members", to)
			}
			p, err := msgs[0].Parse()
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != "Metered: payment failed for Acme & Sons" || p.MessageID != ev.ID+"@tally.example" {
				t.Errorf("subject %q message-id %q", p.Subject, p.MessageID)
			}
			if !strings.Contains(p.Text, "Acme & Sons") || !strings.Contains(p.Text, "Metered") || !strings.Contains(p.Text, "ORD-2026-000007") ||
				!strings.Contains(p.HTML, "Acme &amp; Sons") || !strings.Contains(p.HTML, "Metered") || !strings.Contains(p.HTML, "https://tally.example") {
				t.Errorf("text %q\nhtml %q", p.Text, p.HTML)
			}

			// The receipt of a paid renewal, with the invoice PDF.
			inv := f.invoice(t)
			receipt := f.event(t, domain.OrgEventRenewalPaid, map[string]string{"invoiceId": inv.ID, "invoiceNumber": inv.Number})
			if _, err := q.Enqueue(ctx, "test_sweep", struct{}{}, ""); err != nil {
				t.Fatal(err)
			}
			f.waitSent(t, receipt.ID)
			msgs = f.smtp.Wait(t, 2, 30*time.Second)
			p, err = msgs[1].Parse()
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := invoicepdf.Render(&want, inv, invoicepdf.DefaultIssuer()); err != nil {
				t.Fatal(err)
			}
			if len(p.Attachments) != 1 || p.Attachments[0].Name != "INV-2026-000042.pdf" || p.Attachments[0].ContentType != "application/pdf" ||
				!bytes.HasPrefix(p.Attachments[0].Data, []byte("%PDF")) || !bytes.Equal(p.Attachments[0].Data, want.Bytes()) {
				t.Errorf("receipt attachments %+v", p.Attachments)
			}
			if p.Subject != "Metered: receipt for Acme & Sons's renewal" || !strings.Contains(p.Text, "INV-2026-000042") {
				t.Errorf("receipt subject %q text %q", p.Subject, p.Text)
			}
		})
	}
}

func TestDefaultMailDir(t *testing.T) {
	tests := map[string]string{
		"sqlite://tally.db":                "mail",
		"sqlite:///var/lib/tally/tally.db": "/var/lib/tally/mail",
		"sqlite://data/t.db?_busy=1":       "data/mail",
		"sqlite://file::memory:":           "mail",
		"postgres://u@h/db":                "mail",
	}
	for url, want := range tests {
		if got := defaultMailDir(url); got != want {
			t.Errorf("defaultMailDir(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestConfigHidesTheSMTPPassword(t *testing.T) {
	got := settingValue("TALLY_SMTP_URL", reflect.ValueOf("smtp://tally:hunter2@mail.example.com:587"))
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "mail.example.com:587") {
		t.Fatalf("tally config shows %q", got)
	}
}

func TestNotifyConfig(t *testing.T) {
	prod := map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret, "TALLY_PUBLIC_URL": "https://api.example.com"}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "smtp and names", env: with(nil, "TALLY_SMTP_URL", "smtp://u:p@mail.example.com:2525", "TALLY_MAIL_FROM", "Acme <billing@acme.example>",
			"TALLY_PRODUCT_NAME", "Metered", "TALLY_BILLING_URL", "https://app.acme.example/billing", "TALLY_NOTIFY_INTERVAL", "2s"),
			check: func(t *testing.T, c Config) {
				if c.Notify.smtp == nil || c.Notify.smtp.String() != "smtp://mail.example.com:2525" || c.Notify.from != "Acme <billing@acme.example>" ||
					c.Notify.interval != 2*time.Second || c.Domain.Notify != (domain.NotifyConfig{ProductName: "Metered", BillingURL: "https://app.acme.example/billing"}) {
					t.Errorf("notify %+v domain %+v", c.Notify, c.Domain.Notify)
				}
			}},
		{name: "production without smtp starts", env: prod, check: func(t *testing.T, c Config) {
			if c.Notify.smtp != nil || c.Notify.from != "billing@api.example.com" {
				t.Errorf("notify %+v", c.Notify)
			}
		}},
		{name: "production refuses cleartext to another machine", env: with(prod, "TALLY_SMTP_URL", "smtp://mail.example.com", "TALLY_SMTP_TLS", "none"), wantErr: "TALLY_SMTP_TLS=none"},
		{name: "production allows cleartext on this machine", env: with(prod, "TALLY_SMTP_URL", "smtp://127.0.0.1:1025", "TALLY_SMTP_TLS", "none")},
		{name: "bad url", env: with(nil, "TALLY_SMTP_URL", "mail.example.com"), wantErr: "TALLY_SMTP_URL"},
		{name: "bad sender", env: with(nil, "TALLY_MAIL_FROM", "nobody"), wantErr: "TALLY_MAIL_FROM"},
		{name: "bad billing url", env: with(nil, "TALLY_BILLING_URL", "/billing"), wantErr: "TALLY_BILLING_URL"},
		{name: "interval too short", env: with(nil, "TALLY_NOTIFY_INTERVAL", "100ms"), wantErr: "TALLY_NOTIFY_INTERVAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseServe(t, nil, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

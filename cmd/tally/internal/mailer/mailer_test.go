package mailer_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/mailer"
	"github.com/tallyhq/tally/cmd/tally/internal/mailtest"
	"github.com/tallyhq/tally/domain"
)

func sample() domain.Mail {
	return domain.Mail{
		To: []string{"owner@example.com", "billing@example.com"}, Subject: "Tally: receipt for Acme & Co",
		Text: "Hello,\nthe renewal is paid.\n", HTML: "<p>Hello, <b>Acme &amp; Co</b></p>",
		Attachments: []domain.Attachment{{Name: "INV-2026-000001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 test")}},
		MessageID:   "0190-event@billing.example.com",
		Headers:     map[string]string{"X-Tally-Event": "RENEWAL_PAID"},
	}
}

func TestSMTPSendsWhatTheServerReceives(t *testing.T) {
	srv := mailtest.Start(t)
	m, err := mailer.ParseSMTP(srv.URL, mailer.TLSOpportunistic, "billing@tally.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), sample()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.Wait(t, 1, 10*time.Second)
	got := msgs[0]
	if got.From != "billing@tally.example" || strings.Join(got.To, ",") != "owner@example.com,billing@example.com" {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	p, err := got.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Tally: receipt for Acme & Co" || p.MessageID != "0190-event@billing.example.com" || p.Header.Get("X-Tally-Event") != "RENEWAL_PAID" {
		t.Errorf("subject %q message-id %q event %q", p.Subject, p.MessageID, p.Header.Get("X-Tally-Event"))
	}
	if !strings.Contains(p.Text, "the renewal is paid") || !strings.Contains(p.HTML, "<b>Acme &amp; Co</b>") {
		t.Errorf("text %q html %q", p.Text, p.HTML)
	}
	if len(p.Attachments) != 1 || p.Attachments[0].Name != "INV-2026-000001.pdf" || p.Attachments[0].ContentType != "application/pdf" ||
		!strings.HasPrefix(string(p.Attachments[0].Data), "%PDF") {
		t.Errorf("attachments %+v", p.Attachments)
	}
}

func TestSMTPReportsARefusal(t *testing.T) {
	srv := mailtest.Start(t)
	srv.RefuseNext(1)
	m, err := mailer.ParseSMTP(srv.URL, mailer.TLSNone, "billing@tally.example")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), sample())
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("Send on a 451 = %v, want the refusal", err)
	}
	if err := m.Send(context.Background(), sample()); err != nil {
		t.Fatalf("second Send: %v", err)
	}
	if n := len(srv.Messages()); n != 1 || srv.Refused() != 1 {
		t.Fatalf("%d accepted, %d refused; want 1 and 1", n, srv.Refused())
	}
}

func TestSMTPMandatoryTLSRefusesAPlainServer(t *testing.T) {
	srv := mailtest.Start(t)
	m, err := mailer.ParseSMTP(srv.URL, mailer.TLSMandatory, "billing@tally.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), sample()); err == nil {
		t.Fatal("mandatory TLS sent to a server without STARTTLS")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages accepted in the clear", n)
	}
}

func TestParseSMTP(t *testing.T) {
	tests := []struct {
		url, policy, from string
		ok                bool
		str               string
	}{
		{"smtp://u:p@mail.example.com", "", "a@b.c", true, "smtp://mail.example.com:587"},
		{"smtps://mail.example.com", "", "a@b.c", true, "smtps://mail.example.com:465"},
		{"smtp://127.0.0.1:2525", "none", "a@b.c", true, "smtp://127.0.0.1:2525"},
		{"http://mail.example.com", "", "a@b.c", false, ""},
		{"smtp://mail.example.com:0", "", "a@b.c", false, ""},
		{"smtp://mail.example.com", "sometimes", "a@b.c", false, ""},
		{"smtp://mail.example.com", "", "not an address", false, ""},
	}
	for _, tt := range tests {
		s, err := mailer.ParseSMTP(tt.url, tt.policy, tt.from)
		if (err == nil) != tt.ok {
			t.Errorf("ParseSMTP(%q, %q, %q) err = %v, want ok %v", tt.url, tt.policy, tt.from, err, tt.ok)
			continue
		}
		if tt.ok && s.String() != tt.str {
			t.Errorf("ParseSMTP(%q) = %s, want %s", tt.url, s, tt.str)
		}
	}
}

func TestDirWritesOneFilePerMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	d, err := mailer.NewDir(dir, "billing@tally.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the same event twice: one file
		if err := d.Send(context.Background(), sample()); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v (%v), want one", files, err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	p, err := mailtest.Message{Raw: raw}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if p.MessageID != "0190-event@billing.example.com" || !strings.Contains(p.Text, "the renewal is paid") || len(p.Attachments) != 1 {
		t.Fatalf("parsed %+v", p)
	}
}

package notice_test

import (
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/notice"
)

// TestEveryNotifyingKindHasATemplate: each kind that is mailed renders,
// with the org's and product's names in the subject and both parts, and
// no template exists for a kind that is not mailed.
func TestEveryNotifyingKindHasATemplate(t *testing.T) {
	for _, k := range domain.OrgEventKinds {
		if !k.Notifies() {
			if notice.Has(string(k)) {
				t.Errorf("%s is not mailed but has a template", k)
			}
			continue
		}
		m, err := notice.Render(string(k), notice.Data{
			OrgName: "Acme <Labs> & Co", ProductName: "Metered", BillingURL: "https://app.example.com/billing",
			Detail: map[string]string{"orderNumber": "ORD-1", "invoiceId": "0190-x", "threshold": "100", "balance": "40"},
		})
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if !strings.Contains(m.Subject, "Metered") || !strings.Contains(m.Subject, "Acme <Labs> & Co") {
			t.Errorf("%s subject %q", k, m.Subject)
		}
		if !strings.Contains(m.Text, "Acme <Labs> & Co") || !strings.Contains(m.Text, "Metered") ||
			!strings.Contains(m.Text, "https://app.example.com/billing") || !strings.Contains(m.Text, "Order number: ORD-1") {
			t.Errorf("%s text %q", k, m.Text)
		}
		if strings.Contains(m.Text, "0190-x") || strings.Contains(m.HTML, "0190-x") {
			t.Errorf("%s shows an internal id", k)
		}
		// html/template escapes the org's name.
		if !strings.Contains(m.HTML, "Acme &lt;Labs&gt; &amp; Co") || strings.Contains(m.HTML, "<Labs>") ||
			!strings.Contains(m.HTML, `href="https://app.example.com/billing"`) || !strings.Contains(m.HTML, "Metered") {
			t.Errorf("%s html %q", k, m.HTML)
		}
	}
	for _, k := range notice.Kinds() {
		if !domain.OrgEventKind(k).Notifies() {
			t.Errorf("template %s.tmpl is for no mailed kind", k)
		}
	}
}

func TestRenderRefusesUnknownKinds(t *testing.T) {
	for _, k := range []string{"NOPE", "layout", "../notice", ""} {
		if _, err := notice.Render(k, notice.Data{}); err == nil {
			t.Errorf("Render(%q) succeeded", k)
		}
	}
}

func TestLowBalanceSaysTheNumbers(t *testing.T) {
	m, err := notice.Render(string(domain.OrgEventLowBalance), notice.Data{OrgName: "Acme", ProductName: "Tally",
		Detail: map[string]string{"threshold": "1000", "balance": "250"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "threshold of 1000 credits: 250 credits left") {
		t.Fatalf("text %q", m.Text)
	}
}

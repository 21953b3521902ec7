package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/mailtest"
)

const (
	setLowBalance = `mutation($o: ID!, $th: Credits!, $k: String!) { setLowBalanceAlert(orgId: $o, threshold: $th, idempotencyKey: $k) { threshold alerted } }`
	readHistory   = `query($id: ID!) { org(id: $id) { lowBalanceAlert { threshold alerted } history(first: 20) { edges { node { id kind detail { name value } notified sentAt } } } } }`
)

// historyView is what readHistory answers.
type historyView struct {
	LowBalanceAlert struct {
		Threshold int64
		Alerted   bool
	}
	History struct {
		Edges []struct {
			Node struct {
				ID       string
				Kind     string
				Detail   []struct{ Name, Value string }
				Notified bool
				SentAt   *time.Time
			}
		}
	}
}

// TestLowBalanceEmail runs a server on the test clock mailing through an
// in-process SMTP server: a BILLING member sets a low balance alert, the
// org spends below it, and moving the clock (which runs the clock-driven
// sweeps: the low balance check, then the notifications) delivers one
// email to the OWNER and BILLING members, with the org's and product's
// names; the history shows the event as sent and the orgEvents
// subscription pushed it. Spending further down sends nothing more.
func TestLowBalanceEmail(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		mail := mailtest.Start(t)
		s := startServer(t, b.newDB(t), "TALLY_TEST_CLOCK=1", "TALLY_SIGNUP_CREDITS=1000",
			"TALLY_SMTP_URL="+mail.URL, "TALLY_SMTP_TLS=none", "TALLY_MAIL_FROM=Metered Billing <billing@metered.example>",
			"TALLY_PRODUCT_NAME=Metered", "TALLY_BILLING_URL=https://app.metered.example/billing", "TALLY_NOTIFY_INTERVAL=1h")
		admin := s.as("Bearer " + token(t, "root@platform.example", true))
		owner := s.user(t, "owner@lowbal.example")
		org := owner.createOrg(t, "Lowbal & Co", "DE", "EUR")
		billing, _ := s.join(t, owner, org, "billing@lowbal.example", "BILLING")
		s.join(t, owner, org, "member@lowbal.example", "MEMBER")

		ws := dialWS(t, s, "graphql-transport-ws", owner.auth)
		ws.subscribe(`subscription($o: ID!) { orgEvents(orgId: $o) { id kind detail { name value } } }`, map[string]any{"o": org})
		s.waitSubscriptions(t, 1) // listening before any event is recorded

		var alert struct {
			Threshold int64
			Alerted   bool
		}
		billing.must(t, setLowBalance, map[string]any{"o": org, "th": 500, "k": "alert-1"}, "setLowBalanceAlert", &alert)
		if alert.Threshold != 500 || alert.Alerted {
			t.Fatalf("alert %+v", alert)
		}
		if r, err := owner.consume(t.Context(), org, 600, "spend-1"); err != nil || r.code() != "" {
			t.Fatalf("spend: %v %+v", err, r.Errors)
		}
		// The spend poked the background check, which records the crossing;
		// moving the clock runs the notifications sweep, which mails it.
		admin.must(t, advanceClock, map[string]any{"by": "1m"}, "advanceTestClock", nil)

		msgs := mail.Wait(t, 1, 30*time.Second)
		to := slices.Clone(msgs[0].To)
		slices.Sort(to)
		if !slices.Equal(to, []string{"billing@lowbal.example", "owner@lowbal.example"}) {
			t.Errorf("recipients %v, want the OWNER and BILLING members only", to)
		}
		p, err := msgs[0].Parse()
		if err != nil {
			t.Fatal(err)
		}
		if p.Subject != "Metered: low credit balance for Lowbal & Co" || !strings.HasSuffix(p.MessageID, "@app.metered.example") ||
			!strings.Contains(p.Header.Get("From"), "billing@metered.example") {
			t.Errorf("subject %q message-id %q from %q", p.Subject, p.MessageID, p.Header.Get("From"))
		}
		if !strings.Contains(p.Text, "threshold of 500 credits: 400 credits left") || !strings.Contains(p.Text, "https://app.metered.example/billing") ||
			!strings.Contains(p.HTML, "Lowbal &amp; Co") || !strings.Contains(p.HTML, "Metered") {
			t.Errorf("text %q\nhtml %q", p.Text, p.HTML)
		}

		var h historyView
		owner.must(t, readHistory, map[string]any{"id": org}, "org", &h)
		if len(h.History.Edges) != 1 || !h.LowBalanceAlert.Alerted {
			t.Fatalf("history %+v", h)
		}
		ev := h.History.Edges[0].Node
		if ev.Kind != "LOW_BALANCE" || !ev.Notified || ev.SentAt == nil ||
			!slices.Contains(ev.Detail, struct{ Name, Value string }{"balance", "400"}) {
			t.Fatalf("event %+v", ev)
		}
		if !strings.HasPrefix(p.MessageID, eventUUID(t, ev.ID)+"@") {
			t.Errorf("message-id %q is not derived from event %s", p.MessageID, ev.ID)
		}
		pushed := ws.orgEvent(t, 30*time.Second)
		if pushed.ID != ev.ID || pushed.Kind != "LOW_BALANCE" {
			t.Fatalf("orgEvents pushed %+v, want %s", pushed, ev.ID)
		}

		// Further down, the same crossing: no second event, no second email.
		if r, err := owner.consume(t.Context(), org, 100, "spend-2"); err != nil || r.code() != "" {
			t.Fatalf("spend: %v %+v", err, r.Errors)
		}
		admin.must(t, advanceClock, map[string]any{"by": "1m"}, "advanceTestClock", nil)
		owner.must(t, readHistory, map[string]any{"id": org}, "org", &h)
		if len(h.History.Edges) != 1 || len(mail.Messages()) != 1 {
			t.Fatalf("%d events and %d emails after spending further down, want 1 and 1", len(h.History.Edges), len(mail.Messages()))
		}
		// A MEMBER may not read the history.
		member := s.user(t, "member@lowbal.example")
		if r := member.do(t, readHistory, map[string]any{"id": org}); r.code() != "FORBIDDEN" {
			t.Fatalf("a MEMBER reads the history: %+v", r.Errors)
		}
	})
}

// orgEvent waits for the next orgEvents message.
func (c *wsClient) orgEvent(t *testing.T, timeout time.Duration) struct{ ID, Kind string } {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msg := c.next(ctx, "next")
	raw, _ := json.Marshal(msg["payload"])
	var p struct {
		Data struct {
			OrgEvents struct{ ID, Kind string }
		}
		Errors []gqlError
	}
	if err := json.Unmarshal(raw, &p); err != nil || len(p.Errors) > 0 {
		t.Fatalf("orgEvents message %s: %v", raw, err)
	}
	return p.Data.OrgEvents
}

// eventUUID is the domain ID inside an OrgEvent's global ID.
func eventUUID(t *testing.T, gid string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(gid)
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := strings.Cut(string(raw), ":")
	return id
}

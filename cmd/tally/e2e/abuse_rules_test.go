package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket/wsjson"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf/pdftext"
	"github.com/tallyhq/tally/gateways/sandbox"
)

// The rules of issue 7 that are about who may do and see what (items 4,
// 8–12, 14 and 15), tried as an attacker would against one production
// server on PostgreSQL with the sandbox gateway: each hostile request is
// answered within abuseBudget with one small coded error and changes
// nothing it should not; a control next to it shows the same request
// works for whoever may make it. TestAbuseRulesRefusedConfigs runs the
// binary with configurations production must refuse.

// rulesSandboxSecret signs the sandbox's webhooks; random, because
// production refuses predictable secrets.
const rulesSandboxSecret = "b1e0c5d27f4a98e3c6d15a0f7b2e94c8d3a67f01e5b9c2d48a7f3e06b1c5d92a"

// rulesPublicURL is where buyers would reach the server: https, so the
// server sends HSTS, and the origin of the sandbox's hosted pages.
const rulesPublicURL = "https://tally.example"

// rulesMaxTTL is the server's TALLY_JWT_MAX_TTL.
const rulesMaxTTL = 2 * time.Hour

// rulesEnv is the production server's configuration.
var rulesEnv = []string{
	"TALLY_ENV=production",
	"TALLY_SANDBOX=on",
	"TALLY_SANDBOX_WEBHOOK_SECRET=" + rulesSandboxSecret,
	"TALLY_PUBLIC_URL=" + rulesPublicURL,
	"TALLY_JWT_MAX_TTL=" + rulesMaxTTL.String(),
	"TALLY_SIGNUP_CREDITS=1000",
}

// quick runs one request and fails the test when its answer took longer
// than abuseBudget.
func quick(t *testing.T, fn func() result) result {
	t.Helper()
	start := time.Now()
	r := fn()
	if took := time.Since(start); took > abuseBudget {
		t.Errorf("answered in %v, over the %v budget", took, abuseBudget)
	}
	return r
}

// refused checks that r is one small error with code (and field, when not
// empty) and no data.
func refused(t *testing.T, r result, code, field string) {
	t.Helper()
	if len(r.Errors) != 1 || r.code() != code {
		t.Fatalf("status %d, errors %+v; want one %s", r.Status, r.Errors, code)
	}
	if field != "" && r.Errors[0].Extensions.Field != field {
		t.Errorf("field %q, want %q", r.Errors[0].Extensions.Field, field)
	}
	if n := len(r.Errors[0].Message); n > 500 {
		t.Errorf("a %d-byte error message", n)
	}
	for k, v := range r.Data {
		if !isNull(v) {
			t.Errorf("a refused request answered data %s: %s", k, v)
		}
	}
}

// mustOK fails the test when r has errors.
func mustOK(t *testing.T, r result) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
	}
}

// decodeField decodes r.Data[name] into out.
func decodeField(t *testing.T, r result, name string, out any) {
	t.Helper()
	mustOK(t, r)
	if err := json.Unmarshal(r.Data[name], out); err != nil {
		t.Fatalf("decoding %s %s: %v", name, r.Data[name], err)
	}
}

// rules is the production server the rules are tried on, with a platform
// admin who is a member of no org.
type rules struct {
	s     *server
	admin *client
	n     int // idempotency keys handed out
}

// key returns a fresh idempotency key.
func (f *rules) key() string {
	f.n++
	return fmt.Sprintf("rules-%d", f.n)
}

// org creates an org owned by a new user named after the test and returns
// the owner and the org ID.
func (f *rules) org(t *testing.T, tag string) (*client, string) {
	owner := f.s.user(t, "owner@"+tag+".example")
	return owner, owner.createOrg(t, "Rules "+tag, "DE", "EUR")
}

// grant adds credits as c (a platform admin) and returns the raw result.
func (f *rules) grant(t *testing.T, c *client, orgID string, amount int64, key string) result {
	t.Helper()
	return f.grantWhy(t, c, orgID, amount, key, "support")
}

// grantWhy is grant with a reason.
func (f *rules) grantWhy(t *testing.T, c *client, orgID string, amount int64, key, reason string) result {
	t.Helper()
	return c.do(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { entry { id reason } balance { total } } }`,
		map[string]any{"in": map[string]any{"orgId": orgID, "amount": amount, "kind": "ADJUSTMENT", "reason": reason, "idempotencyKey": key}})
}

// spendMutation spends with a reason and metadata and answers the entry.
const spendMutation = `mutation($in: ConsumeCreditsInput!) {
  consumeCredits(input: $in) { entry { id reason metadata actor { kind id user { email } } } balance { total } } }`

// spent is what spendMutation answers.
type spent struct {
	Entry   eventEntry
	Balance struct{ Total int64 }
}

// spend runs spendMutation as c.
func spend(t *testing.T, c *client, orgID string, amount int64, key, reason string) result {
	t.Helper()
	return c.do(t, spendMutation, map[string]any{"in": map[string]any{
		"orgId": orgID, "amount": amount, "idempotencyKey": key, "reason": reason,
		"metadata": map[string]any{"ticket": reason},
	}})
}

// mustSpend spends and decodes the answer.
func mustSpend(t *testing.T, c *client, orgID string, amount int64, key, reason string) spent {
	t.Helper()
	var out spent
	decodeField(t, spend(t, c, orgID, amount, key, reason), "consumeCredits", &out)
	return out
}

// TestAbuseRules tries items 4, 8–12, 14 and 15 of issue 7 on one
// production server on PostgreSQL.
func TestAbuseRules(t *testing.T) {
	dbURL := backends[0].newDB(t)
	seedCatalog(t, dbURL)
	s := startServer(t, dbURL, rulesEnv...)
	f := &rules{s: s, admin: s.as("Bearer " + token(t, "root@platform.example", true))}
	// Orders whose collected payment must be held for review, not paid:
	// the server must log each (checked once the server has stopped, when
	// its log is no longer written).
	var held []string

	t.Run("4 balanceUpdated shows each subscriber what its ledger shows", func(t *testing.T) { testEventVisibility(t, f) })
	t.Run("8 no balance over 2^53-1", func(t *testing.T) { held = append(held, testCeiling(t, f)...) })
	t.Run("9 a webhook for another amount or currency pays nothing", func(t *testing.T) { held = append(held, testWebhookAmounts(t, f)...) })
	t.Run("10 platform admins refund, grant and read, but do not act for an org", func(t *testing.T) { testPlatformAdmin(t, f) })
	t.Run("11 an idempotency key answers only who may see its result", func(t *testing.T) { testReplays(t, f) })
	t.Run("12 return URLs only to allowed origins", func(t *testing.T) { testReturnURLs(t, f) })
	t.Run("payment methods: billing roles only, return URLs only to allowed origins", func(t *testing.T) { testPaymentMethodRules(t, f) })
	t.Run("issue 8 an org is handed over or deleted by its owner alone, and deleted for good", func(t *testing.T) { testOwnership(t, f) })
	t.Run("14 an unverified email accepts no invitation", func(t *testing.T) { testUnverifiedEmail(t, f) })
	t.Run("15 token lifetime", func(t *testing.T) { testTokenTTL(t, f) })
	t.Run("15 security headers", func(t *testing.T) { testSecurityHeaders(t, f) })
	t.Run("15 no suggestions in production", func(t *testing.T) { testNoSuggestions(t, f) })

	s.stop(t)
	log := s.log.String()
	for _, id := range held {
		logged := false
		for line := range strings.Lines(log) {
			logged = logged || strings.Contains(line, id) && strings.Contains(line, `"level":"ERROR"`) && strings.Contains(line, "held for review")
		}
		if !logged {
			t.Errorf("order %s was held for review without an ERROR in the log", id)
		}
	}
	if strings.Contains(log, "internal error") {
		t.Errorf("a request was logged as an internal error:\n%s", log)
	}
}

// --- 4: one ledger rule for the ledger query and balanceUpdated ---------

// eventEntry is a ledger entry with everything that may leak.
type eventEntry struct {
	ID       string
	Reason   string
	Metadata json.RawMessage
	Actor    struct {
		Kind string
		ID   *string
		User *struct{ Email string }
	}
}

// balanceView is one balanceUpdated event.
type balanceView struct {
	Balance struct{ Total int64 }
	Entry   *eventEntry
}

const leakySubscription = `subscription($org: ID!) { balanceUpdated(orgId: $org) {
  balance { total grants { kind reason } } entry { id reason metadata actor { kind id user { email } } } } }`

// wsMessage is one message a socket received.
type wsMessage struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// feed reads a socket in the background, so a test can wait for a message
// with a timeout without the read's cancellation closing the socket.
type feed struct {
	name string
	msgs chan wsMessage // closed when the socket ends
}

func startFeed(name string, ws *wsClient) *feed {
	f := &feed{name: name, msgs: make(chan wsMessage, 1024)}
	go func() {
		defer close(f.msgs)
		for {
			var m wsMessage
			if err := wsjson.Read(context.Background(), ws.conn, &m); err != nil {
				return // the socket is closed at the test's cleanup
			}
			if m.Type == "next" || m.Type == "error" || m.Type == "complete" {
				f.msgs <- m
			}
		}
	}()
	return f
}

// within waits up to d for a message; false when none came.
func (f *feed) within(d time.Duration) (wsMessage, bool) {
	select {
	case m, open := <-f.msgs:
		return m, open
	case <-time.After(d):
		return wsMessage{}, false
	}
}

// event waits for the balanceUpdated event whose total is total, skipping
// older ones, and returns it with its raw payload.
func (f *feed) event(t *testing.T, total int64) (balanceView, string) {
	t.Helper()
	timeout := time.After(abuseBudget)
	for {
		select {
		case m, open := <-f.msgs:
			if !open {
				t.Fatalf("%s: the socket closed while waiting for total %d", f.name, total)
			}
			if m.Type != "next" {
				t.Fatalf("%s: %s %s while waiting for total %d", f.name, m.Type, m.Payload, total)
			}
			var p struct {
				Data   struct{ BalanceUpdated balanceView }
				Errors []gqlError
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
				t.Fatalf("%s: event %s: %v %+v", f.name, m.Payload, err, p.Errors)
			}
			if p.Data.BalanceUpdated.Balance.Total == total {
				return p.Data.BalanceUpdated, string(m.Payload)
			}
		case <-timeout:
			t.Fatalf("%s: no event with total %d within %v", f.name, total, abuseBudget)
		}
	}
}

// ledgerSees reports whether c finds entryID in orgID's ledger and with
// node(id), and the ledger's error code ("" when it answered).
func ledgerSees(t *testing.T, c *client, orgID, entryID string) (inLedger, asNode bool, code string) {
	t.Helper()
	r := c.do(t, `query($id: ID!) { org(id: $id) { ledger(first: 50) { edges { node { id reason } } } } }`, map[string]any{"id": orgID})
	if len(r.Errors) > 0 {
		code = r.code()
	} else {
		var out struct {
			Ledger struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		decodeField(t, r, "org", &out)
		for _, e := range out.Ledger.Edges {
			inLedger = inLedger || e.Node.ID == entryID
		}
	}
	n := c.do(t, `query($id: ID!) { node(id: $id) { id ... on LedgerEntry { reason } } }`, map[string]any{"id": entryID})
	var node *struct{ ID string }
	if len(n.Errors) == 0 {
		decodeField(t, n, "node", &node)
	}
	return inLedger, node != nil && node.ID == entryID, code
}

func testEventVisibility(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "events")
	billing, _ := s.join(t, owner, org, "billing@events.example", "BILLING")
	admin, _ := s.join(t, owner, org, "admin@events.example", "ADMIN")
	member, _ := s.join(t, owner, org, "member@events.example", "MEMBER")
	_, keySecret := owner.createKey(t, org, "backend")
	key := s.as("Bearer " + keySecret)
	who := []struct {
		name  string
		c     *client
		email string // "" for the API key
	}{
		{"owner", owner, "owner@events.example"},
		{"billing", billing, "billing@events.example"},
		{"admin", admin, "admin@events.example"},
		{"member", member, "member@events.example"},
		{"key", key, ""},
	}
	feeds := map[string]*feed{}
	var all []*feed
	for _, p := range who {
		ws := dialWS(t, s, "graphql-transport-ws", p.c.auth)
		ws.subscribe(leakySubscription, map[string]any{"org": org})
		feeds[p.name] = startFeed(p.name, ws)
		all = append(all, feeds[p.name])
	}

	// A subscription is live once it has seen an event: spend a credit at a
	// time until each has, then one more that every subscriber must see.
	warm := map[*feed]bool{}
	for i := 0; len(warm) < len(all); i++ {
		if i == 40 {
			t.Fatalf("only %d of %d subscriptions saw an event", len(warm), len(all))
		}
		mustSpend(t, owner, org, 1, fmt.Sprint("warm-", i), "warm-up")
		for _, fd := range all {
			if !warm[fd] {
				if m, got := fd.within(250 * time.Millisecond); got {
					if m.Type != "next" {
						t.Fatalf("%s: %s %s", fd.name, m.Type, m.Payload)
					}
					warm[fd] = true
				}
			}
		}
	}
	last := mustSpend(t, owner, org, 1, "sync", "sync")
	for _, fd := range all {
		fd.event(t, last.Balance.Total)
	}

	// Who sees an entry: OWNER and BILLING every one, ADMIN and MEMBER
	// their own, an API key none (README, Roles: org-wide usage is a billing
	// right; a key reads the balance, not the ledger). A grant's reason is
	// its GRANT entry's reason, so balance { grants { reason } } follows the
	// same rule.
	spendAs := func(c *client) func(t *testing.T, reason string) (string, int64) {
		return func(t *testing.T, reason string) (string, int64) {
			out := mustSpend(t, c, org, 7, reason, reason)
			return out.Entry.ID, out.Balance.Total
		}
	}
	steps := []struct {
		name        string
		act         func(t *testing.T, reason string) (entryID string, total int64)
		actor       string // the actor's kind
		email       string // the actor's email, "" for an API key
		withMeta    bool   // the entry carries the reason in its metadata too
		sees        []string
		grantReason bool // the reason is also a grant's, in every balance
	}{
		{"the owner spends", spendAs(owner), "USER", "owner@events.example", true, []string{"owner", "billing"}, false},
		{"the member spends", spendAs(member), "USER", "member@events.example", true, []string{"owner", "billing", "member"}, false},
		{"the admin spends", spendAs(admin), "USER", "admin@events.example", true, []string{"owner", "billing", "admin"}, false},
		{"the API key spends", spendAs(key), "API_KEY", "", true, []string{"owner", "billing"}, false},
		{"a platform admin grants", func(t *testing.T, reason string) (string, int64) {
			var out struct {
				Entry   struct{ ID string }
				Balance struct{ Total int64 }
			}
			decodeField(t, f.grantWhy(t, f.admin, org, 5000, f.key(), reason), "grantCredits", &out)
			return out.Entry.ID, out.Balance.Total
		}, "USER", "root@platform.example", false, []string{"owner", "billing"}, true},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			reason := fmt.Sprintf("private-reason-%d-%s", i, uuid.NewString())
			entryID, total := st.act(t, reason)
			for _, p := range who {
				ev, raw := feeds[p.name].event(t, total)
				inEvent := ev.Entry != nil && ev.Entry.ID == entryID
				if ev.Entry != nil && !inEvent {
					t.Errorf("%s: event carries entry %s, not %s", p.name, ev.Entry.ID, entryID)
				}
				inLedger, asNode, code := ledgerSees(t, p.c, org, entryID)
				want := slices.Contains(st.sees, p.name)
				if inEvent != want || inLedger != want || asNode != want {
					t.Errorf("%s: entry in the event %t, in the ledger %t (code %q), as a node %t; want %t everywhere",
						p.name, inEvent, inLedger, code, asNode, want)
				}
				if p.name == "key" && code != "FORBIDDEN" {
					t.Errorf("an API key reading the ledger: code %q, want FORBIDDEN", code)
				}
				if st.grantReason {
					if inGrants := strings.Contains(grantReasons(t, p.c, org), reason); inGrants != want {
						t.Errorf("%s: the grant's reason in balance.grants %t, want %t", p.name, inGrants, want)
					}
				}
				if !want {
					for _, secret := range []string{reason, st.email} {
						if secret != "" && strings.Contains(raw, secret) {
							t.Errorf("%s's event leaks %q: %s", p.name, secret, raw)
						}
					}
					continue
				}
				if ev.Entry.Reason != reason || st.withMeta && !strings.Contains(string(ev.Entry.Metadata), reason) {
					t.Errorf("%s: event entry %+v lacks the reason or metadata", p.name, ev.Entry)
				}
				if st.grantReason && !strings.Contains(raw, `"reason":"`+reason+`"}`) {
					t.Errorf("%s: the event's balance lacks the grant's reason: %s", p.name, raw)
				}
				gotEmail := ""
				if ev.Entry.Actor.User != nil {
					gotEmail = ev.Entry.Actor.User.Email
				}
				if ev.Entry.Actor.Kind != st.actor || gotEmail != st.email {
					t.Errorf("%s: event actor %s %q, want %s %q", p.name, ev.Entry.Actor.Kind, gotEmail, st.actor, st.email)
				}
			}
		})
	}

	// A member's own spend draws on the platform admin's grant: its answer
	// names the grant, not the grant's reason.
	t.Run("a member's spend drawing on that grant", func(t *testing.T) {
		r := member.do(t, `mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) {
  entry { allocations { grant { kind reason } } } balance { grants { kind reason } } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "amount": 1500, "idempotencyKey": f.key()}})
		mustOK(t, r)
		if raw := string(r.Data["consumeCredits"]); !strings.Contains(raw, "ADJUSTMENT") || strings.Contains(raw, "private-reason-") {
			t.Errorf("the member's spend answers %s: want the ADJUSTMENT grant without its reason", raw)
		}
	})
}

// grantReasons is every grant reason of orgID's balance that c may read.
func grantReasons(t *testing.T, c *client, orgID string) string {
	t.Helper()
	r := c.do(t, `query($id: ID!) { org(id: $id) { balance { grants { kind reason } } } }`, map[string]any{"id": orgID})
	mustOK(t, r)
	return string(r.Data["org"])
}

// --- 8: the balance ceiling ---------------------------------------------

func testCeiling(t *testing.T, f *rules) (held []string) {
	owner, org := f.org(t, "ceiling")
	starter := owner.packID(t, "EUR", "starter-eur")
	const room = 10
	start := owner.balance(t, org)
	mustOK(t, f.grant(t, f.admin, org, domain.MaxCredits-start-room, f.key()))
	before := owner.state(t, org, 50, false)
	orders := countAllOrders(t, owner, org)
	if before.Balance != domain.MaxCredits-room {
		t.Fatalf("balance %d, want %d", before.Balance, domain.MaxCredits-room)
	}

	purchase := func(in map[string]any) func(t *testing.T) result {
		return func(t *testing.T) result {
			in["orgId"], in["packId"], in["idempotencyKey"] = org, starter, f.key()
			return owner.purchase(t, in)
		}
	}
	for _, tc := range []struct {
		name  string
		send  func(t *testing.T) result
		field string
	}{
		{"a grant one credit over", func(t *testing.T) result { return f.grant(t, f.admin, org, room+1, f.key()) }, "amount"},
		{"a grant of 2^53-1", func(t *testing.T) result { return f.grant(t, f.admin, org, domain.MaxCredits, f.key()) }, "amount"},
		{"a grant of 2^53", func(t *testing.T) result { return f.grant(t, f.admin, org, domain.MaxCredits+1, f.key()) }, ""},
		{"a pack paid at once by card", purchase(map[string]any{"paymentMethodId": sandbox.CardSucceeds}), "quantity"},
		{"a pack paid on the hosted page", purchase(map[string]any{}), "quantity"},
		{"a pack paid asynchronously", purchase(map[string]any{"paymentMethodId": sandbox.CardProcessing}), "quantity"},
		{"100 packs", purchase(map[string]any{"quantity": 100, "paymentMethodId": sandbox.CardSucceeds}), "quantity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := quick(t, func() result { return tc.send(t) })
			refused(t, r, "INVALID_INPUT", tc.field)
		})
	}
	if after := owner.state(t, org, 50, false); !after.equal(before) {
		t.Errorf("refusals changed the org: %+v → %+v", before, after)
	}
	if n := countAllOrders(t, owner, org); n != orders {
		t.Errorf("%d orders after the refused purchases, want %d: no order may exist, let alone a charge", n, orders)
	}

	// The exact ceiling is reachable and then holds; the total stays exact.
	var g struct{ Balance struct{ Total int64 } }
	decodeField(t, f.grant(t, f.admin, org, room, f.key()), "grantCredits", &g)
	if g.Balance.Total != domain.MaxCredits {
		t.Fatalf("balance %d after filling it, want %d", g.Balance.Total, domain.MaxCredits)
	}
	refused(t, quick(t, func() result { return f.grant(t, f.admin, org, 1, f.key()) }), "INVALID_INPUT", "amount")
	if out := mustSpend(t, owner, org, 3, f.key(), "spend at the ceiling"); out.Balance.Total != domain.MaxCredits-3 {
		t.Fatalf("balance %d after spending 3 at the ceiling", out.Balance.Total)
	}

	// An order started while its credits fitted, paid after they stopped
	// fitting: the money is collected, so the order is held for review —
	// never PAID beyond the ceiling, never left waiting on the buyer.
	t.Run("paid after the room was used up", func(t *testing.T) {
		owner, org := f.org(t, "ceiling-late")
		co := owner.mustPurchase(t, map[string]any{"orgId": org, "packId": starter, "idempotencyKey": f.key()})
		if co.Order.Status != "PENDING" || co.NextAction == nil || co.NextAction.Kind != "REDIRECT" {
			t.Fatalf("checkout %+v, want PENDING with a redirect", co)
		}
		mustOK(t, f.grant(t, f.admin, org, domain.MaxCredits-owner.balance(t, org)-co.Order.Credits/2, f.key()))
		before := owner.state(t, org, 50, false)
		payOnPage(t, f.s, co.NextAction.RedirectURL, url.Values{"action": {"pay"}, "card": {sandbox.CardSucceeds}})
		o := owner.waitStatus(t, co.Order.ID, "PROCESSING")
		if o.Invoice != nil || o.PaidAt != nil {
			t.Errorf("held order %+v has an invoice or a payment date", o)
		}
		if after := owner.state(t, org, 50, false); !after.equal(before) {
			t.Errorf("the held payment changed the balance: %+v → %+v", before, after)
		}
		r := quick(t, func() result {
			return owner.do(t, `mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": co.Order.ID})
		})
		refused(t, r, "CONFLICT", "")
		held = append(held, localID(t, co.Order.ID))
	})
	return held
}

// payOnPage submits the sandbox's hosted page at redirectURL with form and
// returns the answer's status and Location, without following it.
func payOnPage(t *testing.T, s *server, redirectURL string, form url.Values) (int, string) {
	return postPage(t, s, pagePath(t, redirectURL), form)
}

// pagePath is the path of a hosted page URL on the public origin.
func pagePath(t *testing.T, redirectURL string) string {
	t.Helper()
	if !strings.HasPrefix(redirectURL, rulesPublicURL+"/sandbox/pay/") {
		t.Fatalf("redirect to %q, want the sandbox page on %s", redirectURL, rulesPublicURL)
	}
	return strings.TrimPrefix(redirectURL, rulesPublicURL)
}

// postPage posts form to path on s without following redirects.
func postPage(t *testing.T, s *server, path string, form url.Values) (int, string) {
	t.Helper()
	noRedirect := &http.Client{Timeout: abuseBudget, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(s.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// getPage fetches path on s without following redirects and returns the
// status and body.
func getPage(t *testing.T, s *server, path string) (int, string) {
	t.Helper()
	noRedirect := &http.Client{Timeout: abuseBudget, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// --- 9: webhook amounts -------------------------------------------------

// deliverSandbox posts a sandbox webhook signed with the server's key.
func deliverSandbox(t *testing.T, s *server, ev sandbox.Event) int {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	sig := sandbox.Sign([]byte(rulesSandboxSecret), time.Now(), body)
	return s.postWebhook(t, "sandbox", http.Header{sandbox.SignatureHeader: {sig}, "Content-Type": {"application/json"}}, body)
}

func testWebhookAmounts(t *testing.T, f *rules) (held []string) {
	owner, org := f.org(t, "webhooks")
	starter := owner.packID(t, "EUR", "starter-eur")
	cases := []struct {
		name     string
		amount   func(total int64) int64
		currency string
		pays     bool
		refused  bool // the event is malformed: answered 400, the order left as it was
	}{
		{"one cent short", func(total int64) int64 { return total - 1 }, "EUR", false, false},
		{"one cent over", func(total int64) int64 { return total + 1 }, "EUR", false, false},
		{"a hundredth of it", func(total int64) int64 { return total / 100 }, "EUR", false, false},
		{"zero euros", func(int64) int64 { return 0 }, "EUR", false, false},
		{"no amount stated", func(int64) int64 { return 0 }, "", false, true},
		{"the total in US dollars", func(total int64) int64 { return total }, "USD", false, false},
		{"the total in reais", func(total int64) int64 { return total }, "BRL", false, false},
		{"the total in euros (control)", func(total int64) int64 { return total }, "EUR", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			co := owner.mustPurchase(t, map[string]any{"orgId": org, "packId": starter, "idempotencyKey": f.key()})
			if co.Order.Status != "PENDING" || co.Order.Total.Currency != "EUR" {
				t.Fatalf("order %+v, want PENDING in EUR", co.Order)
			}
			before := owner.state(t, org, 50, false)
			ev := sandbox.Event{
				ID: "evt_" + uuid.NewString(), Type: sandbox.EventSucceeded, Created: time.Now().Unix(),
				Data: sandbox.EventData{
					PaymentID: "pay_" + uuid.NewString(), OrderID: localID(t, co.Order.ID),
					AmountMinor: tc.amount(co.Order.Total.AmountMinor), Currency: tc.currency,
				},
			}
			start := time.Now()
			wantHTTP, wantOrder := http.StatusOK, "PROCESSING" // accepted (so the provider stops retrying), held
			if tc.refused {
				wantHTTP, wantOrder = http.StatusBadRequest, "PENDING"
			}
			if st := deliverSandbox(t, f.s, ev); st != wantHTTP {
				t.Fatalf("signed webhook answered %d, want %d", st, wantHTTP)
			}
			if took := time.Since(start); took > abuseBudget {
				t.Errorf("webhook answered in %v", took)
			}
			o := owner.order(t, co.Order.ID)
			after := owner.state(t, org, 50, false)
			if tc.pays {
				if o.Status != "PAID" || o.Invoice == nil || after.Balance != before.Balance+co.Order.Credits {
					t.Fatalf("matching webhook: %s, invoice %v, balance %d → %d; want PAID with %d credits",
						o.Status, o.Invoice, before.Balance, after.Balance, co.Order.Credits)
				}
				return
			}
			if o.Status != wantOrder || o.Invoice != nil || o.PaidAt != nil {
				t.Errorf("order %s after a webhook for %d %q: %s, invoice %v, paid %v; want %s, no invoice",
					o.Number, ev.Data.AmountMinor, ev.Data.Currency, o.Status, o.Invoice, o.PaidAt, wantOrder)
			}
			if !after.equal(before) {
				t.Errorf("a mismatched webhook changed the org: %+v → %+v", before, after)
			}
			if tc.refused {
				return
			}
			held = append(held, ev.Data.OrderID)
			// Held money is for an operator: the buyer cannot cancel it away.
			r := quick(t, func() result {
				return owner.do(t, `mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": co.Order.ID})
			})
			refused(t, r, "CONFLICT", "")
		})
	}
	return held
}

// --- 10: platform admins ------------------------------------------------

// orderAndInvoice reads a paid order's invoice both ways as c: through
// order(id){invoice}, through invoice(id), and as the PDF.
func orderAndInvoice(t *testing.T, c *client, orderID, invoiceID, pdf string) (viaOrder, viaInvoice string, codes [2]string, pdfStatus int) {
	t.Helper()
	r := quick(t, func() result {
		return c.do(t, `query($id: ID!) { order(id: $id) { id invoice { id number } } }`, map[string]any{"id": orderID})
	})
	codes[0] = r.code()
	if codes[0] == "" {
		var o *struct{ Invoice *struct{ ID, Number string } }
		decodeField(t, r, "order", &o)
		if o != nil && o.Invoice != nil && o.Invoice.ID == invoiceID {
			viaOrder = o.Invoice.Number
		}
	}
	r = quick(t, func() result {
		return c.do(t, `query($id: ID!) { invoice(id: $id) { id number order { id } } }`, map[string]any{"id": invoiceID})
	})
	codes[1] = r.code()
	if codes[1] == "" {
		var inv *struct {
			Number string
			Order  *struct{ ID string }
		}
		decodeField(t, r, "invoice", &inv)
		if inv != nil && inv.Order != nil && inv.Order.ID == orderID {
			viaInvoice = inv.Number
		}
	}
	pdfStatus, _ = c.get(t, pdf)
	return viaOrder, viaInvoice, codes, pdfStatus
}

func testPlatformAdmin(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "support")
	starter := owner.packID(t, "EUR", "starter-eur")
	billing, _ := s.join(t, owner, org, "billing@support.example", "BILLING")
	member, _ := s.join(t, owner, org, "member@support.example", "MEMBER")
	// A platform admin who is also a MEMBER of the org.
	s.join(t, owner, org, "staff@support.example", "MEMBER")
	staff := s.as("Bearer " + token(t, "staff@support.example", true))
	_, keySecret := owner.createKey(t, org, "backend")
	paid := owner.mustPurchase(t, map[string]any{"orgId": org, "packId": starter, "paymentMethodId": sandbox.CardSucceeds, "idempotencyKey": f.key()}).Order
	if paid.Status != "PAID" || paid.Invoice == nil {
		t.Fatalf("order %+v, want PAID with an invoice", paid)
	}
	_, invoicePDF := owner.get(t, paid.Invoice.PdfURL)
	pending := owner.mustPurchase(t, map[string]any{"orgId": org, "packId": starter, "idempotencyKey": f.key()}).Order
	if pending.Status != "PENDING" {
		t.Fatalf("order without a card is %s", pending.Status)
	}

	// What a platform admin may not do: act on an org's orders for it.
	for _, tc := range []struct {
		name, mutation, order string
	}{
		{"cancel an unpaid order", "cancelOrder", pending.ID},
		{"confirm an unpaid order", "confirmOrder", pending.ID},
		{"cancel a paid order", "cancelOrder", paid.ID},
		{"confirm a paid order", "confirmOrder", paid.ID},
	} {
		for _, admin := range []struct {
			name string
			c    *client
		}{{"not a member", f.admin}, {"a MEMBER", staff}} {
			t.Run(tc.name+" as an admin who is "+admin.name, func(t *testing.T) {
				before := owner.state(t, org, 50, false)
				r := quick(t, func() result {
					return admin.c.do(t, fmt.Sprintf(`mutation($id: ID!) { %s(orderId: $id) { id status } }`, tc.mutation), map[string]any{"id": tc.order})
				})
				refused(t, r, "FORBIDDEN", "")
				if after := owner.state(t, org, 50, false); !after.equal(before) {
					t.Errorf("the refusal changed the org: %+v → %+v", before, after)
				}
			})
		}
	}
	if o := owner.order(t, pending.ID); o.Status != "PENDING" {
		t.Errorf("the unpaid order is %s after the admins' attempts, want PENDING", o.Status)
	}

	// The owner may not refund (platform admins only).
	t.Run("the owner refunds", func(t *testing.T) {
		r := quick(t, func() result {
			return owner.do(t, `mutation($id: ID!, $k: String!) { refundOrder(orderId: $id, amount: 100, idempotencyKey: $k) { order { status } } }`,
				map[string]any{"id": paid.ID, "k": f.key()})
		})
		refused(t, r, "FORBIDDEN", "")
	})

	// order(id){invoice}, invoice(id) and the PDF agree for every caller.
	for _, tc := range []struct {
		name string
		c    *client
		code string // "" when the caller may read the invoice
	}{
		{"owner", owner, ""},
		{"billing", billing, ""},
		{"platform admin", f.admin, ""},
		{"platform admin who is a MEMBER", staff, ""},
		{"member", member, "FORBIDDEN"},
		{"API key", s.as("Bearer " + keySecret), "FORBIDDEN"},
		{"outsider", s.user(t, "outsider@support.example"), "NOT_FOUND"},
		{"anonymous", s.as(""), "UNAUTHENTICATED"},
	} {
		t.Run("invoice as "+tc.name, func(t *testing.T) {
			viaOrder, viaInvoice, codes, pdf := orderAndInvoice(t, tc.c, paid.ID, paid.Invoice.ID, paid.Invoice.PdfURL)
			if tc.code == "" {
				if viaOrder != paid.Invoice.Number || viaInvoice != paid.Invoice.Number || pdf != http.StatusOK {
					t.Fatalf("order(id){invoice} %q, invoice(id) %q, PDF %d; want %s both ways and 200 (codes %v)",
						viaOrder, viaInvoice, pdf, paid.Invoice.Number, codes)
				}
				return
			}
			if viaOrder != "" || viaInvoice != "" || codes[0] != tc.code || codes[1] != tc.code || pdf == http.StatusOK {
				t.Fatalf("order(id){invoice} %q (%s), invoice(id) %q (%s), PDF %d; want %s both ways and no PDF",
					viaOrder, codes[0], viaInvoice, codes[1], pdf, tc.code)
			}
		})
	}

	// What a platform admin may do: grant and refund.
	t.Run("the admin grants", func(t *testing.T) {
		before := owner.balance(t, org)
		mustOK(t, quick(t, func() result { return f.grant(t, f.admin, org, 123, f.key()) }))
		if after := owner.balance(t, org); after != before+123 {
			t.Fatalf("balance %d → %d after a grant of 123", before, after)
		}
	})
	t.Run("the admin refunds", func(t *testing.T) {
		before := owner.balance(t, org)
		r := quick(t, func() result {
			return f.admin.do(t, `mutation($id: ID!, $k: String!) { refundOrder(orderId: $id, amount: 100, reason: "goodwill", idempotencyKey: $k) {
  order { status refunded { amountMinor } } creditsRemoved } }`, map[string]any{"id": paid.ID, "k": f.key()})
		})
		var out struct {
			Order struct {
				Status   string
				Refunded struct{ AmountMinor int64 }
			}
			CreditsRemoved int64
		}
		decodeField(t, r, "refundOrder", &out)
		if out.Order.Status != "PARTIALLY_REFUNDED" || out.Order.Refunded.AmountMinor != 100 || out.CreditsRemoved <= 0 {
			t.Fatalf("refund: %+v", out)
		}
		if after := owner.balance(t, org); after != before-out.CreditsRemoved {
			t.Fatalf("balance %d → %d, want %d credits fewer", before, after, out.CreditsRemoved)
		}
		// Both ways to the invoice tell the refund alike.
		const inv = `status refunded { amountMinor }`
		var viaOrder struct{ Invoice json.RawMessage }
		decodeField(t, f.admin.do(t, `query($id: ID!) { order(id: $id) { invoice { `+inv+` } } }`, map[string]any{"id": paid.ID}), "order", &viaOrder)
		r = f.admin.do(t, `query($id: ID!) { invoice(id: $id) { `+inv+` } }`, map[string]any{"id": paid.Invoice.ID})
		mustOK(t, r)
		want := `{"status":"PARTIALLY_REFUNDED","refunded":{"amountMinor":100}}`
		if string(viaOrder.Invoice) != want || string(r.Data["invoice"]) != want {
			t.Fatalf("order(id){invoice} %s, invoice(id) %s; want %s both ways", viaOrder.Invoice, r.Data["invoice"], want)
		}

		// The refund issued a credit note for it, which the invoice and the
		// org list alike, and whose PDF names the invoice; the invoice's
		// own PDF is unchanged.
		r = f.admin.do(t, `query($id: ID!) {
  invoice(id: $id) { number creditNotes { id number invoiceNumber reason total { amountMinor } pdfUrl } } }`, map[string]any{"id": paid.Invoice.ID})
		var notes struct {
			Invoice struct {
				Number      string
				CreditNotes []struct {
					ID, Number, InvoiceNumber, Reason, PdfURL string
					Total                                     struct{ AmountMinor int64 }
				}
			}
			Org struct {
				CreditNotes struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		decodeField(t, r, "invoice", &notes.Invoice)
		decodeField(t, owner.do(t, `query($o: ID!) { org(id: $o) { creditNotes { edges { node { id } } } } }`, map[string]any{"o": org}), "org", &notes.Org)
		cns := notes.Invoice.CreditNotes
		if len(cns) != 1 || !strings.HasPrefix(cns[0].Number, "CN-") || cns[0].InvoiceNumber != paid.Invoice.Number ||
			cns[0].Total.AmountMinor != -100 || cns[0].Reason != "goodwill" {
			t.Fatalf("credit notes of the invoice = %+v, want one of -100 for %s", cns, paid.Invoice.Number)
		}
		if e := notes.Org.CreditNotes.Edges; len(e) != 1 || e[0].Node.ID != cns[0].ID {
			t.Fatalf("credit notes of the org = %+v, want %s", e, cns[0].ID)
		}
		status, body := f.admin.get(t, cns[0].PdfURL)
		if status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", cns[0].PdfURL, status, body)
		}
		text, err := pdftext.Extract(bytes.NewReader(body), int64(len(body)))
		if err != nil || !strings.Contains(text, "Credit note number "+cns[0].Number) || !strings.Contains(text, "Refers to invoice "+paid.Invoice.Number) {
			t.Fatalf("credit note PDF (%v):\n%s", err, text)
		}
		if _, after := owner.get(t, paid.Invoice.PdfURL); !bytes.Equal(after, invoicePDF) {
			t.Fatal("the invoice's PDF changed with the refund")
		}

		// Whoever reads the invoice reads its credit notes; nobody else.
		for _, tc := range []struct {
			name   string
			c      *client
			status int
		}{
			{"owner", owner, http.StatusOK},
			{"billing", billing, http.StatusOK},
			{"platform admin who is a MEMBER", staff, http.StatusOK},
			{"member", member, http.StatusForbidden},
			{"API key", s.as("Bearer " + keySecret), http.StatusForbidden},
			{"outsider", s.user(t, "outsider2@support.example"), http.StatusNotFound},
			{"anonymous", s.as(""), http.StatusUnauthorized},
		} {
			if status, _ := tc.c.get(t, cns[0].PdfURL); status != tc.status {
				t.Errorf("credit note PDF as %s: %d, want %d", tc.name, status, tc.status)
			}
		}
	})
}

// --- 11: idempotency replays --------------------------------------------

func testReplays(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "replay")
	billing, _ := s.join(t, owner, org, "billing@replay.example", "BILLING")
	admin, _ := s.join(t, owner, org, "admin@replay.example", "ADMIN")
	member, _ := s.join(t, owner, org, "member@replay.example", "MEMBER")
	_, keySecret := owner.createKey(t, org, "backend")
	otherOwner, otherOrg := f.org(t, "replay-other")
	_, otherKeySecret := otherOwner.createKey(t, otherOrg, "backend")
	otherKey := s.as("Bearer " + otherKeySecret)

	const key, amount = "shared-key", 5
	reason := "owner's private reason " + uuid.NewString()
	first := mustSpend(t, owner, org, amount, key, reason)
	before := owner.state(t, org, 50, false)

	for _, tc := range []struct {
		name string
		c    *client
		code string // "" when the first result is theirs to see
	}{
		{"the owner again (control)", owner, ""},
		{"BILLING, who reads every entry", billing, ""},
		{"an ADMIN", admin, "CONFLICT"},
		{"a MEMBER", member, "CONFLICT"},
		{"the org's API key", s.as("Bearer " + keySecret), "CONFLICT"},
		{"another org's API key", otherKey, "NOT_FOUND"},
		{"an outsider", s.user(t, "outsider@replay.example"), "NOT_FOUND"},
		{"a platform admin", f.admin, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := quick(t, func() result { return spend(t, tc.c, org, amount, key, reason) })
			if tc.code == "" {
				var out spent
				decodeField(t, r, "consumeCredits", &out)
				if out.Entry.ID != first.Entry.ID || out.Balance.Total != first.Balance.Total {
					t.Fatalf("replay answered entry %s total %d, want the first %s %d", out.Entry.ID, out.Balance.Total, first.Entry.ID, first.Balance.Total)
				}
			} else {
				refused(t, r, tc.code, "")
				for _, e := range r.Errors {
					if strings.Contains(e.Message, reason) || strings.Contains(e.Message, first.Entry.ID) {
						t.Errorf("the refusal leaks the first result: %s", e.Message)
					}
				}
			}
			if after := owner.state(t, org, 50, false); !after.equal(before) {
				t.Errorf("the replay changed the org: %+v → %+v", before, after)
			}
		})
	}

	// The same key in another org is another request, with its own result.
	t.Run("the same key in another org", func(t *testing.T) {
		out := mustSpend(t, otherKey, otherOrg, amount, key, reason)
		if out.Entry.ID == first.Entry.ID {
			t.Fatal("another org's spend answered the first org's entry")
		}
	})

	// A grant's key: replayed to the admin who made it, not to another.
	t.Run("another platform admin replays a grant", func(t *testing.T) {
		var g struct {
			Entry   struct{ ID string }
			Balance struct{ Total int64 }
		}
		decodeField(t, f.grant(t, f.admin, org, 77, "grant-key"), "grantCredits", &g)
		before := owner.state(t, org, 50, false)
		var again struct{ Entry struct{ ID string } }
		decodeField(t, quick(t, func() result { return f.grant(t, f.admin, org, 77, "grant-key") }), "grantCredits", &again)
		if again.Entry.ID != g.Entry.ID {
			t.Fatalf("the granting admin's replay answered %s, want %s", again.Entry.ID, g.Entry.ID)
		}
		other := s.as("Bearer " + token(t, "root2@platform.example", true))
		refused(t, quick(t, func() result { return f.grant(t, other, org, 77, "grant-key") }), "CONFLICT", "")
		if after := owner.state(t, org, 50, false); !after.equal(before) {
			t.Errorf("the replays changed the org: %+v → %+v", before, after)
		}
	})

	// A purchase's key: replayed to whoever may buy and read orders, not to
	// a MEMBER or the API key.
	t.Run("a purchase replayed", func(t *testing.T) {
		in := map[string]any{"orgId": org, "packId": owner.packID(t, "EUR", "starter-eur"), "idempotencyKey": "buy-key"}
		first := owner.mustPurchase(t, in)
		orders := countAllOrders(t, owner, org)
		if again := billing.mustPurchase(t, in); again.Order.ID != first.Order.ID {
			t.Fatalf("BILLING's replay made order %s, want %s", again.Order.ID, first.Order.ID)
		}
		for _, c := range []*client{member, s.as("Bearer " + keySecret)} {
			r := quick(t, func() result { return c.purchase(t, in) })
			refused(t, r, "FORBIDDEN", "")
		}
		if n := countAllOrders(t, owner, org); n != orders {
			t.Errorf("%d orders after the replays, want %d", n, orders)
		}
	})
}

// --- 12: return URLs ----------------------------------------------------

func testReturnURLs(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "returns")
	starter := owner.packID(t, "EUR", "starter-eur")
	orders := countAllOrders(t, owner, org)
	before := owner.state(t, org, 50, false)
	for _, tc := range []struct{ name, url string }{
		{"another origin", "https://evil.example/billing"},
		{"an allowed origin as a prefix of another host", "http://app.example.evil.example/billing"},
		{"userinfo before another host", "http://app.example@evil.example/"},
		{"a backslash", `http://evil.example\@app.example/`},
		{"scheme-relative", "//evil.example/"},
		{"javascript", "javascript:alert(document.domain)//http://app.example/"},
		{"data", "data:text/html,<script>alert(1)</script>"},
		{"the allowed host over https", "https://app.example/billing"},
		{"the allowed host on another port", "http://app.example:8443/billing"},
		{"the allowed origin, too long", "http://app.example/" + strings.Repeat("a", domain.MaxReturnURLLen)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := quick(t, func() result {
				return owner.purchase(t, map[string]any{"orgId": org, "packId": starter, "paymentMethodId": sandbox.CardSucceeds,
					"idempotencyKey": f.key(), "returnUrl": tc.url})
			})
			refused(t, r, "INVALID_INPUT", "returnUrl")
		})
	}
	if n := countAllOrders(t, owner, org); n != orders {
		t.Errorf("%d orders after refused return URLs, want %d", n, orders)
	}
	if after := owner.state(t, org, 50, false); !after.equal(before) {
		t.Errorf("refused purchases changed the org: %+v → %+v", before, after)
	}

	// Allowed return URLs work, and the hosted page sends the buyer there
	// and nowhere a request names.
	hostile := url.Values{}
	for _, k := range []string{"returnUrl", "return_url", "redirect", "redirect_uri", "next", "continue"} {
		hostile.Set(k, "https://evil.example/")
	}
	for _, tc := range []struct{ name, returnURL, want string }{
		{"a front-end origin", "http://app.example/billing/done?tab=credits", "http://app.example/billing/done?"},
		{"the server's own origin", rulesPublicURL + "/thanks", rulesPublicURL + "/thanks?"},
		{"none: the sandbox's result page", "", "/sandbox/result/"},
	} {
		t.Run("hosted page back to "+tc.name, func(t *testing.T) {
			in := map[string]any{"orgId": org, "packId": starter, "idempotencyKey": f.key()}
			if tc.returnURL != "" {
				in["returnUrl"] = tc.returnURL
			}
			co := owner.mustPurchase(t, in)
			if co.Order.Status != "PENDING" || co.NextAction == nil || co.NextAction.Kind != "REDIRECT" {
				t.Fatalf("checkout %+v, want PENDING with a redirect", co)
			}
			form := url.Values{"action": {"pay"}, "card": {sandbox.CardSucceeds}}
			for k, v := range hostile {
				form[k] = v
			}
			status, location := postPage(t, s, pagePath(t, co.NextAction.RedirectURL)+"?"+hostile.Encode(), form)
			loc, err := url.Parse(location)
			if status != http.StatusSeeOther || err != nil || !strings.HasPrefix(location, tc.want) {
				t.Fatalf("hosted page answered %d to %q, want 303 to %s…", status, location, tc.want)
			}
			if tc.returnURL == "" {
				// No return URL named: the sandbox's own result page says
				// how it ended, rather than dropping the buyer in GraphiQL.
				if status, body := getPage(t, s, loc.Path); status != http.StatusOK || !strings.Contains(body, "Payment paid") {
					t.Errorf("result page %s = %d:\n%s", loc.Path, status, body)
				}
			} else if loc.Query().Get("status") != "SUCCEEDED" {
				t.Errorf("return URL %s lacks the outcome", location)
			}
			owner.waitStatus(t, co.Order.ID, "PAID")
		})
	}
	t.Run("an unknown payment's page redirects nowhere", func(t *testing.T) {
		status, location := postPage(t, s, "/sandbox/pay/pay_unknown?"+hostile.Encode(), url.Values{"action": {"pay"}, "returnUrl": {"https://evil.example/"}})
		if status != http.StatusNotFound || location != "" {
			t.Fatalf("answered %d to %q, want 404 and no redirect", status, location)
		}
	})
}

// --- 14: email_verified -------------------------------------------------

func testUnverifiedEmail(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "verify")
	const email = "newcomer@verify.example"
	invitation := owner.invite(t, org, email, "MEMBER")
	before := owner.state(t, org, 50, true)
	tokenWith := func(verified any) string {
		now := time.Now()
		claims := jwt.MapClaims{"sub": "e2e|" + email, "email": email, "name": email, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if verified != nil {
			claims["email_verified"] = verified
		}
		return signed(t, jwt.SigningMethodHS256, claims, []byte(secret))
	}
	accept := `mutation($t: String!) { acceptInvitation(token: $t) { membership { role } } }`
	for _, tc := range []struct {
		name     string
		verified any
	}{
		{"email_verified false", false},
		{`email_verified "false"`, "false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.as("Bearer " + tokenWith(tc.verified))
			refused(t, quick(t, func() result { return c.do(t, accept, map[string]any{"t": invitation}) }), "FORBIDDEN", "")
			if after := owner.state(t, org, 50, true); !after.equal(before) {
				t.Errorf("the refusal changed the org: %+v → %+v", before, after)
			}
		})
	}
	t.Run("email_verified true (control)", func(t *testing.T) {
		c := s.as("Bearer " + tokenWith(true))
		mustOK(t, c.do(t, accept, map[string]any{"t": invitation}))
		if role := owner.state(t, org, 50, true).roleOf(c.viewerID(t)); role != "MEMBER" {
			t.Fatalf("role %q after accepting, want MEMBER", role)
		}
	})
}

// --- 15: token lifetime, headers, suggestions ---------------------------

func testTokenTTL(t *testing.T, f *rules) {
	s := f.s
	const email = "ttl@rules.example"
	mint := func(iat *time.Time, exp time.Time) string {
		claims := jwt.MapClaims{"sub": "e2e|" + email, "email": email, "name": email, "exp": exp.Unix()}
		if iat != nil {
			claims["iat"] = iat.Unix()
		}
		return signed(t, jwt.SigningMethodHS256, claims, []byte(secret))
	}
	now := time.Now()
	hourAgo := now.Add(-time.Hour)
	for _, tc := range []struct {
		name  string
		token string
		valid bool
	}{
		{"90 minutes (control)", mint(&now, now.Add(90*time.Minute)), true},
		{"3 hours", mint(&now, now.Add(3*time.Hour)), false},
		{"a year", mint(&now, now.Add(365*24*time.Hour)), false},
		{"issued an hour ago, 2h30 in all", mint(&hourAgo, now.Add(90*time.Minute)), false},
		{"no iat, expiring in 3 hours", mint(nil, now.Add(3*time.Hour)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.as("Bearer " + tc.token)
			r := quick(t, func() result { return c.do(t, `{ viewer { user { email } } }`, nil) })
			o := wsAttempt(t, s, "http://app.example", map[string]any{"authorization": "Bearer " + tc.token})
			if tc.valid {
				mustOK(t, r)
				if !o.ack {
					t.Fatalf("socket: %+v, want connection_ack", o)
				}
				return
			}
			refused(t, r, "UNAUTHENTICATED", "")
			if r.Status != http.StatusUnauthorized {
				t.Errorf("HTTP %d, want 401", r.Status)
			}
			if o.ack {
				t.Fatalf("a socket opened with a token living over %v: %+v", rulesMaxTTL, o)
			}
		})
	}
}

func testSecurityHeaders(t *testing.T, f *rules) {
	s := f.s
	ownerToken := "Bearer " + token(t, "headers@rules.example", false)
	post := func(headers map[string]string, query string) func() (int, http.Header) {
		return func() (int, http.Header) {
			status, h, _, _ := rawPost(t, s, headers, gqlBody(query, nil))
			return status, h
		}
	}
	getPath := func(path string) func() (int, http.Header) {
		return func() (int, http.Header) {
			status, h, _ := get(t, s, path, nil)
			return status, h
		}
	}
	for _, tc := range []struct {
		name   string
		send   func() (int, http.Header)
		status int
	}{
		{"a query answered", post(map[string]string{"Authorization": ownerToken}, `{ viewer { user { email } } }`), http.StatusOK},
		{"a query refused", post(nil, `{ viewr }`), http.StatusOK},
		{"a bad token", post(map[string]string{"Authorization": "Bearer forged"}, `{ viewer { user { email } } }`), http.StatusUnauthorized},
		{"the catalog, anonymous", post(nil, `{ packs(currency: EUR) { code } }`), http.StatusOK},
		{"an invoice PDF, anonymous", getPath("/invoices/x.pdf"), http.StatusUnauthorized},
		{"a credit note PDF, anonymous", getPath("/credit-notes/x.pdf"), http.StatusUnauthorized},
		{"a hosted page that does not exist", getPath("/sandbox/pay/pay_unknown"), http.StatusNotFound},
		{"readiness", getPath("/readyz"), http.StatusOK},
		{"a forged webhook", func() (int, http.Header) {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/sandbox", strings.NewReader(`{}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			return resp.StatusCode, resp.Header
		}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h := tc.send()
			if status != tc.status {
				t.Errorf("HTTP %d, want %d", status, tc.status)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options":    "nosniff",
				"Cache-Control":             "no-store",
				"X-Frame-Options":           "DENY",
				"Strict-Transport-Security": "max-age=",
			} {
				if !strings.Contains(h.Get(name), want) {
					t.Errorf("%s: %q, want %q in it", name, h.Get(name), want)
				}
			}
		})
	}
}

func testNoSuggestions(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "suggest")
	cases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"a misspelt field", `{ viewr { user { id } } }`, nil},
		{"a misspelt nested field", `{ packs { cod } }`, nil},
		{"a misspelt argument", `{ packs(curency: EUR) { code } }`, nil},
		{"a misspelt enum value", `{ packs(currency: EURO) { code } }`, nil},
		{"a misspelt enum value in a variable", `query($c: Currency) { packs(currency: $c) { code } }`, map[string]any{"c": "EURO"}},
		{"a misspelt type condition", `query { ...F } fragment F on Querry { __typename }`, nil},
		{"a misspelt variable type", `query($c: Curency) { packs(currency: $c) { code } }`, nil},
		{"a misspelt input field", `mutation { createOrg(input: {nam: "x", country: "DE", currency: EUR}) { org { id } } }`, nil},
		{"a misspelt input field in a variable", `mutation($in: CreateOrgInput!) { createOrg(input: $in) { org { id } } }`,
			map[string]any{"in": map[string]any{"nam": "x", "country": "DE", "currency": "EUR"}}},
		{"a misspelt mutation", `mutation { consumeCredit(input: {orgId: "x", amount: 1, idempotencyKey: "k"}) { entry { id } } }`, nil},
		{"a misspelt directive", `{ __typename @skp(if: true) }`, nil},
	}
	for _, who := range []struct {
		name string
		c    *client
	}{{"anonymous", s.as("")}, {"signed in", owner}} {
		for _, tc := range cases {
			t.Run(tc.name+", "+who.name, func(t *testing.T) {
				r := quick(t, func() result { return who.c.do(t, tc.query, tc.vars) })
				if len(r.Errors) == 0 || r.code() != "INVALID_INPUT" {
					t.Fatalf("errors %+v, want INVALID_INPUT", r.Errors)
				}
				for _, e := range r.Errors {
					if strings.Contains(strings.ToLower(e.Message), "did you mean") {
						t.Errorf("production suggests: %s", e.Message)
					}
				}
			})
		}
	}
	t.Run("a misspelt subscription field over a socket", func(t *testing.T) {
		ws := dialWS(t, s, "graphql-transport-ws", owner.auth)
		fd := startFeed("owner", ws)
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription($org: ID!) { balanceUpdatd(orgId: $org) { balance { total } } }`, "variables": map[string]any{"org": org}}})
		m, got := fd.within(abuseBudget)
		if !got || (m.Type != "error" && m.Type != "next") {
			t.Fatalf("no answer to a misspelt subscription: %+v", m)
		}
		if !strings.Contains(string(m.Payload), "INVALID_INPUT") || strings.Contains(strings.ToLower(string(m.Payload)), "did you mean") {
			t.Fatalf("answer %s %s, want INVALID_INPUT without suggestions", m.Type, m.Payload)
		}
	})
}

// --- configurations production refuses ----------------------------------

// TestAbuseRulesRefusedConfigs: the binary refuses, at once and with a
// message naming the setting, configurations that would let tokens of any
// application in (JWKS without issuer and audience) or let anyone forge
// tokens or webhooks (weak secrets in production). The production server
// of TestAbuseRules, with strong secrets, is the control that starts.
func TestAbuseRulesRefusedConfigs(t *testing.T) {
	const jwks = "https://idp.example/.well-known/jwks.json"
	prod := []string{"TALLY_ENV=production", "TALLY_ALLOWED_ORIGINS=https://app.example"}
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"JWKS without issuer or audience", []string{"TALLY_JWKS_URL=" + jwks}, "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{"JWKS without audience", []string{"TALLY_JWKS_URL=" + jwks, "TALLY_JWT_ISSUER=https://idp.example/"}, "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{"JWKS without issuer", []string{"TALLY_JWKS_URL=" + jwks, "TALLY_JWT_AUDIENCE=tally"}, "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{"JWKS without issuer or audience in production", append([]string{"TALLY_JWKS_URL=" + jwks}, prod...), "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{"JWKS over http in production", append([]string{"TALLY_JWKS_URL=http://idp.example/jwks", "TALLY_JWT_ISSUER=i", "TALLY_JWT_AUDIENCE=a"}, prod...), "needs an https TALLY_JWKS_URL"},
		{"a secret of one letter repeated", append([]string{"TALLY_JWT_SECRET=" + strings.Repeat("a", 64)}, prod...), "refuses a weak TALLY_JWT_SECRET"},
		{"a secret of repeated words", append([]string{"TALLY_JWT_SECRET=passwordpasswordpasswordpassword"}, prod...), "refuses a weak TALLY_JWT_SECRET"},
		{"a secret that is a sequence", append([]string{"TALLY_JWT_SECRET=0123456789abcdef0123456789abcdef"}, prod...), "refuses a weak TALLY_JWT_SECRET"},
		{"a secret of two characters", append([]string{"TALLY_JWT_SECRET=" + strings.Repeat("01", 24)}, prod...), "refuses a weak TALLY_JWT_SECRET"},
		{"a short secret", append([]string{"TALLY_JWT_SECRET=Zq8#kP2!xR"}, prod...), "TALLY_JWT_SECRET must be at least 32 bytes"},
		{"the public development secret", append([]string{"TALLY_JWT_SECRET=tally-development-secret-not-for-production"}, prod...), "refuses the public development TALLY_JWT_SECRET"},
		{"no secret", prod, "needs TALLY_JWT_SECRET or TALLY_JWKS_URL"},
		{"a weak sandbox webhook secret", append([]string{"TALLY_JWT_SECRET=" + secret, "TALLY_SANDBOX=on",
			"TALLY_SANDBOX_WEBHOOK_SECRET=sandboxsandboxsandboxsandbox1234"}, prod...), "refuses a weak TALLY_SANDBOX_WEBHOOK_SECRET"},
		{"a token lifetime over 30 days", append([]string{"TALLY_JWT_SECRET=" + secret, "TALLY_JWT_MAX_TTL=1000h"}, prod...), "TALLY_JWT_MAX_TTL must be between"},
		{"any origin in production", []string{"TALLY_ENV=production", "TALLY_JWT_SECRET=" + secret, "TALLY_ALLOWED_ORIGINS=*"}, `refuses TALLY_ALLOWED_ORIGINS="*"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*abuseBudget)
			defer cancel()
			dir := t.TempDir()
			cmd := tallytest.Command(ctx, t, append([]string{"HOME=" + dir,
				"DATABASE_URL=sqlite://" + filepath.Join(dir, "tally.db")}, tc.env...), "serve", "--addr", "127.0.0.1:0")
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			var exit *exec.ExitError
			if ctx.Err() != nil || !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("tally serve did not refuse to start (%v after %v):\n%s", err, took, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Fatalf("exit %d without %q:\n%s", exit.ExitCode(), tc.want, out)
			}
			if took > abuseBudget {
				t.Errorf("refused after %v", took)
			}
		})
	}
}

// --- issue 8: transferOwnership and deleteOrg -------------------------

const (
	rulesTransfer = `mutation($in: TransferOwnershipInput!) { transferOwnership(input: $in) { owner { role } } }`
	rulesDelete   = `mutation($in: DeleteOrgInput!) { deleteOrg(input: $in) { orgId creditsForfeited } }`
)

// testOwnership tries to take over or delete an org as everyone but its
// owner, and as its owner while money is in flight; then the owner
// deletes it and everything that reached it (its key, its members, a
// platform admin's grant) stops at once.
func testOwnership(t *testing.T, f *rules) {
	s := f.s
	owner, org := f.org(t, "leaving")
	starter := owner.packID(t, "EUR", "starter-eur")
	admin, adminID := s.join(t, owner, org, "admin@leaving.example", "ADMIN")
	member, memberID := s.join(t, owner, org, "member@leaving.example", "MEMBER")
	_, keySecret := owner.createKey(t, org, "backend")
	key := s.as("Bearer " + keySecret)
	stranger, strangerOrg := f.org(t, "stranger")
	strangerID := stranger.viewerID(t)
	mustOK(t, f.grant(t, f.admin, org, 5000, f.key()))
	pending := owner.mustPurchase(t, map[string]any{"orgId": org, "packId": starter, "idempotencyKey": f.key()}).Order
	if pending.Status != "PENDING" {
		t.Fatalf("order without a card is %s", pending.Status)
	}
	confirm := map[string]any{"orgId": org, "confirmName": "Rules leaving"}

	for _, tc := range []struct {
		name, query string
		c           *client
		in          map[string]any
		code        string
	}{
		{"the org's API key deletes it", rulesDelete, key, confirm, "FORBIDDEN"},
		{"the org's API key hands it to a member", rulesTransfer, key, map[string]any{"orgId": org, "userId": memberID}, "FORBIDDEN"},
		{"an ADMIN makes themselves the owner", rulesTransfer, admin, map[string]any{"orgId": org, "userId": adminID}, "FORBIDDEN"},
		{"an ADMIN deletes it", rulesDelete, admin, confirm, "FORBIDDEN"},
		{"a MEMBER deletes it", rulesDelete, member, confirm, "FORBIDDEN"},
		{"a platform admin deletes it", rulesDelete, f.admin, confirm, "NOT_FOUND"},
		{"a stranger hands it to themselves", rulesTransfer, stranger, map[string]any{"orgId": org, "userId": strangerID}, "NOT_FOUND"},
		{"the owner hands it to a stranger", rulesTransfer, owner, map[string]any{"orgId": org, "userId": strangerID}, "NOT_FOUND"},
		{"the owner deletes it while an order awaits payment", rulesDelete, owner, confirm, "CONFLICT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := owner.state(t, org, 50, true)
			r := quick(t, func() result { return tc.c.do(t, tc.query, map[string]any{"in": tc.in}) })
			refused(t, r, tc.code, "")
			if after := owner.state(t, org, 50, true); !after.equal(before) {
				t.Errorf("the refusal changed the org: %+v → %+v", before, after)
			}
		})
	}

	owner.must(t, `mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": pending.ID}, "cancelOrder", nil)
	balance := owner.balance(t, org)
	var gone struct{ CreditsForfeited int64 }
	owner.must(t, rulesDelete, map[string]any{"in": confirm}, "deleteOrg", &gone)
	if gone.CreditsForfeited != balance || balance < 5000 {
		t.Fatalf("forfeited %d of a balance of %d", gone.CreditsForfeited, balance)
	}

	for _, tc := range []struct {
		name, query string
		c           *client
		vars        map[string]any
		code        string
	}{
		{"its API key spends", spendMutation, key, map[string]any{"in": map[string]any{
			"orgId": org, "amount": 1, "idempotencyKey": f.key(), "reason": "after", "metadata": map[string]any{}}}, "UNAUTHENTICATED"},
		{"a former member reads it", `query($id: ID!) { org(id: $id) { id } }`, member, map[string]any{"id": org}, "NOT_FOUND"},
		{"the former owner reads its balance", `query($id: ID!) { org(id: $id) { balance { total } } }`, owner, map[string]any{"id": org}, "NOT_FOUND"},
		{"the former owner deletes it again", rulesDelete, owner, map[string]any{"in": confirm}, "NOT_FOUND"},
		{"a former ADMIN takes it over", rulesTransfer, admin, map[string]any{"in": map[string]any{"orgId": org, "userId": adminID}}, "NOT_FOUND"},
		{"a platform admin grants it credits", `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { balance { total } } }`, f.admin,
			map[string]any{"in": map[string]any{"orgId": org, "amount": 10, "kind": "ADJUSTMENT", "reason": "after", "idempotencyKey": f.key()}}, "NOT_FOUND"},
	} {
		t.Run("after deletion "+tc.name, func(t *testing.T) {
			refused(t, quick(t, func() result { return tc.c.do(t, tc.query, tc.vars) }), tc.code, "")
		})
	}
	// The stranger's org is untouched.
	if b := stranger.balance(t, strangerOrg); b != 1000 {
		t.Errorf("the stranger's balance is %d", b)
	}
}

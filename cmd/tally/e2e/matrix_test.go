package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// The authorization matrix: every kind of caller against every operation on
// one org ("org A"), as the role table (README, Roles) and the domain's policy decide.

// The actors, in the column order of the matrix.
const (
	actOwner    = "OWNER"
	actAdmin    = "ADMIN"
	actBilling  = "BILLING"
	actMember   = "MEMBER"
	actKey      = "API_KEY"        // an API key of org A, created by its OWNER
	actKeyB     = "API_KEY_OF_B"   // an API key of org B
	actPlatform = "PLATFORM_ADMIN" // the tally_admin claim, not a member of org A
	actOutsider = "OUTSIDER"       // a signed-in user who owns org B
	actAnon     = "ANONYMOUS"
)

// matrixActors is the column order of outcomes.
var matrixActors = [...]string{actOwner, actAdmin, actBilling, actMember, actKey, actKeyB, actPlatform, actOutsider, actAnon}

// The outcomes of a call: success or an error code.
const (
	okay = ""                // success, with data
	deny = "FORBIDDEN"       // a member (or the org's key) without the right
	hide = "NOT_FOUND"       // anyone outside the org: it might as well not exist
	anon = "UNAUTHENTICATED" // no credential
	// bad: the caller may, but the input is refused. deleteOrg is called
	// with a wrong confirmation, so that the OWNER's call proves it passed
	// every check of who may, and org A survives for the other rows
	// (TestOrgDeletion deletes an org for real).
	bad = "INVALID_INPUT"
)

// outcomes holds one operation's expected outcome per actor, in the order of
// matrixActors.
type outcomes [len(matrixActors)]string

// matrixRow is one cell of the matrix: an actor calls an operation on org A
// and expects an outcome.
type matrixRow struct {
	actor string
	op    matrixOp
	want  string
}

// matrix is the role table (README, Roles) made concrete. Read a line as: operation,
// then what OWNER, ADMIN, BILLING, MEMBER, org A's API key (KEY), org B's
// API key (KEY_B), a platform admin who is not a member (PLAT), an outsider
// (OUTS) and an anonymous caller (ANON) get. Non-members never learn that org A exists: NOT_FOUND, as for an org
// that does not exist (FORBIDDEN only where the answer is the same for every
// org: grantCredits for non-admins, and what API keys may never do).
func matrix() []matrixRow {
	table := []struct {
		op   matrixOp
		want outcomes
	}{
		//                                  OWNER ADMIN BILL  MEMB  KEY   KEY_B PLAT  OUTS  ANON
		{opOrg /*              */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opBalance /*          */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opMembers /*          */, outcomes{okay, okay, okay, okay, deny, hide, hide, hide, anon}},
		{opInvitations /*      */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opSeats /*            */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opLedger /*           */, outcomes{okay, okay, okay, okay, deny, hide, hide, hide, anon}},
		{opUsage /*            */, outcomes{okay, okay, okay, okay, deny, hide, hide, hide, anon}},
		{opAPIKeys /*          */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opViewer /*           */, outcomes{okay, okay, okay, okay, deny, deny, okay, okay, anon}},
		{opNodeOrg /*          */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opNodeOwnerEntry /*   */, outcomes{okay, hide, okay, hide, hide, hide, hide, hide, anon}},
		{opNodeMemberEntry /*  */, outcomes{okay, hide, okay, okay, hide, hide, hide, hide, anon}},
		{opConsume /*          */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opGrant /*            */, outcomes{deny, deny, deny, deny, deny, deny, okay, deny, anon}},
		{opInvite /*           */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opRevokeInvitation /* */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opSetMemberRole /*    */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opRemoveMember /*     */, outcomes{okay, okay, deny, deny, deny, deny, hide, hide, anon}},
		{opCreateAPIKey /*     */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opRevokeAPIKey /*     */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opCreateOrg /*        */, outcomes{okay, okay, okay, okay, deny, deny, okay, okay, anon}},
		{opTransferOwner /*    */, outcomes{okay, deny, deny, deny, deny, hide, hide, hide, anon}},
		{opDeleteOrg /*        */, outcomes{bad, deny, deny, deny, deny, hide, hide, hide, anon}},
		// Plan subscriptions: org A has none, so whoever may buy gets
		// INVALID_INPUT (a plan that does not exist, no subscription to
		// change) after every check of who may.
		{opSubscription /*     */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opPreviewChange /*    */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opSubscribe /*        */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opChangePlan /*       */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opChangeSeats /*      */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opCancelSub /*        */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opResumeSub /*        */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opSetAutoRenew /*     */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		// Auto-recharge: OVERAGE on the Free plan, and resuming settings
		// org A never made, are INVALID_INPUT for whoever may.
		{opSetAutoRecharge /*  */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opResumeRecharge /*   */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		// Not about org A: the matrix server runs on the real clock, so
		// the platform admin, the only caller who may move a test clock,
		// learns there is none (NOT_FOUND); everyone else is refused.
		{opAdvanceTestClock /* */, outcomes{deny, deny, deny, deny, deny, deny, hide, deny, anon}},
		// Org A is on the Free plan: who may buy extra credits is refused
		// for that (INVALID_INPUT on orgId), everyone else as usual.
		{opAddons /*           */, outcomes{okay, okay, okay, okay, okay, hide, hide, hide, anon}},
		{opExtraQuote /*       */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opBuyExtra /*         */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		// Top-up by amount: asked for 0.01, below every currency's
		// minimum, so whoever may buy gets INVALID_INPUT on amount.
		{opTopUpQuote /*       */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		{opTopUp /*            */, outcomes{bad, deny, bad, deny, deny, hide, hide, hide, anon}},
		// The org's billing history and low balance alert: OWNER and
		// BILLING, like orders and invoices.
		{opHistory /*          */, outcomes{okay, deny, okay, deny, deny, hide, hide, hide, anon}},
		{opLowBalanceAlert /*  */, outcomes{okay, deny, okay, deny, deny, hide, hide, hide, anon}},
		{opSetLowBalance /*    */, outcomes{okay, deny, okay, deny, deny, hide, hide, hide, anon}},
		// Usage metering: the product's backend (API keys) and OWNER or
		// ADMIN report; the periods read like usage.
		{opRecordUsage /*      */, outcomes{okay, okay, deny, deny, okay, hide, hide, hide, anon}},
		{opUsagePeriods /*     */, outcomes{okay, okay, okay, okay, deny, hide, hide, hide, anon}},
		// Outbound webhooks: OWNER and ADMIN, like API keys; the list of
		// event types is for anyone signed in.
		{opWebhookEndpoints /* */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opWebhookTypes /*     */, outcomes{okay, okay, okay, okay, okay, okay, okay, okay, anon}},
		{opCreateHook /*       */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opUpdateHook /*       */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opDeleteHook /*       */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opRotateHook /*       */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opTestHook /*         */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		{opRedeliverHook /*    */, outcomes{okay, okay, deny, deny, deny, hide, hide, hide, anon}},
		// Draft orders: OWNER and BILLING, like purchases; a platform
		// admin may read orders but not act on them for an org.
		{opCreateOrder /*      */, outcomes{okay, deny, okay, deny, deny, hide, hide, hide, anon}},
		{opAddOrderItem /*     */, outcomes{okay, deny, okay, deny, deny, hide, deny, hide, anon}},
		{opSetItemQuantity /*  */, outcomes{okay, deny, okay, deny, deny, hide, deny, hide, anon}},
		{opRemoveOrderItem /*  */, outcomes{okay, deny, okay, deny, deny, hide, deny, hide, anon}},
		{opCheckoutOrder /*    */, outcomes{okay, deny, okay, deny, deny, hide, deny, hide, anon}},
		// A draft's installment options are read with the order: a
		// platform admin may read orders.
		{opDraftOptions /*     */, outcomes{okay, deny, okay, deny, deny, hide, okay, hide, anon}},
	}
	var rows []matrixRow
	for _, line := range table {
		for i, actor := range matrixActors {
			rows = append(rows, matrixRow{actor: actor, op: line.op, want: line.want[i]})
		}
	}
	return rows
}

// matrixFixture is org A with one member per role, its API key, and the
// callers from outside it.
type matrixFixture struct {
	s           *server
	orgA, orgB  string
	clients     map[string]*client // by actor
	userIDs     map[string]string  // user actors' global user IDs
	owner       *client
	victims     map[string]*client // clients of members made for one row, by global user ID
	ownerEntry  string             // a CONSUME entry the OWNER made
	memberEntry string             // a CONSUME entry the MEMBER made
	// draft is the draft order the item rows edit; checkoutDraft the
	// last one a checkoutOrder row was given (canceled by the next, so
	// org A stays under its limit of drafts).
	draft, checkoutDraft string
	draftItems           int // items added to draft
	// optionsDraft is the draft the installment options row reads.
	optionsDraft string
}

// ledgerPage is the page size of the matrix server's ledger reads.
const ledgerPage = 50

// newMatrixFixture starts a server and builds org A through the API: the
// OWNER creates it and invites ADMIN, BILLING and MEMBER, who accept; the
// OWNER creates an API key; every member and the key spend once, so the
// ledger holds entries of several actors. The outsider owns org B and its key.
func newMatrixFixture(t *testing.T, b backend) *matrixFixture {
	dbURL := b.newDB(t)
	seedCatalog(t, dbURL) // the draft order rows buy a pack
	s := startServer(t, dbURL, "TALLY_FREE_SEATS=60", "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret)
	f := &matrixFixture{s: s, clients: map[string]*client{}, userIDs: map[string]string{}, victims: map[string]*client{}}
	owner := s.user(t, "owner@a.example")
	f.owner = owner
	f.orgA = owner.createOrg(t, "Org A", "DE", "EUR")
	f.clients[actOwner], f.userIDs[actOwner] = owner, owner.viewerID(t)
	for _, role := range []string{actAdmin, actBilling, actMember} {
		f.clients[role], f.userIDs[role] = s.join(t, owner, f.orgA, strings.ToLower(role)+"@a.example", role)
	}
	_, keyA := owner.createKey(t, f.orgA, "backend of A")
	f.clients[actKey] = s.as("Bearer " + keyA)

	outsider := s.user(t, "outsider@b.example")
	f.orgB = outsider.createOrg(t, "Org B", "FR", "EUR")
	f.clients[actOutsider], f.userIDs[actOutsider] = outsider, outsider.viewerID(t)
	_, keyB := outsider.createKey(t, f.orgB, "backend of B")
	f.clients[actKeyB] = s.as("Bearer " + keyB)
	platform := s.as("Bearer " + token(t, "root@platform.example", true))
	f.clients[actPlatform], f.userIDs[actPlatform] = platform, platform.viewerID(t)
	f.clients[actAnon] = s.as("")

	for _, actor := range []string{actOwner, actAdmin, actBilling, actMember, actKey} {
		id := f.spend(t, f.clients[actor], 3, "setup-"+actor)
		switch actor {
		case actOwner:
			f.ownerEntry = id
		case actMember:
			f.memberEntry = id
		}
	}
	return f
}

// spend consumes amount on org A as c and returns the entry's ID.
func (f *matrixFixture) spend(t *testing.T, c *client, amount int64, key string) string {
	t.Helper()
	var out struct{ Entry struct{ ID string } }
	c.must(t, consumeMutation, map[string]any{"in": map[string]any{
		"orgId": f.orgA, "amount": amount, "idempotencyKey": key, "reason": "matrix"}}, "consumeCredits", &out)
	return out.Entry.ID
}

// target names the objects an operation acts on.
type target struct {
	org        string // the org
	invitation string // an invitation of the org
	user       string // a member of the org (for role changes and removal)
	entry      string // a ledger entry of the org
	apiKey     string // an API key of the org
	hook       string // a webhook endpoint of the org
	delivery   string // a webhook delivery of the org
	order      string // a draft order of the org
	item       string // an item of the draft order
	version    int64  // the draft order's version
	pack       string // a pack org A can buy
}

// ghostTarget names objects that do not exist; non-members must get the same
// answer for them as for org A's.
func ghostTarget() target {
	return target{org: ghostID("Org"), invitation: ghostID("Invitation"), user: ghostID("User"),
		entry: ghostID("LedgerEntry"), apiKey: ghostID("ApiKey"),
		hook: ghostID("WebhookEndpoint"), delivery: ghostID("WebhookDelivery"), order: ghostID("Order"), item: "ghost", version: 1, pack: ghostID("Pack")}
}

// matrixOp is one operation of the matrix.
type matrixOp struct {
	name  string
	field string // the response's top-level field
	// prep makes the objects one call needs in org A (nil: org A alone);
	// name is unique per row.
	prep func(t *testing.T, f *matrixFixture, name string) target
	// call runs the operation as c.
	call func(t *testing.T, c *client, tg target, name string) result
	// check verifies an allowed call's answer and effect (nil: none beyond success).
	check func(t *testing.T, f *matrixFixture, actor string, tg target, r result, before, after orgState)
}

// decode unmarshals r's data field into out.
func decode(t *testing.T, r result, field string, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Data[field], out); err != nil {
		t.Fatalf("decoding %s: %v (%s)", field, err, r.Data[field])
	}
}

// orgQuery returns an operation that reads org A with a selection.
func orgQuery(name, selection string, check func(t *testing.T, f *matrixFixture, actor string, org json.RawMessage, before orgState)) matrixOp {
	return matrixOp{
		name: name, field: "org",
		call: func(t *testing.T, c *client, tg target, _ string) result {
			return c.do(t, `query($id: ID!) { org(id: $id) { id `+selection+` } }`, map[string]any{"id": tg.org})
		},
		check: func(t *testing.T, f *matrixFixture, actor string, tg target, r result, before, after orgState) {
			var org struct{ ID string }
			decode(t, r, "org", &org)
			if org.ID != tg.org {
				t.Fatalf("org %q, want %q", org.ID, tg.org)
			}
			if check != nil {
				check(t, f, actor, r.Data["org"], before)
			}
		},
	}
}

var opOrg = orgQuery("org", "name country currency status", nil)

var opBalance = orgQuery("org.balance", "balance { total free paid grants { remaining } }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, before orgState) {
		var out struct {
			Balance struct {
				Total, Free, Paid int64
				Grants            []struct{ Remaining int64 }
			}
		}
		mustJSON(t, org, &out)
		sum := int64(0)
		for _, g := range out.Balance.Grants {
			sum += g.Remaining
		}
		if b := out.Balance; b.Total != before.Balance || b.Free+b.Paid != b.Total || sum != b.Total {
			t.Fatalf("balance %+v, grants hold %d; the OWNER sees %d", b, sum, before.Balance)
		}
	})

var opMembers = orgQuery("org.members", "members(first: 100) { edges { node { user { id } role } } }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, before orgState) {
		var out struct {
			Members struct {
				Edges []struct {
					Node struct {
						User struct{ ID string }
						Role string
					}
				}
			}
		}
		mustJSON(t, org, &out)
		var got []string
		for _, e := range out.Members.Edges {
			got = append(got, e.Node.User.ID+" "+e.Node.Role)
		}
		slices.Sort(got)
		if !slices.Equal(got, before.Members) {
			t.Fatalf("members %v, the OWNER sees %v", got, before.Members)
		}
	})

var opInvitations = orgQuery("org.invitations", "invitations { id }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, before orgState) {
		var out struct{ Invitations []struct{ ID string } }
		mustJSON(t, org, &out)
		if len(out.Invitations) != len(before.Invitations) {
			t.Fatalf("%d invitations, the OWNER sees %d", len(out.Invitations), len(before.Invitations))
		}
	})

var opSeats = orgQuery("org.seats", "seats { total used available pending }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, before orgState) {
		var out struct {
			Seats struct{ Total, Used, Available, Pending int }
		}
		mustJSON(t, org, &out)
		s := out.Seats
		if s.Used != len(before.Members) || s.Pending != len(before.Invitations) || s.Available != s.Total-s.Used-s.Pending {
			t.Fatalf("seats %+v; %d members and %d pending invitations", s, len(before.Members), len(before.Invitations))
		}
	})

// opLedger checks who sees which entries: OWNER and BILLING all of them
// (scope ORG), other members only their own (scope MEMBER, so the answer
// says it is narrowed).
var opLedger = orgQuery("org.ledger", "ledger(first: 50) { scope edges { node { id kind amount actor { kind id } } } pageInfo { hasNextPage } }",
	func(t *testing.T, f *matrixFixture, actor string, org json.RawMessage, before orgState) {
		var out struct {
			Ledger struct {
				Scope    string
				Edges    []struct{ Node entry }
				PageInfo struct{ HasNextPage bool }
			}
		}
		mustJSON(t, org, &out)
		if out.Ledger.PageInfo.HasNextPage {
			t.Fatal("the matrix's ledger should fit one page")
		}
		own, others := 0, 0
		for _, e := range out.Ledger.Edges {
			if e.Node.Actor.ID != nil && *e.Node.Actor.ID == f.userIDs[actor] {
				own++
			} else {
				others++
			}
		}
		switch actor {
		case actOwner, actBilling:
			if len(out.Ledger.Edges) != before.LedgerLen || others == 0 || out.Ledger.Scope != "ORG" {
				t.Fatalf("%s sees %d entries (%d by others) with scope %s, the ledger has %d; want them all, scope ORG",
					actor, len(out.Ledger.Edges), others, out.Ledger.Scope, before.LedgerLen)
			}
		default:
			if others != 0 || own == 0 || out.Ledger.Scope != "MEMBER" {
				t.Fatalf("%s sees %d own entries and %d by other actors with scope %s; want only their own, scope MEMBER",
					actor, own, others, out.Ledger.Scope)
			}
		}
	})

// opUsage checks the scope and that the consumption matches the entries the
// caller sees in the ledger.
var opUsage = orgQuery("org.usage", "usage { scope creditsConsumed }",
	func(t *testing.T, f *matrixFixture, actor string, org json.RawMessage, _ orgState) {
		var out struct {
			Usage struct {
				Scope           string
				CreditsConsumed int64
			}
		}
		mustJSON(t, org, &out)
		want := "MEMBER"
		if actor == actOwner || actor == actBilling {
			want = "ORG"
		}
		consumed := int64(0)
		for _, e := range f.clients[actor].ledger(t, f.orgA, ledgerPage) {
			if e.Kind == "CONSUME" {
				consumed -= e.Amount
			}
		}
		if out.Usage.Scope != want || out.Usage.CreditsConsumed != consumed {
			t.Fatalf("usage %+v, want scope %s and %d credits (the caller's visible CONSUME entries)", out.Usage, want, consumed)
		}
	})

var opAPIKeys = orgQuery("org.apiKeys", "apiKeys { id revokedAt }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, before orgState) {
		var out struct {
			APIKeys []struct{ ID string } `json:"apiKeys"`
		}
		mustJSON(t, org, &out)
		if len(out.APIKeys) != len(before.APIKeys) {
			t.Fatalf("%d keys, the OWNER sees %d", len(out.APIKeys), len(before.APIKeys))
		}
	})

var opViewer = matrixOp{
	name: "viewer", field: "viewer",
	call: func(t *testing.T, c *client, _ target, _ string) result {
		return c.do(t, `{ viewer { user { id } memberships { org { id } role } } }`, nil)
	},
	check: func(t *testing.T, f *matrixFixture, actor string, tg target, r result, _, _ orgState) {
		var out struct {
			User        struct{ ID string }
			Memberships []struct {
				Org  struct{ ID string }
				Role string
			}
		}
		decode(t, r, "viewer", &out)
		role := ""
		for _, m := range out.Memberships {
			if m.Org.ID == tg.org {
				role = m.Role
			}
		}
		wantRole := ""
		if slices.Contains([]string{actOwner, actAdmin, actBilling, actMember}, actor) {
			wantRole = actor
		}
		if out.User.ID != f.userIDs[actor] || role != wantRole {
			t.Fatalf("viewer %+v; want user %s with role %q in org A", out, f.userIDs[actor], wantRole)
		}
	},
}

// nodeOp reads an object of org A through node(id); prep names it and id
// picks it from a target (a ghost one too).
func nodeOp(name string, prep func(f *matrixFixture) target, id func(tg target) string) matrixOp {
	return matrixOp{
		name: name, field: "node",
		prep: func(_ *testing.T, f *matrixFixture, _ string) target { return prep(f) },
		call: func(t *testing.T, c *client, tg target, _ string) result {
			return c.do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id(tg)})
		},
		check: func(t *testing.T, _ *matrixFixture, _ string, tg target, r result, _, _ orgState) {
			var out struct{ ID string }
			decode(t, r, "node", &out)
			if out.ID != id(tg) {
				t.Fatalf("node %q, want %q", out.ID, id(tg))
			}
		},
	}
}

var (
	opNodeOrg = nodeOp("node(org)",
		func(f *matrixFixture) target { return target{org: f.orgA} },
		func(tg target) string { return tg.org })
	opNodeOwnerEntry = nodeOp("node(OWNER's ledger entry)",
		func(f *matrixFixture) target { return target{org: f.orgA, entry: f.ownerEntry} },
		func(tg target) string { return tg.entry })
	opNodeMemberEntry = nodeOp("node(MEMBER's ledger entry)",
		func(f *matrixFixture) target { return target{org: f.orgA, entry: f.memberEntry} },
		func(tg target) string { return tg.entry })
)

// creditChange checks that an allowed credit mutation moved the balance by
// delta with one ledger entry.
func creditChange(delta int64) func(t *testing.T, _ *matrixFixture, _ string, _ target, _ result, before, after orgState) {
	return func(t *testing.T, _ *matrixFixture, _ string, _ target, _ result, before, after orgState) {
		if after.Balance != before.Balance+delta || after.LedgerLen != before.LedgerLen+1 {
			t.Fatalf("balance %d → %d, ledger %d → %d; want %+d credits and one entry",
				before.Balance, after.Balance, before.LedgerLen, after.LedgerLen, delta)
		}
	}
}

var opConsume = matrixOp{
	name: "consumeCredits", field: "consumeCredits",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, consumeMutation, map[string]any{"in": map[string]any{
			"orgId": tg.org, "amount": 1, "idempotencyKey": name, "reason": "matrix"}})
	},
	check: creditChange(-1),
}

var opGrant = matrixOp{
	name: "grantCredits", field: "grantCredits",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { entry { id } balance { total } } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "amount": 7, "kind": "PROMO", "idempotencyKey": name, "reason": "matrix"}})
	},
	check: creditChange(7),
}

var opAdvanceTestClock = matrixOp{
	name: "advanceTestClock", field: "advanceTestClock",
	call: func(t *testing.T, c *client, _ target, _ string) result {
		return c.do(t, `mutation { advanceTestClock(by: "1h") }`, nil)
	},
}

var opInvite = matrixOp{
	name: "inviteMember", field: "inviteMember",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($org: ID!, $email: String!) { inviteMember(orgId: $org, email: $email, role: MEMBER) { invitation { id } token } }`,
			map[string]any{"org": tg.org, "email": emailFor("invitee", name)})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, before, after orgState) {
		var out struct {
			Invitation struct{ ID string }
			Token      string
		}
		decode(t, r, "inviteMember", &out)
		if !strings.HasPrefix(out.Token, "tlyinv_") || !slices.Contains(after.Invitations, out.Invitation.ID) ||
			len(after.Invitations) != len(before.Invitations)+1 {
			t.Fatalf("invitation %+v; pending %v → %v", out, before.Invitations, after.Invitations)
		}
	},
}

var opRevokeInvitation = matrixOp{
	name: "revokeInvitation", field: "revokeInvitation",
	prep: func(t *testing.T, f *matrixFixture, name string) target {
		return target{org: f.orgA, invitation: f.owner.inviteID(t, f.orgA, emailFor("revoked", name), "MEMBER")}
	},
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!) { revokeInvitation(id: $id) { invitation { id revokedAt } } }`, map[string]any{"id": tg.invitation})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, r result, before, after orgState) {
		var out struct {
			Invitation struct{ RevokedAt *time.Time }
		}
		decode(t, r, "revokeInvitation", &out)
		if out.Invitation.RevokedAt == nil || slices.Contains(after.Invitations, tg.invitation) || len(after.Invitations) != len(before.Invitations)-1 {
			t.Fatalf("revoked %+v; pending %v → %v", out, before.Invitations, after.Invitations)
		}
	},
}

// withVictim makes a fresh MEMBER of org A for one row.
func withVictim(t *testing.T, f *matrixFixture, name string) target {
	_, id := f.s.join(t, f.owner, f.orgA, emailFor("victim", name), "MEMBER")
	return target{org: f.orgA, user: id}
}

var opSetMemberRole = matrixOp{
	name: "setMemberRole", field: "setMemberRole", prep: withVictim,
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($org: ID!, $user: ID!) { setMemberRole(orgId: $org, userId: $user, role: BILLING) { member { role } } }`,
			map[string]any{"org": tg.org, "user": tg.user})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, _ result, before, after orgState) {
		if before.roleOf(tg.user) != "MEMBER" || after.roleOf(tg.user) != "BILLING" {
			t.Fatalf("role %q → %q, want MEMBER → BILLING", before.roleOf(tg.user), after.roleOf(tg.user))
		}
	},
}

var opRemoveMember = matrixOp{
	name: "removeMember", field: "removeMember", prep: withVictim,
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($org: ID!, $user: ID!) { removeMember(orgId: $org, userId: $user) { userId } }`,
			map[string]any{"org": tg.org, "user": tg.user})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, _ result, before, after orgState) {
		if before.roleOf(tg.user) == "" || after.roleOf(tg.user) != "" || len(after.Members) != len(before.Members)-1 {
			t.Fatalf("members %v → %v, want %s removed", before.Members, after.Members, tg.user)
		}
	},
}

var opTransferOwner = matrixOp{
	name: "transferOwnership", field: "transferOwnership",
	prep: func(t *testing.T, f *matrixFixture, name string) target {
		c, id := f.s.join(t, f.owner, f.orgA, emailFor("heir", name), "MEMBER")
		f.victims[id] = c
		return target{org: f.orgA, user: id}
	},
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, transferOwnerMutation, map[string]any{"in": map[string]any{"orgId": tg.org, "userId": tg.user}})
	},
	check: func(t *testing.T, f *matrixFixture, actor string, tg target, _ result, before, after orgState) {
		owner := f.userIDs[actOwner]
		if before.roleOf(owner) != "OWNER" || before.roleOf(tg.user) != "MEMBER" ||
			after.roleOf(owner) != "ADMIN" || after.roleOf(tg.user) != "OWNER" {
			t.Fatalf("roles %s %s → %s %s, want OWNER MEMBER → ADMIN OWNER",
				before.roleOf(owner), before.roleOf(tg.user), after.roleOf(owner), after.roleOf(tg.user))
		}
		// The heir hands org A back, so the other rows find its OWNER.
		f.victims[tg.user].must(t, transferOwnerMutation, map[string]any{"in": map[string]any{"orgId": tg.org, "userId": owner}}, "transferOwnership", nil)
		if back := f.owner.state(t, f.orgA, ledgerPage, true); back.roleOf(owner) != "OWNER" || back.roleOf(tg.user) != "ADMIN" {
			t.Fatalf("after handing it back: %v", back.Members)
		}
	},
}

const transferOwnerMutation = `mutation($in: TransferOwnershipInput!) { transferOwnership(input: $in) { owner { role user { id } } previousOwner { role } } }`

var opDeleteOrg = matrixOp{
	name: "deleteOrg", field: "deleteOrg",
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($in: DeleteOrgInput!) { deleteOrg(input: $in) { orgId } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "confirmName": "not the org's name"}})
	},
}

var opAddons = orgQuery("org.subscriptionAddons", "subscriptionAddons { status creditsPerMonth }", nil)

var opExtraQuote = matrixOp{
	name: "extraCreditsQuote", field: "extraCreditsQuote",
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `query($org: ID!) { extraCreditsQuote(orgId: $org, credits: 1000) { total { amount } } }`,
			map[string]any{"org": tg.org})
	},
}

var opBuyExtra = matrixOp{
	name: "buyExtraCredits", field: "buyExtraCredits",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($in: BuyExtraCreditsInput!) { buyExtraCredits(input: $in) { order { id } } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "credits": 1000, "idempotencyKey": "extra-" + name}})
	},
}

var opTopUpQuote = matrixOp{
	name: "topUpQuote", field: "topUpQuote",
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `query($org: ID!) { topUpQuote(orgId: $org, amountMinor: 1) { credits total { amount } } }`,
			map[string]any{"org": tg.org})
	},
}

var opTopUp = matrixOp{
	name: "topUp", field: "topUp",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($in: TopUpInput!) { topUp(input: $in) { order { id } } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "amountMinor": 1, "paymentMethodId": "4242424242424242", "idempotencyKey": "topup-" + name}})
	},
}

var opCreateAPIKey = matrixOp{
	name: "createApiKey", field: "createApiKey",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($org: ID!, $name: String!) { createApiKey(orgId: $org, name: $name) { apiKey { id } secret } }`,
			map[string]any{"org": tg.org, "name": name})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, before, after orgState) {
		var out struct {
			APIKey struct{ ID string } `json:"apiKey"`
			Secret string
		}
		decode(t, r, "createApiKey", &out)
		if !strings.HasPrefix(out.Secret, "tly_") || !slices.Contains(after.APIKeys, out.APIKey.ID+" revoked=false") ||
			len(after.APIKeys) != len(before.APIKeys)+1 {
			t.Fatalf("key %+v; keys %v → %v", out.APIKey, before.APIKeys, after.APIKeys)
		}
	},
}

var opRevokeAPIKey = matrixOp{
	name: "revokeApiKey", field: "revokeApiKey",
	prep: func(t *testing.T, f *matrixFixture, name string) target {
		id, _ := f.owner.createKey(t, f.orgA, name)
		return target{org: f.orgA, apiKey: id}
	},
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { id revokedAt } } }`, map[string]any{"id": tg.apiKey})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, _ result, before, after orgState) {
		if !slices.Contains(before.APIKeys, tg.apiKey+" revoked=false") || !slices.Contains(after.APIKeys, tg.apiKey+" revoked=true") {
			t.Fatalf("keys %v → %v, want %s revoked", before.APIKeys, after.APIKeys, tg.apiKey)
		}
	},
}

var opCreateOrg = matrixOp{
	name: "createOrg", field: "createOrg",
	call: func(t *testing.T, c *client, _ target, name string) result {
		return c.do(t, `mutation($in: CreateOrgInput!) { createOrg(input: $in) { org { id } } }`,
			map[string]any{"in": map[string]any{"name": name, "country": "PT", "currency": "EUR"}})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, r result, before, after orgState) {
		var out struct{ Org struct{ ID string } }
		decode(t, r, "createOrg", &out)
		if out.Org.ID == "" || out.Org.ID == tg.org || !before.equal(after) {
			t.Fatalf("new org %q; org A %+v → %+v", out.Org.ID, before, after)
		}
	},
}

// opSubscription reads org A's subscription: none, on the Free plan.
var opSubscription = orgQuery("org.subscription", "subscription { id }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, _ orgState) {
		var out struct{ Subscription *struct{ ID string } }
		mustJSON(t, org, &out)
		if out.Subscription != nil {
			t.Fatalf("subscription %+v, want none", out.Subscription)
		}
	})

// subscriptionOp is a plan subscription operation called with input that
// names no plan or finds no subscription, so the only call that passes
// every check of who may is refused as INVALID_INPUT and changes nothing.
func subscriptionOp(name, query string, vars func(tg target, name string) map[string]any) matrixOp {
	return matrixOp{
		name: name, field: name,
		call: func(t *testing.T, c *client, tg target, rowName string) result {
			return c.do(t, query, vars(tg, rowName))
		},
	}
}

var (
	opPreviewChange = subscriptionOp("previewChange", `query($in: PreviewChangeInput!) { previewChange(input: $in) { kind } }`,
		func(tg target, _ string) map[string]any {
			return map[string]any{"in": map[string]any{"orgId": tg.org, "planId": ghostID("Plan"), "seats": 1}}
		})
	opSubscribe = subscriptionOp("subscribe", `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { id } } }`,
		func(tg target, name string) map[string]any {
			return map[string]any{"in": map[string]any{"orgId": tg.org, "planId": ghostID("Plan"), "seats": 1,
				"paymentMethodId": "4242424242424242", "idempotencyKey": name}}
		})
	opChangePlan = subscriptionOp("changePlan", `mutation($in: ChangePlanInput!) { changePlan(input: $in) { subscription { id } } }`,
		func(tg target, name string) map[string]any {
			return map[string]any{"in": map[string]any{"orgId": tg.org, "planId": ghostID("Plan"), "idempotencyKey": name}}
		})
	opChangeSeats = subscriptionOp("changeSeats", `mutation($in: ChangeSeatsInput!) { changeSeats(input: $in) { subscription { id } } }`,
		func(tg target, name string) map[string]any {
			return map[string]any{"in": map[string]any{"orgId": tg.org, "seats": 10, "idempotencyKey": name}}
		})
	opCancelSub = subscriptionOp("cancelSubscription", `mutation($o: ID!, $k: String!) { cancelSubscription(orgId: $o, idempotencyKey: $k) { id } }`,
		func(tg target, name string) map[string]any { return map[string]any{"o": tg.org, "k": name} })
	opResumeSub = subscriptionOp("resumeSubscription", `mutation($o: ID!, $k: String!) { resumeSubscription(orgId: $o, idempotencyKey: $k) { id } }`,
		func(tg target, name string) map[string]any { return map[string]any{"o": tg.org, "k": name} })
	opSetAutoRenew = subscriptionOp("setAutoRenew", `mutation($o: ID!, $k: String!) { setAutoRenew(orgId: $o, on: false, idempotencyKey: $k) { id } }`,
		func(tg target, name string) map[string]any { return map[string]any{"o": tg.org, "k": name} })
	opSetAutoRecharge = subscriptionOp("setAutoRecharge", `mutation($in: SetAutoRechargeInput!) { setAutoRecharge(input: $in) { enabled } }`,
		func(tg target, name string) map[string]any {
			return map[string]any{"in": map[string]any{"orgId": tg.org, "enabled": true, "mode": "OVERAGE", "threshold": 1000, "idempotencyKey": name}}
		})
	opResumeRecharge = subscriptionOp("resumeAutoRecharge", `mutation($o: ID!, $k: String!) { resumeAutoRecharge(orgId: $o, idempotencyKey: $k) { enabled } }`,
		func(tg target, name string) map[string]any { return map[string]any{"o": tg.org, "k": name} })
)

// opHistory reads org A's history: nothing billing-worthy happened to it.
var opHistory = orgQuery("org.history", "history(first: 10) { edges { node { id kind notified } } pageInfo { hasNextPage } }",
	func(t *testing.T, _ *matrixFixture, _ string, org json.RawMessage, _ orgState) {
		var out struct {
			History struct {
				Edges []struct{ Node struct{ Kind string } }
			}
		}
		mustJSON(t, org, &out)
		for _, e := range out.History.Edges {
			if e.Node.Kind != "LOW_BALANCE" { // the only kind the matrix can cause
				t.Fatalf("history %+v", out.History)
			}
		}
	})

// opLowBalanceAlert reads org A's low balance alert.
var opLowBalanceAlert = orgQuery("org.lowBalanceAlert", "lowBalanceAlert { threshold alerted }", nil)

// opSetLowBalance sets a threshold far below org A's balance, so no alert
// goes out and org A's state is unchanged.
var opSetLowBalance = matrixOp{
	name: "setLowBalanceAlert", field: "setLowBalanceAlert",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($o: ID!, $k: String!) { setLowBalanceAlert(orgId: $o, threshold: 1, idempotencyKey: $k) { threshold alerted } }`,
			map[string]any{"o": tg.org, "k": name})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, before, after orgState) {
		var out struct {
			Threshold int64
			Alerted   bool
		}
		decode(t, r, "setLowBalanceAlert", &out)
		if out.Threshold != 1 || out.Alerted || !before.equal(after) {
			t.Fatalf("alert %+v; org A %+v → %+v", out, before, after)
		}
	},
}

// emailFor makes a unique address from a row's name.
func emailFor(who, name string) string {
	r := strings.NewReplacer("(", "", ")", "", "'", "", " ", "-", "/", "-", ".", "-")
	return strings.ToLower(who + "-" + r.Replace(name) + "@a.example")
}

// mustJSON unmarshals raw into out or fails the test.
func mustJSON(t *testing.T, raw json.RawMessage, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}

// TestMatrix runs every cell of the matrix on both backends. An allowed call
// must answer with data and do what it says; a refused one must carry the
// expected code, return no data in its field and leave org A's balance,
// ledger, members, invitations and keys as they were. Callers from outside
// org A must get the same answer for org A's objects as for objects that do
// not exist, so its existence never leaks.
func TestMatrix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		start := time.Now()
		f := newMatrixFixture(t, b)
		rows := matrix()
		for _, row := range rows {
			name := row.op.name + "/" + row.actor
			t.Run(name, func(t *testing.T) {
				tg := target{org: f.orgA}
				if row.op.prep != nil {
					tg = row.op.prep(t, f, name)
				}
				before := f.owner.state(t, f.orgA, ledgerPage, true)
				r := row.op.call(t, f.clients[row.actor], tg, name)
				after := f.owner.state(t, f.orgA, ledgerPage, true)
				if row.want == okay {
					if len(r.Errors) > 0 || isNull(r.Data[row.op.field]) {
						t.Fatalf("want success, got %s: %+v", r.Data[row.op.field], r.Errors)
					}
					if row.op.check != nil {
						row.op.check(t, f, row.actor, tg, r, before, after)
					}
					return
				}
				if got := r.code(); got != row.want || len(r.Errors) != 1 {
					t.Fatalf("got code %q (%+v), want %s", got, r.Errors, row.want)
				}
				if !isNull(r.Data[row.op.field]) {
					t.Fatalf("a refused call returned data: %s", r.Data[row.op.field])
				}
				if !before.equal(after) {
					t.Fatalf("a refused call changed org A:\nbefore %+v\nafter  %+v", before, after)
				}
				if row.actor == actOutsider || row.actor == actKeyB {
					ghost := row.op.call(t, f.clients[row.actor], ghostTarget(), name+"/ghost")
					if ghost.code() != r.code() {
						t.Fatalf("org A's existence leaks: %s for org A, %s for an org that does not exist", r.code(), ghost.code())
					}
				}
			})
		}
		t.Logf("%d cells on %s in %v", len(rows), b.name, time.Since(start).Round(time.Millisecond))
	})
}

// TestMatrixCoversEveryActor guards the table's shape: one outcome per actor
// in every line, and each code one the API defines.
func TestMatrixCoversEveryActor(t *testing.T) {
	seen := map[string]int{}
	for _, row := range matrix() {
		seen[row.op.name]++
		if !slices.Contains([]string{okay, deny, hide, anon, bad}, row.want) {
			t.Errorf("%s/%s: unexpected outcome %q", row.op.name, row.actor, row.want)
		}
		if row.actor == actAnon && row.want != anon {
			t.Errorf("%s: anonymous callers must be UNAUTHENTICATED", row.op.name)
		}
	}
	for op, n := range seen {
		if n != len(matrixActors) {
			t.Errorf("%s: %d cells, want %d", op, n, len(matrixActors))
		}
	}
	if want := 58; len(seen) != want {
		t.Errorf("%d operations, want %d", len(seen), want)
	}
}

var opRecordUsage = matrixOp{
	name: "recordUsage", field: "recordUsage",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($in: RecordUsageInput!) { recordUsage(input: $in) { eventId outcome overLimit periodStart } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "eventId": name, "metric": "EVENTS", "quantity": 1}})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, _, _ orgState) {
		var out struct{ Outcome string }
		decode(t, r, "recordUsage", &out)
		if out.Outcome != "ACCEPTED" {
			t.Fatalf("outcome %q, want ACCEPTED", out.Outcome)
		}
	},
}

var opUsagePeriods = orgQuery("org.usagePeriods", "usagePeriods { start end }", nil)

// draftFields is what the draft order rows read of an order.
const draftFields = `id version status items { id quantity }`

type draftOrder struct {
	ID      string
	Version int64
	Status  string
	Items   []struct {
		ID       string
		Quantity int
	}
}

// newDraft creates a draft of org A with one pack as its OWNER.
func (f *matrixFixture) newDraft(t *testing.T) draftOrder {
	t.Helper()
	var d draftOrder
	f.owner.must(t, `mutation($in: CreateOrderInput!) { createOrder(input: $in) { `+draftFields+` } }`, map[string]any{"in": map[string]any{
		"orgId": f.orgA, "items": []any{map[string]any{"kind": "PACK", "packId": f.owner.packID(t, "EUR", "starter-eur")}}}}, "createOrder", &d)
	return d
}

// sharedDraft returns the draft order the item rows edit, with a fresh
// item (the OWNER adds one) for the row.
func (f *matrixFixture) sharedDraft(t *testing.T) target {
	t.Helper()
	if f.draft == "" || f.draftItems >= 15 { // a fresh draft well under the item limit
		if f.draft != "" {
			f.owner.do(t, `mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": f.draft})
		}
		f.draft, f.draftItems = f.newDraft(t).ID, 1
	}
	f.draftItems += 2 // the OWNER's, and the row's own add
	var d draftOrder
	f.owner.must(t, `mutation($id: ID!, $item: OrderItemInput!) { addOrderItem(orderId: $id, item: $item) { `+draftFields+` } }`,
		map[string]any{"id": f.draft, "item": map[string]any{"kind": "PACK", "packId": f.owner.packID(t, "EUR", "starter-eur")}}, "addOrderItem", &d)
	return target{org: f.orgA, order: d.ID, item: d.Items[len(d.Items)-1].ID, version: d.Version, pack: f.owner.packID(t, "EUR", "starter-eur")}
}

func checkDraft(field string, check func(t *testing.T, d draftOrder)) func(*testing.T, *matrixFixture, string, target, result, orgState, orgState) {
	return func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, before, after orgState) {
		var d draftOrder
		decode(t, r, field, &d)
		if d.Status != "DRAFT" || !before.equal(after) {
			t.Fatalf("order %+v; org A %+v → %+v", d, before, after)
		}
		if check != nil {
			check(t, d)
		}
	}
}

var opCreateOrder = matrixOp{
	name: "createOrder", field: "createOrder",
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($in: CreateOrderInput!) { createOrder(input: $in) { `+draftFields+` } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "items": []any{}}})
	},
	check: checkDraft("createOrder", nil),
}

var opAddOrderItem = matrixOp{
	name: "addOrderItem", field: "addOrderItem",
	prep: func(t *testing.T, f *matrixFixture, _ string) target { return f.sharedDraft(t) },
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!, $item: OrderItemInput!) { addOrderItem(orderId: $id, item: $item) { `+draftFields+` } }`,
			map[string]any{"id": tg.order, "item": map[string]any{"kind": "PACK", "packId": tg.pack}})
	},
	check: checkDraft("addOrderItem", nil),
}

var opSetItemQuantity = matrixOp{
	name: "setOrderItemQuantity", field: "setOrderItemQuantity",
	prep: func(t *testing.T, f *matrixFixture, _ string) target { return f.sharedDraft(t) },
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!, $item: ID!) { setOrderItemQuantity(orderId: $id, itemId: $item, quantity: 2) { `+draftFields+` } }`,
			map[string]any{"id": tg.order, "item": tg.item})
	},
	check: checkDraft("setOrderItemQuantity", nil),
}

var opRemoveOrderItem = matrixOp{
	name: "removeOrderItem", field: "removeOrderItem",
	prep: func(t *testing.T, f *matrixFixture, _ string) target { return f.sharedDraft(t) },
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!, $item: ID!) { removeOrderItem(orderId: $id, itemId: $item) { `+draftFields+` } }`,
			map[string]any{"id": tg.order, "item": tg.item})
	},
	check: checkDraft("removeOrderItem", nil),
}

var opCheckoutOrder = matrixOp{
	name: "checkoutOrder", field: "checkoutOrder",
	prep: func(t *testing.T, f *matrixFixture, _ string) target {
		if f.checkoutDraft != "" { // discard the last row's draft if it is still one
			f.owner.do(t, `mutation($id: ID!) { cancelOrder(orderId: $id) { status } }`, map[string]any{"id": f.checkoutDraft})
		}
		d := f.newDraft(t)
		f.checkoutDraft = d.ID
		return target{org: f.orgA, order: d.ID, version: d.Version}
	},
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($in: CheckoutOrderInput!) { checkoutOrder(input: $in) { order { id status } } }`,
			map[string]any{"in": map[string]any{"orderId": tg.order, "version": tg.version, "idempotencyKey": "checkout-" + name}})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, r result, before, after orgState) {
		var out struct{ Order struct{ ID, Status string } }
		decode(t, r, "checkoutOrder", &out)
		if out.Order.ID != tg.order || out.Order.Status != "PENDING" || !before.equal(after) {
			t.Fatalf("order %+v; org A %+v → %+v", out.Order, before, after)
		}
	},
}

var opDraftOptions = matrixOp{
	name: "order.installmentOptions", field: "order",
	prep: func(t *testing.T, f *matrixFixture, _ string) target {
		if f.optionsDraft == "" {
			f.optionsDraft = f.newDraft(t).ID
		}
		return target{org: f.orgA, order: f.optionsDraft}
	},
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `query($id: ID!) { order(id: $id) { id status installmentOptions { count total { amount } } } }`,
			map[string]any{"id": tg.order})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, r result, before, after orgState) {
		var out struct {
			ID, Status         string
			InstallmentOptions []struct{ Count int }
		}
		decode(t, r, "order", &out)
		// Org A is in Germany: paid at once only.
		if out.ID != tg.order || out.Status != "DRAFT" || len(out.InstallmentOptions) != 1 || out.InstallmentOptions[0].Count != 1 || !before.equal(after) {
			t.Fatalf("draft %+v; org A %+v → %+v", out, before, after)
		}
	},
}

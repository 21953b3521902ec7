package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"

	"github.com/tallyhq/tally/graph/auth"
)

// The limits the bad-input server runs with.
var badInputEnv = []string{
	"TALLY_DEPTH_LIMIT=5",
	"TALLY_COMPLEXITY_LIMIT=50",
	"TALLY_MAX_BODY_BYTES=2048",
	"TALLY_WS_INIT_TIMEOUT=1s",
	"TALLY_ALLOWED_ORIGINS=http://app.example",
}

// badPage is a ledger page small enough for the complexity limit of 50.
const badPage = 5

// badFixture is one org with some history, its owner, a platform admin and a
// revoked API key.
type badFixture struct {
	s          *server
	org        string
	owner      *client
	ownerEmail string
	ownerID    string // the owner's global user ID
	platform   *client
	revokedKey string // the secret of a revoked API key of org
	liveKey    string // the secret of a working API key of org
	keys       int    // idempotency keys handed out
}

// key returns a fresh idempotency key, so no request replays another.
func (f *badFixture) key() string {
	f.keys++
	return fmt.Sprintf("bad-%d", f.keys)
}

func newBadFixture(t *testing.T, b backend) *badFixture {
	s := startServer(t, b.newDB(t), badInputEnv...)
	f := &badFixture{s: s, ownerEmail: "owner@bad.example"}
	f.owner = s.user(t, f.ownerEmail)
	f.org = f.owner.createOrg(t, "Bad Input Inc", "DE", "EUR")
	f.ownerID = f.owner.viewerID(t)
	f.platform = s.as("Bearer " + token(t, "root@platform.example", true))
	f.platform.must(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { entry { id } } }`,
		map[string]any{"in": map[string]any{"orgId": f.org, "amount": 500, "kind": "PURCHASED", "idempotencyKey": "bad-seed"}}, "grantCredits", nil)
	if r, err := f.owner.consume(t.Context(), f.org, 20, "bad-spend"); err != nil || r.code() != "" {
		t.Fatalf("spend: %v %+v", err, r.Errors)
	}
	id, secret := f.owner.createKey(t, f.org, "soon revoked")
	f.owner.revokeKey(t, id)
	f.revokedKey = secret
	_, f.liveKey = f.owner.createKey(t, f.org, "live")
	return f
}

// consumeRaw spends with a raw JSON amount (a json.Number, string, …) as c.
func (f *badFixture) consumeRaw(t *testing.T, c *client, orgID string, amount any) result {
	return c.do(t, consumeMutation, map[string]any{"in": map[string]any{
		"orgId": orgID, "amount": amount, "idempotencyKey": f.key(), "reason": "bad input"}})
}

// grant adds credits as the platform admin with extra input fields.
func (f *badFixture) grant(t *testing.T, orgID string, extra map[string]any) result {
	in := map[string]any{"orgId": orgID, "amount": 10, "kind": "PROMO", "idempotencyKey": f.key()}
	for k, v := range extra {
		in[k] = v
	}
	return f.platform.do(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { entry { id } } }`, map[string]any{"in": in})
}

// withCredential spends one credit with raw request headers.
func (f *badFixture) withCredential(t *testing.T, headers map[string]string) result {
	return f.s.post(t, headers, gqlBody(consumeMutation, map[string]any{"in": map[string]any{
		"orgId": f.org, "amount": 1, "idempotencyKey": f.key()}}))
}

// bearer spends one credit with "Authorization: Bearer tok".
func (f *badFixture) bearer(t *testing.T, tok string) result {
	return f.withCredential(t, map[string]string{"Authorization": "Bearer " + tok})
}

// ownerClaims are the owner's token claims at a point in time.
func (f *badFixture) ownerClaims(now time.Time, ttl time.Duration) jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "e2e|" + f.ownerEmail, "email": f.ownerEmail, "name": f.ownerEmail,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
}

// signed signs claims with method and key or fails the test.
func signed(t *testing.T, method jwt.SigningMethod, claims jwt.Claims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// b64 is the standard base64 of s, the encoding of global IDs.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// badRequest is one bad request: what it sends, and the HTTP status (0: any),
// error code and extensions.field (for INVALID_INPUT) it must get.
type badRequest struct {
	name   string
	send   func(t *testing.T, f *badFixture) result
	status int
	code   string
	field  string
}

// deepQuery nests six fields deep: org → ledger → edges → node → grant → id.
const deepQuery = `query($id: ID!) { org(id: $id) { ledger { edges { node { grant { id } } } } } }`

// wideQuery is five levels deep but asks for 100 members with two fields each.
const wideQuery = `query($id: ID!) { org(id: $id) { members(first: 100) { edges { node { role createdAt } } } } }`

// setRecharge calls setAutoRecharge as the owner with a PACK setting
// changed by edit (a nil value removes the field).
func setRecharge(edit map[string]any) func(t *testing.T, f *badFixture) result {
	return func(t *testing.T, f *badFixture) result {
		in := map[string]any{"orgId": f.org, "enabled": true, "mode": "PACK", "threshold": 1000,
			"packId": ghostID("Pack"), "idempotencyKey": f.key()}
		for k, v := range edit {
			if v == nil {
				delete(in, k)
			} else {
				in[k] = v
			}
		}
		return f.owner.do(t, `mutation($in: SetAutoRechargeInput!) { setAutoRecharge(input: $in) { enabled } }`, map[string]any{"in": in})
	}
}

// recordUsage calls recordUsage as the owner with a good event changed by
// edit.
func recordUsage(edit map[string]any) func(t *testing.T, f *badFixture) result {
	return func(t *testing.T, f *badFixture) result {
		in := map[string]any{"orgId": f.org, "eventId": f.key(), "metric": "EVENTS", "quantity": 1}
		for k, v := range edit {
			in[k] = v
		}
		return f.owner.do(t, `mutation($in: RecordUsageInput!) { recordUsage(input: $in) { outcome } }`, map[string]any{"in": in})
	}
}

func badRequests() []badRequest {
	amount := func(v any) func(t *testing.T, f *badFixture) result {
		return func(t *testing.T, f *badFixture) result { return f.consumeRaw(t, f.owner, f.org, v) }
	}
	literal := func(v string) func(t *testing.T, f *badFixture) result {
		return func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `mutation($org: ID!, $key: String!) { consumeCredits(input: {orgId: $org, amount: `+v+`, idempotencyKey: $key}) { entry { id } } }`,
				map[string]any{"org": f.org, "key": f.key()})
		}
	}
	consumeOn := func(id func(f *badFixture) string) func(t *testing.T, f *badFixture) result {
		return func(t *testing.T, f *badFixture) result { return f.consumeRaw(t, f.owner, id(f), 1) }
	}
	query := func(q string, id func(f *badFixture) string) func(t *testing.T, f *badFixture) result {
		return func(t *testing.T, f *badFixture) result { return f.owner.do(t, q, map[string]any{"id": id(f)}) }
	}
	const orgQ, nodeQ = `query($id: ID!) { org(id: $id) { id } }`, `query($id: ID!) { node(id: $id) { id } }`
	nope := func(*badFixture) string { return "nope" }
	notUUID := func(*badFixture) string { return b64("Org:not-a-uuid") }
	userID := func(f *badFixture) string { return f.ownerID }
	ghostOrg := func(*badFixture) string { return ghostID("Org") }
	unknownType := func(*badFixture) string { return b64("Martian:" + strings.Repeat("0", 8)) }
	lowBalance := func(threshold any, key func(*badFixture) string) func(t *testing.T, f *badFixture) result {
		return func(t *testing.T, f *badFixture) result {
			k := f.key()
			if key != nil {
				k = key(f)
			}
			return f.owner.do(t, `mutation($o: ID!, $th: Credits!, $k: String!) { setLowBalanceAlert(orgId: $o, threshold: $th, idempotencyKey: $k) { threshold } }`,
				map[string]any{"o": f.org, "th": threshold, "k": k})
		}
	}

	return []badRequest{
		// Credit amounts: whole JSON numbers from 1 to 2^53-1 only.
		{"consume 0", amount(json.Number("0")), 0, "INVALID_INPUT", "amount"},
		{"consume -1", amount(json.Number("-1")), 0, "INVALID_INPUT", "amount"},
		{"consume 2^53", amount(json.Number("9007199254740992")), 0, "INVALID_INPUT", "amount"},
		{"consume 1.5", amount(json.Number("1.5")), 0, "INVALID_INPUT", "amount"},
		{"consume string 12", amount("12"), 0, "INVALID_INPUT", "amount"},
		{"consume beyond int64", amount(json.Number("99999999999999999999")), 0, "INVALID_INPUT", "amount"},
		{"consume literal 1.5", literal("1.5"), 0, "INVALID_INPUT", "amount"},
		{"consume literal 2^53", literal("9007199254740992"), 0, "INVALID_INPUT", "amount"},

		// grantCredits input (as a platform admin, so only the input is wrong).
		{"grant past expiresAt", func(t *testing.T, f *badFixture) result {
			return f.grant(t, f.org, map[string]any{"expiresAt": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
		}, 0, "INVALID_INPUT", "expiresAt"},
		{"grant unknown kind", func(t *testing.T, f *badFixture) result {
			return f.grant(t, f.org, map[string]any{"kind": "BONUS"})
		}, 0, "INVALID_INPUT", "kind"},
		{"grant to a user ID", func(t *testing.T, f *badFixture) result {
			return f.grant(t, f.ownerID, nil)
		}, 0, "INVALID_INPUT", "orgId"},
		{"grant to a missing org", func(t *testing.T, f *badFixture) result {
			return f.grant(t, ghostID("Org"), nil)
		}, 0, "NOT_FOUND", ""},

		// setLowBalanceAlert input.
		{"low balance threshold -1", lowBalance(json.Number("-1"), nil), 0, "INVALID_INPUT", "threshold"},
		{"low balance threshold 2^53", lowBalance(json.Number("9007199254740992"), nil), 0, "INVALID_INPUT", "threshold"},
		{"low balance threshold 1.5", lowBalance(json.Number("1.5"), nil), 0, "INVALID_INPUT", "threshold"},
		{"low balance without a key", lowBalance(json.Number("10"), func(*badFixture) string { return " " }), 0, "INVALID_INPUT", "idempotencyKey"},
		{"low balance on a user ID", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `mutation($o: ID!, $k: String!) { setLowBalanceAlert(orgId: $o, threshold: 10, idempotencyKey: $k) { threshold } }`,
				map[string]any{"o": f.ownerID, "k": f.key()})
		}, 0, "INVALID_INPUT", "orgId"},
		{"history after a bad cursor", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `query($id: ID!) { org(id: $id) { history(after: "nope") { edges { cursor } } } }`, map[string]any{"id": f.org})
		}, 0, "INVALID_INPUT", "after"},

		// Global IDs: malformed ones and IDs of the wrong type are
		// INVALID_INPUT; well-formed IDs of nothing are NOT_FOUND.
		{"consume on ID nope", consumeOn(nope), 0, "INVALID_INPUT", "orgId"},
		{"consume on Org:not-a-uuid", consumeOn(notUUID), 0, "NOT_FOUND", ""},
		{"consume on a user ID", consumeOn(userID), 0, "INVALID_INPUT", "orgId"},
		{"consume on a missing org", consumeOn(ghostOrg), 0, "NOT_FOUND", ""},
		{"org(id: nope)", query(orgQ, nope), 0, "INVALID_INPUT", "id"},
		{"org(id: Org:not-a-uuid)", query(orgQ, notUUID), 0, "NOT_FOUND", ""},
		{"org(id: a user ID)", query(orgQ, userID), 0, "INVALID_INPUT", "id"},
		{"org(id: a missing org)", query(orgQ, ghostOrg), 0, "NOT_FOUND", ""},
		{"node(id: nope)", query(nodeQ, nope), 0, "INVALID_INPUT", "id"},
		{"node(id: Org:not-a-uuid)", query(nodeQ, notUUID), 0, "NOT_FOUND", ""},
		{"node(id: an unknown type)", query(nodeQ, unknownType), 0, "INVALID_INPUT", "id"},
		{"node(id: a missing org)", query(nodeQ, ghostOrg), 0, "NOT_FOUND", ""},

		// Auto-recharge settings: each refused with the offending field.
		{"auto-recharge threshold 0", setRecharge(map[string]any{"threshold": 0}), 0, "INVALID_INPUT", "threshold"},
		{"auto-recharge negative limit", setRecharge(map[string]any{"spendingLimitMinor": -5}), 0, "INVALID_INPUT", "spendingLimit"},
		{"auto-recharge pack ID of an org", func(t *testing.T, f *badFixture) result {
			return setRecharge(map[string]any{"packId": f.org})(t, f)
		}, 0, "INVALID_INPUT", "packId"},
		{"auto-recharge missing pack", setRecharge(map[string]any{"packId": ghostID("Pack")}), 0, "INVALID_INPUT", "packId"},
		{"auto-recharge method ID of a user", func(t *testing.T, f *badFixture) result {
			return setRecharge(map[string]any{"paymentMethodId": f.ownerID})(t, f)
		}, 0, "INVALID_INPUT", "paymentMethodId"},
		{"auto-recharge overage on the Free plan", setRecharge(map[string]any{"mode": "OVERAGE", "packId": nil}), 0, "INVALID_INPUT", "mode"},
		{"resume auto-recharge never set", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `mutation($o: ID!, $k: String!) { resumeAutoRecharge(orgId: $o, idempotencyKey: $k) { enabled } }`,
				map[string]any{"o": f.org, "k": f.key()})
		}, 0, "INVALID_INPUT", "orgId"},

		// Webhook endpoints: bad URLs, unknown types, bounds.
		{"webhook URL not absolute", createHookWith("/relative", []string{"order.paid"}), 0, "INVALID_INPUT", "url"},
		{"webhook URL ftp", createHookWith("ftp://example.com/x", []string{"order.paid"}), 0, "INVALID_INPUT", "url"},
		{"webhook URL javascript", createHookWith("javascript:alert(1)", []string{"order.paid"}), 0, "INVALID_INPUT", "url"},
		{"webhook URL with a password", createHookWith("https://user:pw@example.com/x", []string{"order.paid"}), 0, "INVALID_INPUT", "url"},
		{"webhook URL empty", createHookWith("", []string{"order.paid"}), 0, "INVALID_INPUT", "url"},
		{"webhook unknown event type", createHookWith("https://example.com/x", []string{"order.exploded"}), 0, "INVALID_INPUT", "eventTypes"},
		{"webhook no event type", createHookWith("https://example.com/x", []string{}), 0, "INVALID_INPUT", "eventTypes"},
		{"webhook test type is not subscribable", createHookWith("https://example.com/x", []string{"webhook.test"}), 0, "INVALID_INPUT", "eventTypes"},
		{"webhook rotation overlap too long", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `mutation($id: ID!, $k: String!) { rotateWebhookEndpointSecret(id: $id, overlapHours: 1000, idempotencyKey: $k) { secret } }`,
				map[string]any{"id": ghostID("WebhookEndpoint"), "k": f.key()})
		}, 0, "INVALID_INPUT", "overlapHours"},
		{"webhook update on an org ID", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `mutation($in: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"id": f.org, "enabled": false}})
		}, 0, "INVALID_INPUT", "id"},
		{"redeliver a missing delivery", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, `mutation($id: ID!) { redeliverWebhook(id: $id) { id } }`, map[string]any{"id": ghostID("WebhookDelivery")})
		}, 0, "NOT_FOUND", ""},

		// Query shape limits.
		{"deeper than the depth limit", query(deepQuery, func(f *badFixture) string { return f.org }), 0, "INVALID_INPUT", "query"},
		{"over the complexity limit", query(wideQuery, func(f *badFixture) string { return f.org }), 0, "INVALID_INPUT", "query"},
		{"body over the size limit", func(t *testing.T, f *badFixture) result {
			body := gqlBody(consumeMutation, map[string]any{"in": map[string]any{
				"orgId": f.org, "amount": 1, "idempotencyKey": "too-big", "reason": strings.Repeat("x", 3000)}})
			return f.s.post(t, map[string]string{"Authorization": f.owner.auth}, body)
		}, http.StatusRequestEntityTooLarge, "INVALID_INPUT", "body"},

		// Text that is not text: refused at the edge on both stores (PostgreSQL
		// cannot store NUL; JSON decoding would replace invalid UTF-8).
		{"NUL in a reason", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, consumeMutation, map[string]any{"in": map[string]any{
				"orgId": f.org, "amount": 1, "idempotencyKey": f.key(), "reason": "chat\x00"}})
		}, 0, "INVALID_INPUT", "in.reason"},
		{"NUL in an idempotency key", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, consumeMutation, map[string]any{"in": map[string]any{
				"orgId": f.org, "amount": 1, "idempotencyKey": "k\x00"}})
		}, 0, "INVALID_INPUT", "in.idempotencyKey"},
		{"NUL in metadata", func(t *testing.T, f *badFixture) result {
			return f.owner.do(t, consumeMutation, map[string]any{"in": map[string]any{
				"orgId": f.org, "amount": 1, "idempotencyKey": f.key(), "metadata": map[string]any{"k": "\x00"}}})
		}, 0, "INVALID_INPUT", "in.metadata.k"},
		{"invalid UTF-8 in a reason", func(t *testing.T, f *badFixture) result {
			body := []byte(`{"query":"mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { entry { id } } }","variables":{"in":{"orgId":"` +
				f.org + `","amount":1,"idempotencyKey":"` + f.key() + "\",\"reason\":\"chat\xff\"}}}")
			return f.s.post(t, map[string]string{"Authorization": f.owner.auth}, body)
		}, http.StatusBadRequest, "INVALID_INPUT", "body"},

		// Credentials: each refused with 401 before anything runs.
		{"expired token", func(t *testing.T, f *badFixture) result {
			return f.bearer(t, signed(t, jwt.SigningMethodHS256, f.ownerClaims(time.Now().Add(-2*time.Hour), time.Hour), []byte(secret)))
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"token of another secret", func(t *testing.T, f *badFixture) result {
			tok, err := auth.Mint([]byte("another-secret-0123456789abcdefghijklmnop"), auth.Claims{Subject: "e2e|" + f.ownerEmail, Email: f.ownerEmail})
			if err != nil {
				t.Fatal(err)
			}
			return f.bearer(t, tok)
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"alg none", func(t *testing.T, f *badFixture) result {
			return f.bearer(t, signed(t, jwt.SigningMethodNone, f.ownerClaims(time.Now(), time.Hour), jwt.UnsafeAllowNoneSignatureType))
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"admin claim with alg none", func(t *testing.T, f *badFixture) result {
			c := f.ownerClaims(time.Now(), time.Hour)
			c[auth.AdminClaim] = true
			return f.bearer(t, signed(t, jwt.SigningMethodNone, c, jwt.UnsafeAllowNoneSignatureType))
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"garbage bearer", func(t *testing.T, f *badFixture) result {
			return f.bearer(t, "garbage")
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"revoked API key as bearer", func(t *testing.T, f *badFixture) result {
			return f.bearer(t, f.revokedKey)
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"revoked API key as X-Api-Key", func(t *testing.T, f *badFixture) result {
			return f.withCredential(t, map[string]string{"X-Api-Key": f.revokedKey})
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"unknown API key", func(t *testing.T, f *badFixture) result {
			return f.bearer(t, "tly_"+strings.Repeat("0", 48))
		}, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"recordUsage without an event id", recordUsage(map[string]any{"eventId": ""}), 0, "INVALID_INPUT", "eventId"},
		{"recordUsage with a 129-character event id", recordUsage(map[string]any{"eventId": strings.Repeat("e", 129)}), 0, "INVALID_INPUT", "eventId"},
		{"recordUsage of nothing", recordUsage(map[string]any{"quantity": 0}), 0, "INVALID_INPUT", "quantity"},
		{"recordUsage of a negative quantity", recordUsage(map[string]any{"quantity": -5}), 0, "INVALID_INPUT", "quantity"},
		{"recordUsage of a huge quantity", recordUsage(map[string]any{"quantity": int64(1) << 41}), 0, "INVALID_INPUT", "quantity"},
		{"recordUsage in the future", recordUsage(map[string]any{"time": time.Now().Add(time.Hour).Format(time.RFC3339)}), 0, "INVALID_INPUT", "time"},
		{"recordUsage long ago", recordUsage(map[string]any{"time": time.Now().AddDate(0, -3, 0).Format(time.RFC3339)}), 0, "INVALID_INPUT", "time"},
		{"recordUsage for a stranger", recordUsage(map[string]any{"memberId": ghostID("User")}), 0, "INVALID_INPUT", "memberId"},
		{"recordUsage for an org as member", func(t *testing.T, f *badFixture) result {
			return recordUsage(map[string]any{"memberId": f.org})(t, f)
		}, 0, "INVALID_INPUT", "memberId"},
	}
}

// TestBadInput sends each bad request to a server with tight limits, on both
// backends: each gets its coded error and leaves the org's balance and ledger
// as they were. Well-formed requests at the limits pass, so the refusals are
// about the input and not the server.
func TestBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		start := time.Now()
		f := newBadFixture(t, b)
		t.Run("controls pass", func(t *testing.T) {
			before := f.owner.state(t, f.org, badPage, false)
			r := f.consumeRaw(t, f.owner, f.org, json.Number("1"))
			if r.code() != "" {
				t.Fatalf("a good spend failed: %+v", r.Errors)
			}
			after := f.owner.state(t, f.org, badPage, false)
			if after.Balance != before.Balance-1 || after.LedgerLen != before.LedgerLen+1 {
				t.Fatalf("a good spend moved %+v → %+v", before, after)
			}
			// The credentials the 401 cases spoil, unspoiled.
			for name, r := range map[string]result{
				"owner's claims signed with the server's secret": f.bearer(t, signed(t, jwt.SigningMethodHS256, f.ownerClaims(time.Now(), time.Hour), []byte(secret))),
				"a live API key as X-Api-Key":                    f.withCredential(t, map[string]string{"X-Api-Key": f.liveKey}),
				"a live API key as bearer":                       f.bearer(t, f.liveKey),
			} {
				if r.Status != http.StatusOK || r.code() != "" {
					t.Errorf("%s: status %d, errors %+v", name, r.Status, r.Errors)
				}
			}
			// Five levels deep (org → ledger → edges → node → id), the depth
			// limit, and a complexity of 1 + 1 + 7×6 = 44, under the limit of 50.
			if r := f.owner.do(t, `query($id: ID!) { org(id: $id) { ledger(first: 7) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
				map[string]any{"id": f.org}); r.code() != "" {
				t.Fatalf("a query at the limits failed: %+v", r.Errors)
			}
		})
		for _, tc := range badRequests() {
			t.Run(tc.name, func(t *testing.T) {
				before := f.owner.state(t, f.org, badPage, false)
				r := tc.send(t, f)
				after := f.owner.state(t, f.org, badPage, false)
				if len(r.Errors) != 1 || r.code() != tc.code {
					t.Fatalf("status %d, errors %+v; want one %s", r.Status, r.Errors, tc.code)
				}
				if got := r.Errors[0].Extensions.Field; got != tc.field {
					t.Errorf("extensions.field %q, want %q", got, tc.field)
				}
				if tc.status != 0 && r.Status != tc.status {
					t.Errorf("HTTP status %d, want %d", r.Status, tc.status)
				}
				for field, v := range r.Data {
					if !isNull(v) {
						t.Errorf("a refused request returned data in %s: %s", field, v)
					}
				}
				if !before.equal(after) {
					t.Errorf("a refused request changed the org: %+v → %+v", before, after)
				}
			})
		}
		t.Run("websocket", func(t *testing.T) { testBadWebsockets(t, f) })
		t.Logf("%s in %v", b.name, time.Since(start).Round(time.Millisecond))
	})
}

// wsOutcome is how a websocket attempt ended.
type wsOutcome struct {
	status    int           // HTTP status of a refused upgrade, 0 when it was accepted
	closeCode int           // the server's close code, 0 when it did not close
	connError string        // a connection_error message's text, if one came
	ack       bool          // whether connection_ack came
	elapsed   time.Duration // from the upgrade to the close
}

// wsAttempt dials /graphql with the graphql-transport-ws subprotocol and an
// Origin (when not empty), sends connection_init with payload (when not
// nil), and reads until the server acks, closes, or 5 s pass.
func wsAttempt(t *testing.T, s *server, origin string, payload map[string]any) wsOutcome {
	t.Helper()
	header := http.Header{}
	if origin != "" {
		header.Set("Origin", origin)
	}
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/graphql", header)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		_ = resp.Body.Close()
		return wsOutcome{status: resp.StatusCode}
	}
	defer func() { _ = conn.Close() }()
	_ = resp.Body.Close()
	if got := conn.Subprotocol(); got != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q", got)
	}
	start := time.Now()
	if payload != nil {
		if err := conn.WriteJSON(map[string]any{"type": "connection_init", "payload": payload}); err != nil {
			t.Fatal(err)
		}
	}
	var out wsOutcome
	_ = conn.SetReadDeadline(start.Add(5 * time.Second))
	for {
		var msg struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				out.closeCode, out.elapsed = ce.Code, time.Since(start)
			}
			return out
		}
		switch msg.Type {
		case "connection_ack":
			out.ack = true
			return out
		case "connection_error":
			out.connError = string(msg.Payload)
		case "ping":
			_ = conn.WriteJSON(map[string]any{"type": "pong"})
		}
	}
}

// testBadWebsockets checks the websocket handshake's refusals, with an
// accepted handshake as the control.
func testBadWebsockets(t *testing.T, f *badFixture) {
	expired := signed(t, jwt.SigningMethodHS256, f.ownerClaims(time.Now().Add(-2*time.Hour), time.Hour), []byte(secret))
	cases := []struct {
		name    string
		origin  string
		payload map[string]any // connection_init's payload; nil sends none
		check   func(t *testing.T, o wsOutcome)
	}{
		{"allowed origin and a valid token are accepted", "http://app.example",
			map[string]any{"authorization": f.owner.auth},
			func(t *testing.T, o wsOutcome) {
				if !o.ack {
					t.Fatalf("got %+v, want connection_ack", o)
				}
			}},
		{"no connection_init is closed with 4408 within 2s", "", nil,
			func(t *testing.T, o wsOutcome) {
				if o.closeCode == 0 || o.elapsed > 2*time.Second {
					t.Fatalf("got %+v, want the server to close within 2s of the 1s init timeout", o)
				}
				if o.closeCode != 4408 {
					t.Fatalf("closed with %d after %v, want 4408 (graphql-transport-ws: connection initialisation timeout)", o.closeCode, o.elapsed)
				}
			}},
		{"forged token is refused", "", map[string]any{"authorization": "Bearer forged.token.value"},
			func(t *testing.T, o wsOutcome) {
				if o.ack || (o.closeCode != 4403 && o.connError == "") {
					t.Fatalf("got %+v, want close 4403 or a connection_error", o)
				}
			}},
		{"expired token is refused", "", map[string]any{"authorization": "Bearer " + expired},
			func(t *testing.T, o wsOutcome) {
				if o.ack || (o.closeCode != 4403 && o.connError == "") {
					t.Fatalf("got %+v, want close 4403 or a connection_error", o)
				}
			}},
		{"disallowed origin is refused before the upgrade", "http://evil.example",
			map[string]any{"authorization": f.owner.auth},
			func(t *testing.T, o wsOutcome) {
				if o.status != http.StatusForbidden {
					t.Fatalf("got %+v, want the upgrade refused with 403", o)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // the timeout case waits a second; the others need not
			o := wsAttempt(t, f.s, tc.origin, tc.payload)
			t.Logf("%+v", o)
			tc.check(t, o)
		})
	}
}

// createHookWith creates a webhook endpoint of the fixture's org as its
// owner with url and types.
func createHookWith(url string, types []string) func(t *testing.T, f *badFixture) result {
	return func(t *testing.T, f *badFixture) result {
		return f.owner.do(t, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret } }`,
			map[string]any{"in": map[string]any{"orgId": f.org, "url": url, "eventTypes": types, "idempotencyKey": f.key()}})
	}
}

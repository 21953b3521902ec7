package domain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on free-form input of credit operations.
const (
	maxIdempotencyKeyLen = 200
	maxReasonLen         = 500
	maxMetadataBytes     = 4096
)

// ledgerChange is what one balance-changing operation decides, given the
// locked balance and the org's open grants (in spending order, expired ones
// already written off).
type ledgerChange func(b *Balance, open []Grant, now time.Time) (change, error)

// change lists the effects of an operation; applyCredits writes them.
type change struct {
	newGrants []Grant       // grants to insert
	touched   []Grant       // existing grants whose Remaining changed
	entries   []LedgerEntry // entries to append, in order; Seq and BalanceAfter are filled in
}

// creditOp is one balance-changing request: its operation name, its
// idempotency key and request hash (both "" when it has none), the change
// it makes (nil: only write off expired grants), and who asks (for a
// request with a key: a repeated key answers only an asker mayReplay
// allows).
type creditOp struct {
	op, key, hash string
	fn            ledgerChange
	by            Access
}

// opResult is what became of one creditOp. replay is true when the result
// is the stored answer to a repeated idempotency key.
type opResult struct {
	res    CreditResult
	replay bool
	err    error
}

// applyCredits is the one path by which a balance changes: applyOps with a
// single request.
func (s *Service) applyCredits(ctx context.Context, orgID, op, key, reqHash string, fn ledgerChange) (CreditResult, error) {
	r := s.applyOps(ctx, orgID, []creditOp{{op: op, key: key, hash: reqHash, fn: fn}})[0]
	return r.res, r.err
}

// applyOps applies requests to one org's balance, in order, in one
// transaction: it locks the org's balance, answers each repeated
// idempotency key with the first result (CONFLICT when the request
// differs), writes off grants that have expired, applies each request's
// change to the balance the previous ones left, appends the ledger entries,
// saves the balance and records the idempotency keys in one write; then,
// after commit, it announces the new balance. A request whose change fails
// changes nothing and does not stop the others. When the transaction fails
// as a whole, each request of a batch is retried on its own, so one
// request's failure never becomes another's.
func (s *Service) applyOps(ctx context.Context, orgID string, ops []creditOp) []opResult {
	var (
		out []opResult
		err error
	)
	for attempt := 0; attempt < 3; attempt++ {
		err = s.store.InTx(ctx, func(tx Store) error {
			var err error
			out, err = s.applyOpsTx(ctx, tx, orgID, ops)
			return err
		})
		if !duplicateKeyRace(err) {
			break
		}
	}
	if err != nil {
		if len(ops) == 1 {
			return []opResult{{err: asDomainError(err)}}
		}
		out = make([]opResult, len(ops))
		for i := range ops {
			out[i] = s.applyOps(ctx, orgID, ops[i:i+1])[0]
		}
		return out
	}
	var version int64
	for _, r := range out {
		if r.err == nil && !r.replay && r.res.Entry.ID != "" {
			version = max(version, r.res.Balance.Version)
		}
	}
	if version > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: orgID, Version: version})
	}
	return out
}

// duplicateKeyRace reports whether err is a write conflict that a
// concurrent request with the same idempotency key may have caused;
// retrying then finds that request's record and replays it.
func duplicateKeyRace(err error) bool {
	var de *Error
	return errors.As(err, &de) && de.Code == CodeConflict && de.Field != "idempotencyKey"
}

// errKeyReused answers a repeated idempotency key whose request differs.
func errKeyReused() *Error {
	return &Error{Code: CodeConflict, Field: "idempotencyKey",
		Message: "idempotency key already used with a different request"}
}

// applyOpsTx is applyOps inside a transaction the caller owns; the caller
// publishes the event after commit. The returned error fails the whole
// transaction; a single request's failure is in its opResult.
func (s *Service) applyOpsTx(ctx context.Context, tx Store, orgID string, ops []creditOp) ([]opResult, error) {
	keys := make([]string, 0, len(ops))
	for _, o := range ops {
		if o.key != "" {
			keys = append(keys, o.key)
		}
	}
	b, recs, err := tx.LockBalance(ctx, orgID, keys...)
	if err != nil {
		return nil, err
	}
	stored := make(map[string]IdempotencyRecord, len(recs))
	for _, r := range recs {
		stored[r.Key] = r
	}
	grants, err := tx.OpenGrants(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	open, expired := openAt(grants, now)
	SortForSpending(open)

	var (
		w     changeSet
		out   = make([]opResult, len(ops))
		fresh = map[string]int{} // key -> the request of this batch that recorded it
		idem  []IdempotencyRecord
		last  LedgerEntry
	)
	if len(expired) > 0 {
		ch := expireGrants(expired)
		if err := apply(&b, ch, now); err != nil {
			return nil, err
		}
		w.add(ch)
		last = ch.entries[len(ch.entries)-1]
	}
	for i, o := range ops {
		if o.key != "" {
			if rec, ok := stored[o.key]; ok {
				out[i] = replayRecord(rec, o)
				continue
			}
			if j, ok := fresh[o.key]; ok {
				if ops[j].op != o.op || ops[j].hash != o.hash || !mayReplay(o.by, out[j].res.Entry) {
					out[i].err = errKeyReused()
				} else {
					out[i] = opResult{res: out[j].res, replay: true}
				}
				continue
			}
		}
		var c change
		if o.fn != nil {
			if c, err = o.fn(&b, open, now); err != nil {
				out[i].err = err
				continue
			}
		}
		if err := checkCeiling(b, c); err != nil {
			out[i].err = err
			continue
		}
		if len(c.entries) == 0 {
			out[i].res = CreditResult{Entry: last, Balance: withGrants(b, open)}
			continue
		}
		if err := apply(&b, c, now); err != nil {
			return nil, err
		}
		open = mergeGrants(open, c)
		w.add(c)
		last = c.entries[len(c.entries)-1]
		res := CreditResult{Entry: last, Balance: withGrants(b, open)}
		out[i].res = res
		if o.key != "" {
			resp, err := json.Marshal(res)
			if err != nil {
				return nil, Internal(err)
			}
			idem = append(idem, IdempotencyRecord{
				OrgID: orgID, Key: o.key, Operation: o.op, RequestHash: o.hash, Response: resp, CreatedAt: now,
			})
			fresh[o.key] = i
		}
	}
	if len(w.entries) == 0 {
		return out, nil
	}
	b.Grants = nil
	return out, tx.WriteLedger(ctx, LedgerWrite{
		Balance: b, NewGrants: w.newGrants, Grants: w.touched, Entries: w.entries, Idempotency: idem,
	})
}

// applyCreditsTx is applyCredits inside a transaction the caller owns (the
// caller publishes after commit): one request's result, whether it was a
// replay, and its error or the transaction's.
func (s *Service) applyCreditsTx(ctx context.Context, tx Store, orgID, op, key, reqHash string, fn ledgerChange) (CreditResult, bool, error) {
	out, err := s.applyOpsTx(ctx, tx, orgID, []creditOp{{op: op, key: key, hash: reqHash, fn: fn}})
	if err != nil {
		return CreditResult{}, false, err
	}
	return out[0].res, out[0].replay, out[0].err
}

// replayRecord answers a request whose key is already recorded: the stored
// first result, or CONFLICT when the request differs or its asker may not
// see the stored result (mayReplay).
func replayRecord(rec IdempotencyRecord, o creditOp) opResult {
	if rec.Operation != o.op || rec.RequestHash != o.hash {
		return opResult{err: errKeyReused()}
	}
	var res CreditResult
	if err := json.Unmarshal(rec.Response, &res); err != nil {
		return opResult{err: Internal(err)}
	}
	if !mayReplay(o.by, res.Entry) {
		return opResult{err: errKeyReused()}
	}
	return opResult{res: res, replay: true}
}

// errCreditCeiling is the cause of every refusal to take a balance over
// MaxCredits (errors.Is finds it in the *Error checkCeiling returns).
var errCreditCeiling = errors.New("balance would exceed MaxCredits")

// checkCeiling refuses a change that would take the balance b over
// MaxCredits, the largest number the API's JSON contract carries exactly:
// INVALID_INPUT on "amount", wrapping errCreditCeiling. Every path that
// adds credits (grants, the sign-up grant, paid orders) goes through
// applyOpsTx, which asks it before applying a change.
func checkCeiling(b Balance, c change) error {
	var add int64
	for _, e := range c.entries {
		add += e.Amount
	}
	if add <= 0 || b.Total <= MaxCredits-add {
		return nil
	}
	return &Error{Code: CodeInvalidInput, Field: "amount", Err: errCreditCeiling,
		Message: fmt.Sprintf("this would take the balance (%d) over the limit of %d credits", b.Total, MaxCredits)}
}

// changeSet accumulates the changes of several requests into one write:
// each grant once, in its latest state.
type changeSet struct {
	newGrants []Grant
	touched   []Grant
	entries   []LedgerEntry
	newAt     map[string]int // grant id -> index in newGrants
	touchedAt map[string]int // grant id -> index in touched
}

func (w *changeSet) add(c change) {
	if w.newAt == nil {
		w.newAt, w.touchedAt = map[string]int{}, map[string]int{}
	}
	for _, g := range c.newGrants {
		w.newAt[g.ID] = len(w.newGrants)
		w.newGrants = append(w.newGrants, g)
	}
	for _, g := range c.touched {
		if i, ok := w.newAt[g.ID]; ok { // inserted by this write: insert it as it is now
			w.newGrants[i] = g
			continue
		}
		if i, ok := w.touchedAt[g.ID]; ok {
			w.touched[i] = g
			continue
		}
		w.touchedAt[g.ID] = len(w.touched)
		w.touched = append(w.touched, g)
	}
	w.entries = append(w.entries, c.entries...)
}

// apply numbers a change's entries after the balance's version and moves
// the balance counters by them. It refuses (as INTERNAL: the rules above
// must prevent it) any change that would drive a counter below zero.
func apply(b *Balance, ch change, now time.Time) error {
	kinds := map[string]GrantKind{}
	for _, g := range ch.touched {
		kinds[g.ID] = g.Kind
	}
	for _, g := range ch.newGrants {
		kinds[g.ID] = g.Kind
	}
	for i := range ch.entries {
		e := &ch.entries[i]
		for _, a := range e.Allocations {
			if kinds[a.GrantID].Paid() {
				b.Paid += a.Amount
			} else {
				b.Free += a.Amount
			}
		}
		b.Total += e.Amount
		b.Version++
		if e.ID == "" {
			e.ID = newID()
		}
		e.OrgID = b.OrgID
		e.Seq = b.Version
		e.BalanceAfter = b.Total
		e.CreatedAt = now
	}
	if b.Total < 0 || b.Free < 0 || b.Paid < 0 {
		return Internal(fmt.Errorf("balance of org %s would go negative: %+v", b.OrgID, *b))
	}
	b.UpdatedAt = now
	return nil
}

// expireGrants writes off what is left of expired grants, one EXPIRE entry each.
func expireGrants(expired []Grant) change {
	var ch change
	for _, g := range expired {
		amt := g.Remaining
		g.Remaining = 0
		ch.touched = append(ch.touched, g)
		ch.entries = append(ch.entries, LedgerEntry{
			Kind: EntryExpire, Amount: -amt, Reason: "grant expired",
			Allocations: []Allocation{{GrantID: g.ID, Amount: -amt}},
			ActorKind:   ActorSystem,
		})
	}
	return ch
}

// mergeGrants returns the open grants after a change: touched ones updated
// (dropped when empty), new ones added, in spending order.
func mergeGrants(open []Grant, ch change) []Grant {
	upd := map[string]Grant{}
	for _, g := range ch.touched {
		upd[g.ID] = g
	}
	out := make([]Grant, 0, len(open)+len(ch.newGrants))
	for _, g := range open {
		if u, ok := upd[g.ID]; ok {
			g = u
		}
		if g.Remaining > 0 {
			out = append(out, g)
		}
	}
	out = append(out, ch.newGrants...)
	SortForSpending(out)
	return out
}

func withGrants(b Balance, open []Grant) Balance {
	b.Grants = open
	return b
}

// Consume spends credits from an org's balance in the spending order. It
// returns INVALID_INPUT for a bad amount, key, reason or metadata; NOT_FOUND
// for an org the caller cannot see; FORBIDDEN for a caller without the
// right; ORG_SUSPENDED when the org may not spend; INSUFFICIENT_CREDITS when
// the balance is too small (nothing is spent); CONFLICT when the
// idempotency key was used for a different request.
func (s *Service) Consume(ctx context.Context, in ConsumeInput) (CreditResult, error) {
	if err := validateAmount("amount", in.Amount); err != nil {
		return CreditResult{}, err
	}
	if err := validateKey(in.IdempotencyKey); err != nil {
		return CreditResult{}, err
	}
	reason, err := validateReason(in.Reason)
	if err != nil {
		return CreditResult{}, err
	}
	meta, err := canonicalMetadata(in.Metadata)
	if err != nil {
		return CreditResult{}, err
	}
	acc, err := s.authorize(ctx, in.OrgID, ActionSpend)
	if err != nil {
		return CreditResult{}, err
	}
	hash := requestHash("consumeCredits", in.OrgID, in.Amount, reason, string(meta))
	return s.combined(ctx, in.OrgID, creditOp{op: "consumeCredits", key: in.IdempotencyKey, hash: hash, by: acc,
		fn: func(b *Balance, open []Grant, _ time.Time) (change, error) {
			if !b.OrgStatus.CanSpend() {
				return change{}, Errorf(CodeOrgSuspended, "org is %s: spending is paused until payment", strings.ToLower(string(b.OrgStatus)))
			}
			allocs, err := Allocate(open, in.Amount)
			if err != nil {
				return change{}, err
			}
			var ch change
			byID := map[string]Grant{}
			for _, g := range open {
				byID[g.ID] = g
			}
			for _, a := range allocs {
				g := byID[a.GrantID]
				g.Remaining += a.Amount
				ch.touched = append(ch.touched, g)
			}
			ch.entries = []LedgerEntry{{
				Kind: EntryConsume, Amount: -in.Amount, Allocations: allocs,
				Reason: reason, Metadata: meta, ActorKind: acc.Actor.Kind(), ActorID: acc.Actor.ID(),
			}}
			return ch, nil
		}})
}

// GrantCredits adds credits to an org as a new grant (platform admins only).
// Codes: INVALID_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT.
func (s *Service) GrantCredits(ctx context.Context, in GrantInput) (CreditResult, error) {
	admin, err := requirePlatformAdmin(ctx)
	if err != nil {
		return CreditResult{}, err
	}
	if err := validateAmount("amount", in.Amount); err != nil {
		return CreditResult{}, err
	}
	if err := validateKey(in.IdempotencyKey); err != nil {
		return CreditResult{}, err
	}
	if !in.Kind.Valid() {
		return CreditResult{}, InvalidInput("kind", "unknown grant kind %q", in.Kind)
	}
	reason, err := validateReason(in.Reason)
	if err != nil {
		return CreditResult{}, err
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.clock.Now()) {
		return CreditResult{}, InvalidInput("expiresAt", "must be in the future")
	}
	if !ValidID(in.OrgID) {
		return CreditResult{}, NotFound("org")
	}
	exp := ""
	if in.ExpiresAt != nil {
		exp = in.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	hash := requestHash("grantCredits", in.OrgID, in.Amount, string(in.Kind), exp, reason)
	// A replayed key shows the admin the stored grant entry; whether they
	// may see another admin's follows their own role in the org, if any.
	acc := Access{Actor: admin}
	if m, err := s.store.MembershipOf(ctx, in.OrgID, admin.UserID); err == nil {
		acc.Role = m.Role
	} else if !IsCode(err, CodeNotFound) {
		return CreditResult{}, asDomainError(err)
	}
	r := s.applyOps(ctx, in.OrgID, []creditOp{{op: "grantCredits", key: in.IdempotencyKey, hash: hash, by: acc,
		fn: func(b *Balance, _ []Grant, now time.Time) (change, error) {
			return grantChange(b.OrgID, in.Kind, in.Amount, in.ExpiresAt, "", reason, admin, now), nil
		}}})[0]
	return r.res, r.err
}

// grantChange is the change that adds a new grant with its GRANT entry.
func grantChange(orgID string, kind GrantKind, amount int64, expiresAt *time.Time, orderID, reason string, by Actor, now time.Time) change {
	g := Grant{
		ID: newID(), OrgID: orgID, Kind: kind, Amount: amount, Remaining: amount,
		ExpiresAt: utcPtr(expiresAt), OrderID: orderID, Reason: reason, CreatedAt: now,
	}
	return change{
		newGrants: []Grant{g},
		entries: []LedgerEntry{{
			Kind: EntryGrant, Amount: amount, Reason: reason,
			Allocations: []Allocation{{GrantID: g.ID, Amount: amount}},
			ActorKind:   by.Kind(), ActorID: by.ID(),
		}},
	}
}

// ExpireDue writes off expired grants of up to limit orgs (the background
// expiry job) and returns how many EXPIRE entries it wrote. It is safe to
// run on many instances at once: each org is handled under its balance lock.
func (s *Service) ExpireDue(ctx context.Context, limit int) (int, error) {
	orgs, err := s.store.OrgsWithExpiredGrants(ctx, s.clock.Now(), limit)
	if err != nil {
		return 0, asDomainError(err)
	}
	n := 0
	for _, orgID := range orgs {
		before, err := s.store.GetBalance(ctx, orgID)
		if err != nil {
			return n, asDomainError(err)
		}
		res, err := s.applyCredits(ctx, orgID, "", "", "", nil)
		if err != nil {
			return n, err
		}
		n += int(res.Balance.Version - before.Version)
	}
	return n, nil
}

// PurgeIdempotencyKeys forgets up to limit idempotency keys older than
// Config.IdempotencyRetention (a background job) and returns how many.
func (s *Service) PurgeIdempotencyKeys(ctx context.Context, limit int) (int, error) {
	n, err := s.store.PurgeIdempotency(ctx, s.clock.Now().Add(-s.cfg.IdempotencyRetention), limit)
	return n, asDomainError(err)
}

// PurgeGatewayEvents forgets up to limit gateway event ids older than
// Config.GatewayEventRetention (a background job) and returns how many.
func (s *Service) PurgeGatewayEvents(ctx context.Context, limit int) (int, error) {
	n, err := s.store.PurgeGatewayEvents(ctx, s.clock.Now().Add(-s.cfg.GatewayEventRetention), limit)
	return n, asDomainError(err)
}

// Balance returns an org's balance with its open grants in spending order.
// Grants past their expiry that the expiry job has not written off yet are
// left out of the grants and the totals. Codes: UNAUTHENTICATED, NOT_FOUND.
func (s *Service) Balance(ctx context.Context, orgID string) (Balance, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadBalance); err != nil {
		return Balance{}, err
	}
	return s.balanceOf(ctx, orgID)
}

func (s *Service) balanceOf(ctx context.Context, orgID string) (Balance, error) {
	b, err := s.store.GetBalance(ctx, orgID)
	if err != nil {
		return Balance{}, asDomainError(err)
	}
	gs, err := s.store.OpenGrants(ctx, orgID)
	if err != nil {
		return Balance{}, asDomainError(err)
	}
	open, expired := openAt(gs, s.clock.Now())
	for _, g := range expired {
		b.Total -= g.Remaining
		if g.Kind.Paid() {
			b.Paid -= g.Remaining
		} else {
			b.Free -= g.Remaining
		}
	}
	SortForSpending(open)
	b.Grants = open
	return b, nil
}

// LedgerPage is one page of an org's ledger and whose entries it holds:
// UsageOrg when the caller reads every entry, UsageMember when only the
// ones they caused, so a narrowed page says so instead of looking complete.
type LedgerPage struct {
	Connection[LedgerEntry]
	Scope UsageScope
}

// Ledger pages an org's ledger, newest first, as ledgerScope allows: OWNER
// and BILLING see every entry; other members see their own ("own usage"),
// and the page's Scope says which. API keys may not.
func (s *Service) Ledger(ctx context.Context, orgID string, p Page) (LedgerPage, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadOwnUsage)
	if err != nil {
		return LedgerPage{}, err
	}
	actorID, ok := ledgerScope(acc)
	if !ok {
		return LedgerPage{}, Errorf(CodeForbidden, "an API key may not read this org's ledger; sign in as a member of this org")
	}
	c, err := s.store.ListLedger(ctx, orgID, LedgerFilter{ActorID: actorID}, p)
	return LedgerPage{Connection: c, Scope: scopeOf(actorID)}, asDomainError(err)
}

// scopeOf is the UsageScope of what ledgerScope answered: every entry
// ("") or one actor's.
func scopeOf(actorID string) UsageScope {
	if actorID == "" {
		return UsageOrg
	}
	return UsageMember
}

// LedgerEntry returns one entry the caller may see (as Ledger decides).
func (s *Service) LedgerEntry(ctx context.Context, id string) (LedgerEntry, error) {
	if !ValidID(id) {
		return LedgerEntry{}, NotFound("ledger entry")
	}
	e, err := s.store.LedgerEntryByID(ctx, id)
	if err != nil {
		return LedgerEntry{}, asDomainError(err)
	}
	acc, err := s.authorize(ctx, e.OrgID, ActionReadOwnUsage)
	if err != nil {
		return LedgerEntry{}, notFoundFor(err, "ledger entry")
	}
	if !mayReadEntry(acc, e) {
		return LedgerEntry{}, NotFound("ledger entry")
	}
	return e, nil
}

// Grant returns one grant of an org whose balance the caller may read.
func (s *Service) Grant(ctx context.Context, id string) (Grant, error) {
	if !ValidID(id) {
		return Grant{}, NotFound("grant")
	}
	gs, err := s.store.GrantsByIDs(ctx, []string{id})
	if err != nil {
		return Grant{}, asDomainError(err)
	}
	if len(gs) == 0 {
		return Grant{}, NotFound("grant")
	}
	if _, err := s.authorize(ctx, gs[0].OrgID, ActionReadBalance); err != nil {
		return Grant{}, notFoundFor(err, "grant")
	}
	return gs[0], nil
}

// GrantsByIDs loads grants for relationship fields of objects the caller was
// already authorized to see.
func (s *Service) GrantsByIDs(ctx context.Context, ids []string) (map[string]Grant, error) {
	gs, err := s.store.GrantsByIDs(ctx, ids)
	if err != nil {
		return nil, asDomainError(err)
	}
	m := make(map[string]Grant, len(gs))
	for _, g := range gs {
		m[g.ID] = g
	}
	return m, nil
}

// ReadsWholeLedger reports, for each of orgIDs, whether the caller reads
// every ledger entry of that org (ledgerScope: OWNER and BILLING); orgs the
// caller may not read at all are left out. A grant's reason is the reason of
// its GRANT entry (an operator's note, the paying order's number), which the
// ledger hides from everyone else, so the API shows a grant's reason only
// where this holds, on every path that shows grants.
func (s *Service) ReadsWholeLedger(ctx context.Context, orgIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(orgIDs))
	for _, id := range orgIDs {
		acc, err := s.authorize(ctx, id, ActionReadOwnUsage)
		switch ErrorCode(err) {
		case "":
		case CodeNotFound, CodeForbidden, CodeUnauthenticated:
			continue
		default:
			return nil, err
		}
		actorID, ok := ledgerScope(acc)
		out[id] = ok && actorID == ""
	}
	return out, nil
}

// Usage reports this calendar month's consumption: org-wide for OWNER and
// BILLING, the caller's own for other roles.
func (s *Service) Usage(ctx context.Context, orgID string) (Usage, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadOwnUsage)
	if err != nil {
		return Usage{}, err
	}
	now := s.clock.Now()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	// The ledger's rule: a report covers exactly the entries Ledger lists.
	actor, ok := ledgerScope(acc)
	if !ok {
		return Usage{}, Errorf(CodeForbidden, "an API key may not read this org's usage; sign in as a member of this org")
	}
	u := Usage{OrgID: orgID, Scope: scopeOf(actor), PeriodStart: from, PeriodEnd: to}
	u.CreditsConsumed, err = s.store.SumConsumed(ctx, orgID, actor, from, to)
	// No Credits value exceeds MaxCredits. A month's consumption can only
	// pass it by spending repeated near-limit grants; it is then reported
	// as the limit (the ledger still holds every entry exactly).
	u.CreditsConsumed = min(u.CreditsConsumed, MaxCredits)
	return u, asDomainError(err)
}

// BalanceEvent is pushed to balanceUpdated subscribers after a committed
// change: the balance then, and the newest ledger entry when the
// subscriber may see it (mayReadEntry), nil otherwise.
type BalanceEvent struct {
	Balance Balance
	Entry   *LedgerEntry
}

// WatchBalance streams an org's balance after every committed change, on
// whichever instance made it, until ctx ends. It is authorized like Balance,
// and again before each event, so a removed member stops receiving; the
// event's entry is shown as that re-check's access allows (a member whose
// role changed sees entries as the new role does).
func (s *Service) WatchBalance(ctx context.Context, orgID string) (<-chan BalanceEvent, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadBalance); err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	in := s.bus.Subscribe(ctx, orgID)
	// Events of changes committed before the subscription may still be in
	// flight; only versions after this one are news.
	start, err := s.store.GetBalance(ctx, orgID)
	if err != nil {
		return nil, asDomainError(err)
	}
	out := make(chan BalanceEvent, 1)
	go func() {
		defer close(out)
		last := start.Version
		for ev := range in {
			if ev.Kind != EventBalance && ev.Kind != EventResync {
				continue
			}
			acc, err := s.authorize(ctx, orgID, ActionReadBalance)
			if err != nil {
				return
			}
			b, err := s.balanceOf(ctx, orgID)
			if err != nil || b.Version <= last {
				continue
			}
			last = b.Version
			be := BalanceEvent{Balance: b}
			if e, err := s.store.LedgerEntryBySeq(ctx, orgID, b.Version); err == nil && mayReadEntry(acc, e) {
				be.Entry = &e
			}
			select {
			case out <- be:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (s *Service) publish(ctx context.Context, ev Event) {
	if s.bus != nil {
		s.bus.Publish(context.WithoutCancel(ctx), ev)
	}
}

// validateAmount accepts 1..MaxCredits.
func validateAmount(field string, v int64) error {
	switch {
	case v <= 0:
		return InvalidInput(field, "must be a positive number of credits")
	case v > MaxCredits:
		return InvalidInput(field, "must be at most %d", MaxCredits)
	}
	return nil
}

func validateKey(k string) error {
	if strings.TrimSpace(k) == "" {
		return InvalidInput("idempotencyKey", "is required")
	}
	if len(k) > maxIdempotencyKeyLen || !utf8.ValidString(k) {
		return InvalidInput("idempotencyKey", "must be valid text of at most %d bytes", maxIdempotencyKeyLen)
	}
	return nil
}

func validateReason(r string) (string, error) {
	r = strings.TrimSpace(r)
	if len(r) > maxReasonLen || !utf8.ValidString(r) {
		return "", InvalidInput("reason", "must be valid text of at most %d bytes", maxReasonLen)
	}
	return r, nil
}

// canonicalMetadata accepts a JSON object (or nothing) and returns it with
// sorted keys, so equal metadata hashes equally.
func canonicalMetadata(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	if len(raw) > maxMetadataBytes {
		return nil, InvalidInput("metadata", "must be at most %d bytes", maxMetadataBytes)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, InvalidInput("metadata", "must be a JSON object")
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, InvalidInput("metadata", "must be a JSON object")
	}
	return out, nil
}

// requestHash fingerprints a request for idempotency checks.
func requestHash(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%v\x1f", p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// asDomainError keeps *Error values and wraps anything else as INTERNAL.
func asDomainError(err error) error {
	if err == nil {
		return nil
	}
	return Internal(err)
}

// memberOrNotFound keeps FORBIDDEN (a member of the object's org lacking
// the role) and turns every other refusal into NOT_FOUND for the object.
func memberOrNotFound(err error, what string) error {
	if IsCode(err, CodeForbidden) || IsCode(err, CodeUnauthenticated) {
		return err
	}
	return notFoundFor(err, what)
}

// notFoundFor turns an authorization failure on an object's org into
// NOT_FOUND for the object itself, so nothing leaks.
func notFoundFor(err error, what string) error {
	if IsCode(err, CodeNotFound) || IsCode(err, CodeForbidden) {
		return NotFound(what)
	}
	return err
}

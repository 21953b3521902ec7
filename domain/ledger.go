package domain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxCredits is the largest credit amount accepted in one operation: 2^53-1,
// so that every amount survives a round trip through a JSON number.
const MaxCredits int64 = 1<<53 - 1

// CreditResult is what a credit-moving operation returns: the entry it wrote
// and the balance right after it.
type CreditResult struct {
	Entry   LedgerEntry
	Balance Balance
}

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

// creditOp is one balance-changing request: its idempotency key (the zero
// idemKey when it has none), the change it makes (nil: only write off
// expired grants), and who asks (for a request with a key: a repeated key
// answers only an asker mayReplay allows).
type creditOp struct {
	key idemKey
	fn  ledgerChange
	by  Access
}

// opResult is what became of one creditOp. replay is true when the result
// is the stored answer to a repeated idempotency key.
type opResult struct {
	res    CreditResult
	replay bool
	err    error
}

// applyCredits is the one path by which a balance changes: applyOps with a
// single request without an idempotency key.
func (s *Service) applyCredits(ctx context.Context, orgID string, fn ledgerChange) (CreditResult, error) {
	r := s.applyOps(ctx, orgID, []creditOp{{fn: fn}})[0]
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
// request's failure never becomes another's. This is the batched form of
// the idempotency path (see once): the find happens under the balance lock.
func (s *Service) applyOps(ctx context.Context, orgID string, ops []creditOp) []opResult {
	var out []opResult
	err := retryTaken(func() error {
		return s.store.InTx(ctx, func(tx Store) error {
			var err error
			out, err = s.applyOpsTx(ctx, tx, orgID, ops)
			return err
		})
	})
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
	s.announceCredits(ctx, orgID, out)
	return out
}

// announceCredits tells, after commit, what the committed requests of one org
// did: one balance event with the newest version, and the background
// checks of the balance they left.
func (s *Service) announceCredits(ctx context.Context, orgID string, out []opResult) {
	var (
		version int64
		last    Balance
	)
	for _, r := range out {
		if r.err == nil && !r.replay && r.res.Entry.ID != "" && r.res.Balance.Version > version {
			version, last = r.res.Balance.Version, r.res.Balance
		}
	}
	if version > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: orgID, Version: version})
		// After commit, off the spend's path: a balance left below a
		// threshold pokes the background checks (autorecharge_worker.go).
		s.afterSpend(last)
	}
}

// applyOpsTx is applyOps inside a transaction the caller owns; the caller
// publishes the event after commit. The returned error fails the whole
// transaction; a single request's failure is in its opResult.
func (s *Service) applyOpsTx(ctx context.Context, tx LedgerStore, orgID string, ops []creditOp) ([]opResult, error) {
	keys := make([]string, 0, len(ops))
	for _, o := range ops {
		if o.key.key != "" {
			keys = append(keys, o.key.key)
		}
	}
	b, recs, err := tx.LockBalance(ctx, orgID, keys...)
	if err != nil {
		return nil, err
	}
	grants, err := tx.OpenGrants(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ob, err := newOrgBatch(b, grants, recs, s.clock.Now())
	if err != nil {
		return nil, err
	}
	out := make([]opResult, len(ops))
	for i := range ops {
		if err := ob.do(ops, out, i); err != nil {
			return nil, err
		}
	}
	w, ok := ob.write()
	if !ok {
		return out, nil
	}
	err = tx.WriteLedger(ctx, w)
	if len(w.Idempotency) > 0 {
		err = keyTaken(err)
	}
	return out, err
}

// orgBatch applies requests to one org's locked balance, one after the
// other, and collects what they change into one LedgerWrite: the one
// algorithm behind applyOpsTx (one org) and applyGroupTx (many).
type orgBatch struct {
	b      Balance
	open   []Grant // in spending order
	now    time.Time
	stored map[string]IdempotencyRecord // the org's records among the keys asked
	w      changeSet
	fresh  map[string]int // key -> the request of this batch that recorded it
	idem   []IdempotencyRecord
	last   LedgerEntry
}

// newOrgBatch starts a batch on the locked balance b with the org's open
// grants and its idempotency records among the batch's keys: grants that
// have expired are written off first.
func newOrgBatch(b Balance, grants []Grant, recs []IdempotencyRecord, now time.Time) (*orgBatch, error) {
	ob := &orgBatch{b: b, now: now, stored: make(map[string]IdempotencyRecord, len(recs)), fresh: map[string]int{}}
	for _, r := range recs {
		ob.stored[r.Key] = r
	}
	open, expired := openAt(grants, now)
	SortForSpending(open)
	ob.open = open
	if len(expired) > 0 {
		ch := expireGrants(expired)
		if err := apply(&ob.b, ch, now); err != nil {
			return nil, err
		}
		ob.w.add(ch)
		ob.last = ch.entries[len(ch.entries)-1]
	}
	return ob, nil
}

// do applies ops[i] to the balance the batch's earlier requests left and
// puts its outcome in out[i]: the stored first result of a repeated key
// (CONFLICT when the request differs), the change's own failure, or its
// result. ops and out are the whole transaction's; the batch's earlier
// requests are among them. The returned error fails the whole transaction.
func (ob *orgBatch) do(ops []creditOp, out []opResult, i int) error {
	o := ops[i]
	if o.key.key != "" {
		if rec, ok := ob.stored[o.key.key]; ok {
			out[i] = replayCredits(rec, o)
			return nil
		}
		if j, ok := ob.fresh[o.key.key]; ok {
			if ops[j].key != o.key || !mayReplay(o.by, out[j].res.Entry) {
				out[i].err = errKeyReused()
			} else {
				out[i] = opResult{res: out[j].res, replay: true}
			}
			return nil
		}
	}
	var (
		c   change
		err error
	)
	if o.fn != nil {
		if c, err = o.fn(&ob.b, ob.open, ob.now); err != nil {
			out[i].err = err
			return nil
		}
	}
	if err := checkCeiling(ob.b, c); err != nil {
		out[i].err = err
		return nil
	}
	if len(c.entries) == 0 {
		out[i].res = CreditResult{Entry: ob.last, Balance: withGrants(ob.b, ob.open)}
		return nil
	}
	if err := apply(&ob.b, c, ob.now); err != nil {
		return err
	}
	ob.open = mergeGrants(ob.open, c)
	ob.w.add(c)
	ob.last = c.entries[len(c.entries)-1]
	res := CreditResult{Entry: ob.last, Balance: withGrants(ob.b, ob.open)}
	out[i].res = res
	if o.key.key != "" {
		resp, err := marshalCreditResult(res)
		if err != nil {
			return Internal(err)
		}
		k := o.key
		k.orgID = ob.b.OrgID
		ob.idem = append(ob.idem, k.record(resp, ob.now))
		ob.fresh[o.key.key] = i
	}
	return nil
}

// write returns what the batch writes; false when it changed nothing.
func (ob *orgBatch) write() (LedgerWrite, bool) {
	if len(ob.w.entries) == 0 {
		return LedgerWrite{}, false
	}
	b := ob.b
	b.Grants = nil
	return LedgerWrite{
		Balance: b, NewGrants: ob.w.newGrants, Grants: ob.w.touched, Entries: ob.w.entries, Idempotency: ob.idem,
	}, true
}

// replayCredits answers a credit request whose key is already recorded:
// the stored first result, or CONFLICT when the request differs or its
// asker may not see the stored result (mayReplay).
func replayCredits(rec IdempotencyRecord, o creditOp) opResult {
	if err := o.key.match(rec); err != nil {
		return opResult{err: err}
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

// applyCreditsTx is applyCredits inside a transaction the caller owns (the
// caller publishes after commit): the request's result, and its error or
// the transaction's.
func (s *Service) applyCreditsTx(ctx context.Context, tx LedgerStore, orgID string, fn ledgerChange) (CreditResult, error) {
	out, err := s.applyOpsTx(ctx, tx, orgID, []creditOp{{fn: fn}})
	if err != nil {
		return CreditResult{}, err
	}
	return out[0].res, out[0].err
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

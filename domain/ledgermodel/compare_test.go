package ledgermodel_test

import (
	"context"
	"strconv"

	"pgregory.net/rapid"

	"github.com/tallyhq/tally/domain"
)

// compare runs after every step: the balance a reader sees (totals, both
// chips, the open grants in spending order), the stored balance and the
// ledger's sum, every grant's remaining credit, every order's status,
// refunded total and grant, and the webhooks the gateway sent.
func (mc *machine) compare(rt *rapid.T) {
	rt.Helper()
	ctx := context.Background()
	sys, m := mc.sys, mc.m
	// Bind what purchases made: the order's payment and, once paid, its
	// grant (compared with the model's below).
	orders := make(map[*mOrder]domain.Order, len(m.orders))
	for _, o := range m.orders {
		r, err := sys.svc.Order(sys.owner, o.id)
		if err != nil {
			rt.Fatalf("order %s: %v", o.label, err)
		}
		orders[o] = r
		o.paymentID = r.PaymentID
		if o.grant != nil && o.grant.id == "" {
			o.grant.id = r.GrantID
		}
	}
	bal, err := sys.svc.Balance(sys.owner, sys.orgID)
	if err != nil {
		rt.Fatalf("balance: %v", err)
	}
	total, free, paid := m.balance()
	if bal.Total != total || bal.Free != free || bal.Paid != paid {
		mc.fail(rt, "balance total %d free %d paid %d; the model says %d, %d, %d", bal.Total, bal.Free, bal.Paid, total, free, paid)
	}
	open := m.open()
	same := len(open) == len(bal.Grants)
	for i := 0; same && i < len(open); i++ {
		same = open[i].id == bal.Grants[i].ID && open[i].remaining == bal.Grants[i].Remaining
	}
	if !same {
		mc.fail(rt, "open grants in spending order:\n  Tally %s\n  model %s", realGrants(bal.Grants, m), modelGrants(open))
	}
	stored, err := sys.store.GetBalance(ctx, sys.orgID)
	if err != nil {
		rt.Fatalf("stored balance: %v", err)
	}
	sum, err := sys.store.SumLedger(ctx, sys.orgID)
	if err != nil {
		rt.Fatalf("ledger sum: %v", err)
	}
	if stored.Total != m.stored() || sum != stored.Total || stored.Total < 0 || stored.Free < 0 || stored.Paid < 0 {
		mc.fail(rt, "stored balance %+v, ledger sum %d; the model says %d", stored, sum, m.stored())
	}
	ids := make([]string, 0, len(m.grants))
	for _, g := range m.grants {
		ids = append(ids, g.id)
	}
	gs, err := sys.store.GrantsByIDs(ctx, ids)
	if err != nil {
		rt.Fatalf("grants: %v", err)
	}
	byID := map[string]domain.Grant{}
	for _, g := range gs {
		byID[g.ID] = g
	}
	for _, g := range m.grants {
		r, found := byID[g.id]
		if !found || r.Remaining != g.remaining || r.Amount != g.amount || string(r.Kind) != g.kind {
			mc.fail(rt, "grant %s: Tally has %s %d of %d (found %v), the model %s %d of %d", g.label, r.Kind, r.Remaining, r.Amount, found, g.kind, g.remaining, g.amount)
		}
	}
	for _, o := range m.orders {
		r := orders[o]
		wantGrant := ""
		if o.grant != nil {
			wantGrant = o.grant.id
		}
		if string(r.Status) != o.status || r.Refunded != o.refunded || r.GrantID != wantGrant {
			mc.fail(rt, "order %s: Tally has %s refunded %d grant %q, the model %s refunded %d grant %q",
				o.label, r.Status, r.Refunded, r.GrantID, o.status, o.refunded, wantGrant)
		}
	}
	held, err := sys.out.await(len(m.hooks))
	if err != nil {
		mc.fail(rt, "%v", err)
	}
	for i, h := range m.hooks {
		e := held[i].event
		if e.Type != h.typ || e.Data.PaymentID != h.order.paymentID || e.Data.RefundedMinor != h.refunded {
			mc.fail(rt, "webhook %d: the sandbox sent %s about %s refunded %d, the model expects %s about %s refunded %d",
				i+1, e.Type, e.Data.PaymentID, e.Data.RefundedMinor, h.typ, h.order.label, h.refunded)
		}
	}
}

// checkLedger walks the whole ledger once a sequence is done: entries
// numbered 1, 2, 3…, each one's balance after is the running sum, never
// below zero, and the last is the stored balance.
func (mc *machine) checkLedger(rt *rapid.T) {
	sys := mc.sys
	var all []domain.LedgerEntry
	p := domain.Page{First: domain.MaxPageSize}
	for {
		c, err := sys.svc.Ledger(sys.owner, sys.orgID, p)
		if err != nil {
			rt.Fatalf("ledger: %v", err)
		}
		for _, e := range c.Edges {
			all = append([]domain.LedgerEntry{e.Node}, all...)
		}
		if !c.HasNextPage {
			break
		}
		p.After = c.EndCursor()
	}
	var running int64
	for i, e := range all {
		running += e.Amount
		if e.Seq != int64(i+1) || e.BalanceAfter != running || running < 0 {
			mc.fail(rt, "ledger entry %d (%s %+d): seq %d, balance after %d, running sum %d", i+1, e.Kind, e.Amount, e.Seq, e.BalanceAfter, running)
		}
	}
	if running != mc.m.stored() {
		mc.fail(rt, "the ledger sums to %d, the model's balance is %d", running, mc.m.stored())
	}
}

func realGrants(gs []domain.Grant, m *model) string {
	label := map[string]string{}
	for _, g := range m.grants {
		label[g.id] = g.label
	}
	s := ""
	for _, g := range gs {
		s += label[g.ID] + "=" + itoa(g.Remaining) + " "
	}
	return s
}

func modelGrants(gs []*mGrant) string {
	s := ""
	for _, g := range gs {
		s += g.label + "=" + itoa(g.remaining) + " "
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

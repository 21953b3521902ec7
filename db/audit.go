package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// AuditOptions tunes Audit.
type AuditOptions struct {
	// BatchSize is how many orgs each batch of per-org checks covers;
	// 0 means DefaultAuditBatch.
	BatchSize int
	// MaxList caps the discrepancies the report lists (all are counted);
	// 0 means DefaultAuditMaxList, a negative value lists none.
	MaxList int
	// IdempotencyPage is how many idempotency records one query reads
	// (keyset pagination within a batch); 0 means DefaultAuditIdempotencyPage.
	IdempotencyPage int
}

// Defaults of AuditOptions.
const (
	DefaultAuditBatch   = 500
	DefaultAuditMaxList = 1000
)

// DefaultAuditIdempotencyPage is the default of
// AuditOptions.IdempotencyPage, below SQLite's 32766 parameters (the
// lookup of what the records point at takes one each there).
const DefaultAuditIdempotencyPage = 5000

// Audit checks the store against the invariants domain.AuditKinds
// describe and returns what it found. It reads only, in one snapshot: on
// PostgreSQL one REPEATABLE READ, READ ONLY transaction; on SQLite one
// deferred read transaction on a connection switched to query_only, so
// that any write would fail. The per-org checks run in batches of
// BatchSize orgs (keyset pagination on the org id), each one set-based
// query per check; the number series are checked once, over the whole
// store. Audit never migrates. The error is a *domain.Error when the
// audit could not run to the end.
func (d *DB) Audit(ctx context.Context, opts AuditOptions) (domain.AuditReport, error) {
	if d.inTx {
		return domain.AuditReport{}, domain.Internal(errors.New("db: Audit called inside a transaction"))
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultAuditBatch
	}
	if opts.IdempotencyPage <= 0 || opts.IdempotencyPage > DefaultAuditIdempotencyPage {
		opts.IdempotencyPage = DefaultAuditIdempotencyPage
	}
	switch {
	case opts.MaxList == 0:
		opts.MaxList = DefaultAuditMaxList
	case opts.MaxList < 0:
		opts.MaxList = 0
	}
	start := time.Now()
	rep := domain.NewAuditReport(start.UTC())
	err := d.readSnapshot(ctx, func(tx *sql.Tx) error {
		a := &auditor{tx: tx, dialect: d.dialect, opts: opts, rep: &rep}
		return a.run(ctx)
	})
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, mapErr(err, "audit")
	}
	return rep, nil
}

// readSnapshot runs fn in one read-only transaction (see Audit).
func (d *DB) readSnapshot(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	conn, err := d.sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	txOpts := &sql.TxOptions{ReadOnly: true}
	if d.dialect == DialectPostgres {
		txOpts.Isolation = sql.LevelRepeatableRead
	} else {
		if _, err := conn.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
			return err
		}
		defer func() {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = OFF"); rerr != nil {
				// Never hand a query_only connection back to the pool.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, txOpts)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// auditor is one audit's state.
type auditor struct {
	tx      *sql.Tx
	dialect string
	opts    AuditOptions
	rep     *domain.AuditReport
	// grantsSeen counts the grants the per-batch checks met.
	grantsSeen int64
}

func (a *auditor) add(kind domain.AuditKind, orgID, detail string, refs ...string) {
	a.rep.Add(domain.AuditDiscrepancy{Kind: kind, OrgID: orgID, Refs: refs, Detail: detail}, a.opts.MaxList)
}

// query runs q and calls scan for each row.
func (a *auditor) query(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := a.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (a *auditor) run(ctx context.Context) error {
	after := ""
	for {
		var ids []string
		err := a.query(ctx, `SELECT id FROM orgs WHERE id > $1 ORDER BY id LIMIT $2`, []any{after, a.opts.BatchSize},
			func(r *sql.Rows) error {
				var id string
				ids = append(ids, id)
				return r.Scan(&ids[len(ids)-1])
			})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		last := ids[len(ids)-1]
		a.rep.Checked.Orgs += int64(len(ids))
		for _, check := range []func(context.Context, string, string) error{
			a.balances, a.running, a.allocations, a.orders, a.orderItems, a.idempotency,
		} {
			if err := check(ctx, after, last); err != nil {
				return err
			}
		}
		after = last
		if len(ids) < a.opts.BatchSize {
			break
		}
	}
	if err := a.unreferencedGrants(ctx); err != nil {
		return err
	}
	if err := a.numbering(ctx, "invoices", "INV", domain.AuditInvoiceNumbering); err != nil {
		return err
	}
	return a.numbering(ctx, "credit_notes", "CN", domain.AuditCreditNoteNumbering)
}

// balanceSQL compares each org's stored counters with its ledger and its
// open grants (grants_open_idx).
const balanceSQL = `
WITH l AS (
  SELECT org_id, SUM(amount) AS s, COUNT(*) AS n, MAX(seq) AS m
  FROM ledger_entries WHERE org_id > $1 AND org_id <= $2 GROUP BY org_id),
g AS (
  SELECT org_id, SUM(remaining) AS r,
         SUM(CASE WHEN kind IN ('FREE', 'PROMO') THEN remaining ELSE 0 END) AS f
  FROM grants WHERE org_id > $1 AND org_id <= $2 AND remaining > 0 GROUP BY org_id)
SELECT o.id, COALESCE(b.total, 0), COALESCE(b.free, 0), COALESCE(b.paid, 0), COALESCE(b.version, 0),
       COALESCE(l.s, 0), COALESCE(l.n, 0), COALESCE(l.m, 0), COALESCE(g.r, 0), COALESCE(g.f, 0)
FROM orgs o
LEFT JOIN org_balances b ON b.org_id = o.id
LEFT JOIN l ON l.org_id = o.id
LEFT JOIN g ON g.org_id = o.id
WHERE o.id > $1 AND o.id <= $2`

func (a *auditor) balances(ctx context.Context, after, last string) error {
	return a.query(ctx, balanceSQL, []any{after, last}, func(r *sql.Rows) error {
		var (
			org                                      string
			total, free, paid, version               int64
			sum, entries, maxSeq, remain, remainFree int64
		)
		if err := r.Scan(&org, &total, &free, &paid, &version, &sum, &entries, &maxSeq, &remain, &remainFree); err != nil {
			return err
		}
		a.rep.Checked.LedgerEntries += entries
		ref := "org_balances:" + org
		if total < 0 || free < 0 || paid < 0 {
			a.add(domain.AuditNegativeBalance, org, fmt.Sprintf("balance total %d, free %d, paid %d", total, free, paid), ref)
		}
		var why []string
		if sum != total {
			why = append(why, fmt.Sprintf("ledger sums to %d, balance is %d", sum, total))
		}
		if version != maxSeq {
			why = append(why, fmt.Sprintf("balance version %d, last entry seq %d", version, maxSeq))
		}
		if remain != total || remainFree != free || remain-remainFree != paid {
			why = append(why, fmt.Sprintf("grants hold %d (free %d, paid %d), balance is %d (free %d, paid %d)",
				remain, remainFree, remain-remainFree, total, free, paid))
		}
		if len(why) > 0 {
			a.add(domain.AuditLedgerBalance, org, strings.Join(why, "; "), ref)
		}
		return nil
	})
}

// runningSQL finds entries whose seq or balance_after is not what the
// org's ledger up to them says, first ones first.
const runningSQL = `
SELECT org_id, id, seq, balance_after, run, rn FROM (
  SELECT org_id, id, seq, balance_after,
         SUM(amount) OVER (PARTITION BY org_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS run,
         ROW_NUMBER() OVER (PARTITION BY org_id ORDER BY seq) AS rn
  FROM ledger_entries WHERE org_id > $1 AND org_id <= $2) x
WHERE run <> balance_after OR run < 0 OR balance_after < 0 OR seq <> rn
ORDER BY org_id, seq`

// running reports, per org, the first entry where the running balance is
// wrong and the first where it is negative (later ones follow from it).
func (a *auditor) running(ctx context.Context, after, last string) error {
	type first struct{ wrong, negative bool }
	seen := map[string]*first{}
	return a.query(ctx, runningSQL, []any{after, last}, func(r *sql.Rows) error {
		var (
			org, id                 string
			seq, bal, run, position int64
		)
		if err := r.Scan(&org, &id, &seq, &bal, &run, &position); err != nil {
			return err
		}
		f := seen[org]
		if f == nil {
			f = &first{}
			seen[org] = f
		}
		ref := "ledger_entries:" + id
		if (run < 0 || bal < 0) && !f.negative {
			f.negative = true
			a.add(domain.AuditNegativeBalance, org, fmt.Sprintf("entry seq %d: running balance %d, balance_after %d", seq, run, bal), ref)
		}
		if (run != bal || seq != position) && !f.wrong {
			f.wrong = true
			a.add(domain.AuditRunningBalance, org, fmt.Sprintf("entry seq %d (position %d): balance_after %d, running sum %d", seq, position, bal, run), ref)
		}
		return nil
	})
}

// allocsCTE expands the batch's entries into one row per allocation
// (a NULL grant for an entry without any).
func (a *auditor) allocsCTE() string {
	if a.dialect == DialectPostgres {
		return `a AS (
  SELECT e.org_id, e.id AS entry_id, e.kind, e.amount AS entry_amount, x."grantId" AS grant_id, x.amount
  FROM ledger_entries e
  LEFT JOIN LATERAL json_to_recordset(e.allocations) AS x("grantId" text, amount bigint) ON true
  WHERE e.org_id > $1 AND e.org_id <= $2)`
	}
	return `a AS MATERIALIZED (
  SELECT e.org_id, e.id AS entry_id, e.kind, e.amount AS entry_amount,
         json_extract(x.value, '$.grantId') AS grant_id, json_extract(x.value, '$.amount') AS amount
  FROM ledger_entries e
  LEFT JOIN json_each(e.allocations) AS x
  WHERE e.org_id > $1 AND e.org_id <= $2)`
}

// allocationsSQL checks the batch's allocations in one statement (the
// expansion of the entries' allocations is computed once), one row per
// finding, tagged:
//
//	E: an entry whose amount is not the sum of its allocations;
//	A: an allocation naming a grant that does not exist or is another org's;
//	G: a grant not granted once by its amount, or whose remaining is not
//	   its amount less what the other entries drew;
//	O: an open grant (grants_open_idx) no entry names;
//	N: how many grants were compared (one row).
const allocationsSQL = `, s AS (
  SELECT org_id, grant_id,
         SUM(CASE WHEN kind = 'GRANT' THEN amount ELSE 0 END) AS granted,
         SUM(CASE WHEN kind = 'GRANT' THEN 1 ELSE 0 END) AS grant_entries,
         SUM(CASE WHEN kind = 'GRANT' THEN 0 ELSE amount END) AS drawn
  FROM a WHERE grant_id IS NOT NULL GROUP BY org_id, grant_id),
m AS (SELECT g.id, g.org_id, g.amount, g.remaining, s.granted, s.grant_entries, s.drawn
      FROM s JOIN grants g ON g.id = s.grant_id AND g.org_id = s.org_id)
SELECT 'E', org_id, entry_id, '', MIN(entry_amount), COALESCE(SUM(amount), 0), 0, 0, 0 FROM a
  GROUP BY org_id, entry_id HAVING MIN(entry_amount) <> COALESCE(SUM(amount), 0)
UNION ALL
SELECT 'A', a.org_id, a.entry_id, a.grant_id, 0, 0, 0, 0, 0 FROM a LEFT JOIN grants g ON g.id = a.grant_id
  WHERE a.grant_id IS NOT NULL AND g.id IS NULL
UNION ALL
SELECT 'A', a.org_id, a.entry_id, a.grant_id || ' ' || g.org_id, 0, 0, 0, 0, 0 FROM a JOIN grants g ON g.id = a.grant_id
  WHERE g.org_id <> a.org_id
UNION ALL
SELECT 'G', org_id, id, '', amount, remaining, granted, grant_entries, drawn FROM m
  WHERE amount <> granted OR grant_entries <> 1 OR remaining <> amount + drawn
UNION ALL
SELECT 'O', g.org_id, g.id, '', g.remaining, 0, 0, 0, 0 FROM grants g
  WHERE g.org_id > $1 AND g.org_id <= $2 AND g.remaining > 0 AND NOT EXISTS (SELECT 1 FROM s WHERE s.grant_id = g.id)
UNION ALL
SELECT 'N', '', '', '', COUNT(*), 0, 0, 0, 0 FROM m
ORDER BY 2, 1, 3, 4`

func (a *auditor) allocations(ctx context.Context, after, last string) error {
	return a.query(ctx, `WITH `+a.allocsCTE()+allocationsSQL, []any{after, last}, func(r *sql.Rows) error {
		var tag, org, id, other string
		var n [5]int64
		if err := r.Scan(&tag, &org, &id, &other, &n[0], &n[1], &n[2], &n[3], &n[4]); err != nil {
			return err
		}
		switch tag {
		case "N":
			a.grantsSeen += n[0]
		case "E":
			a.add(domain.AuditEntryAllocations, org, fmt.Sprintf("entry amount %d, allocations sum to %d", n[0], n[1]), "ledger_entries:"+id)
		case "A":
			grant, owner, _ := strings.Cut(other, " ")
			detail := "the allocation's grant does not exist"
			if owner != "" {
				detail = "the allocation's grant belongs to org " + owner
			}
			a.add(domain.AuditEntryAllocations, org, detail, "ledger_entries:"+id, "grants:"+grant)
		case "G":
			amount, remaining, granted, entries, drawn := n[0], n[1], n[2], n[3], n[4]
			a.add(domain.AuditGrantRemaining, org, fmt.Sprintf("amount %d, granted %d by %d GRANT entries, drawn %d, remaining %d (want %d)",
				amount, granted, entries, -drawn, remaining, amount+drawn), "grants:"+id)
		case "O":
			a.grantsSeen++
			a.add(domain.AuditGrantRemaining, org, fmt.Sprintf("remaining %d but no ledger entry names the grant", n[0]), "grants:"+id)
		}
		return nil
	})
}

// unreferencedGrants finds grants the batches did not meet: spent to
// zero and named by no entry. The per-batch checks cannot find them
// without an index of grants by org, so they are counted over the whole
// store and only looked for when the count is off.
func (a *auditor) unreferencedGrants(ctx context.Context) error {
	var total int64
	if err := a.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grants`).Scan(&total); err != nil {
		return err
	}
	a.rep.Checked.Grants = total
	if total == a.grantsSeen {
		return nil
	}
	expand := `json_to_recordset(e.allocations) AS x("grantId" text, amount bigint) WHERE x."grantId" = g.id`
	if a.dialect == DialectSQLite {
		expand = `json_each(e.allocations) AS x WHERE json_extract(x.value, '$.grantId') = g.id`
	}
	found := int64(0)
	err := a.query(ctx, `SELECT g.id, g.org_id FROM grants g WHERE g.remaining = 0 AND NOT EXISTS (
  SELECT 1 FROM ledger_entries e, `+expand+` AND e.org_id = g.org_id)
ORDER BY g.org_id, g.id`, nil, func(r *sql.Rows) error {
		var id, org string
		if err := r.Scan(&id, &org); err != nil {
			return err
		}
		found++
		a.add(domain.AuditGrantRemaining, org, "no ledger entry names the grant", "grants:"+id)
		return nil
	})
	if err != nil {
		return err
	}
	if missing := total - a.grantsSeen - found; missing != 0 {
		// Grants of an org that does not exist (the schema's foreign key
		// forbids it) or counted twice: say so rather than miss them.
		a.add(domain.AuditGrantRemaining, "", fmt.Sprintf("%d grants were not met by the per-org checks", missing), "grants")
	}
	return nil
}

// ordersSQL reads each order of the batch with its grant, invoice and
// the sum of the invoice's credit notes.
const ordersSQL = `
SELECT o.id, o.org_id, o.status, o.credits, COALESCE(o.grant_id, ''), o.total, o.refunded, o.review, o.items IS NOT NULL,
       COALESCE(g.id, ''), COALESCE(g.org_id, ''), COALESCE(g.amount, 0),
       COALESCE(i.id, ''), COALESCE(i.org_id, ''), COALESCE(i.total, 0), COALESCE(i.refunded, 0),
       COALESCE((SELECT SUM(cn.total) FROM credit_notes cn WHERE cn.invoice_id = i.id), 0),
       (SELECT COUNT(*) FROM credit_notes cn WHERE cn.invoice_id = i.id),
       COALESCE((SELECT MIN(cn.id) FROM credit_notes cn
                 WHERE cn.invoice_id = i.id AND (cn.org_id <> i.org_id OR cn.order_id <> i.order_id)), '')
FROM orders o
LEFT JOIN grants g ON g.order_id = o.id AND g.order_item IS NULL
LEFT JOIN invoices i ON i.order_id = o.id
WHERE o.org_id > $1 AND o.org_id <= $2
ORDER BY o.org_id, o.id`

func (a *auditor) orders(ctx context.Context, after, last string) error {
	return a.query(ctx, ordersSQL, []any{after, last}, func(r *sql.Rows) error {
		var (
			id, org, status, grantID, review, gID, gOrg, iID, iOrg, badNote string
			credits, total, refunded, gAmount, iTotal, iRefunded, credited  int64
			notes                                                           int64
			items                                                           bool
		)
		if err := r.Scan(&id, &org, &status, &credits, &grantID, &total, &refunded, &review, &items,
			&gID, &gOrg, &gAmount, &iID, &iOrg, &iTotal, &iRefunded, &credited, &notes, &badNote); err != nil {
			return err
		}
		a.rep.Checked.Orders++
		if iID != "" {
			a.rep.Checked.Invoices++
			a.rep.Checked.CreditNotes += notes
		}
		a.checkOrder(auditOrder{id: id, org: org, status: domain.OrderStatus(status), credits: credits, grantID: grantID,
			total: total, refunded: refunded, review: review, gID: gID, gOrg: gOrg, gAmount: gAmount,
			iID: iID, iOrg: iOrg, iTotal: iTotal, iRefunded: iRefunded, credited: credited, badNote: badNote, items: items})
		return nil
	})
}

// auditOrder is one row of ordersSQL.
type auditOrder struct {
	id, org, grantID, review, gID, gOrg, iID, iOrg, badNote string
	status                                                  domain.OrderStatus
	credits, total, refunded, gAmount, iTotal, iRefunded    int64
	credited                                                int64
	// items: the order has items, whose grants orderItems checks.
	items bool
}

// checkOrder applies the order rules (domain.OrderStatus.Fulfilled).
func (a *auditor) checkOrder(o auditOrder) {
	ref := "orders:" + o.id
	paid := o.status.Fulfilled()
	switch {
	case o.items && (o.gID != "" || o.grantID != ""):
		a.add(domain.AuditOrderGrant, o.org, "order with items has a grant of the whole order", ref, "grants:"+o.gID+o.grantID)
	case o.items: // its grants are its items' (orderItems)
	case !paid && o.gID != "":
		a.add(domain.AuditOrderGrant, o.org, fmt.Sprintf("order is %s but has a grant", o.status), ref, "grants:"+o.gID)
	case paid && o.credits > 0 && o.gID == "":
		a.add(domain.AuditOrderGrant, o.org, fmt.Sprintf("order is %s with %d credits but has no grant", o.status, o.credits), ref)
	case paid && o.credits == 0 && o.gID != "":
		a.add(domain.AuditOrderGrant, o.org, "order grants no credits but has a grant", ref, "grants:"+o.gID)
	case o.gID != "" && (o.gOrg != o.org || o.gAmount != o.credits || o.grantID != o.gID):
		a.add(domain.AuditOrderGrant, o.org, fmt.Sprintf("grant of org %s for %d credits, order's grant_id %q, order's credits %d",
			o.gOrg, o.gAmount, o.grantID, o.credits), ref, "grants:"+o.gID)
	case o.gID == "" && o.grantID != "":
		a.add(domain.AuditOrderGrant, o.org, "order's grant_id names no grant of the order", ref, "grants:"+o.grantID)
	}
	switch {
	case paid && o.iID == "":
		a.add(domain.AuditOrderInvoice, o.org, fmt.Sprintf("order is %s but has no invoice", o.status), ref)
	case !paid && o.iID != "":
		a.add(domain.AuditOrderInvoice, o.org, fmt.Sprintf("order is %s but has an invoice", o.status), ref, "invoices:"+o.iID)
	case o.iID != "" && (o.iOrg != o.org || o.iTotal != o.total):
		a.add(domain.AuditOrderInvoice, o.org, fmt.Sprintf("invoice of org %s for %d, order's total %d", o.iOrg, o.iTotal, o.total), ref, "invoices:"+o.iID)
	}
	switch {
	case o.iID != "" && o.refunded != o.iRefunded-o.credited:
		a.add(domain.AuditRefundCreditNote, o.org, fmt.Sprintf("order refunded %d, its credit notes give back %d (and %d refunded before credit notes)",
			o.refunded, -o.credited, o.iRefunded), ref, "invoices:"+o.iID)
	case o.iID != "" && o.badNote != "":
		a.add(domain.AuditRefundCreditNote, o.org, "credit note's org or order is not its invoice's", ref, "invoices:"+o.iID, "credit_notes:"+o.badNote)
	case o.iID == "" && o.refunded > 0 && o.review == "":
		a.add(domain.AuditRefundCreditNote, o.org, fmt.Sprintf("order refunded %d without an invoice to credit", o.refunded), ref)
	}
}

// orderItemsSQL reads each order with items, or with a grant of an item,
// with the grants that name one of its items.
const orderItemsSQL = `
SELECT o.id, o.org_id, o.status, COALESCE(o.items, '[]'),
       COALESCE(g.id, ''), COALESCE(g.org_id, ''), COALESCE(g.amount, 0), COALESCE(g.order_item, '')
FROM orders o
LEFT JOIN grants g ON g.order_id = o.id AND g.order_item IS NOT NULL
WHERE o.org_id > $1 AND o.org_id <= $2 AND (o.items IS NOT NULL OR g.id IS NOT NULL)
ORDER BY o.org_id, o.id`

// itemGrant is one grant of an item, as orderItemsSQL reads it.
type itemGrant struct {
	id, org, item string
	amount        int64
}

// orderItems checks, per item of every order with items, what
// checkOrder checks per order: a fulfilled order's item with credits has
// exactly one grant of its credits (the one its grantId names), an item
// without credits none, an order never paid none; and no grant names an
// item the order does not have.
func (a *auditor) orderItems(ctx context.Context, after, last string) error {
	var (
		cur    string
		org    string
		status domain.OrderStatus
		items  []orderItemJSON
		grants []itemGrant
	)
	flush := func() {
		if cur != "" {
			a.checkOrderItems(cur, org, status, items, grants)
		}
	}
	err := a.query(ctx, orderItemsSQL, []any{after, last}, func(r *sql.Rows) error {
		var (
			id, o, st, raw string
			g              itemGrant
		)
		if err := r.Scan(&id, &o, &st, &raw, &g.id, &g.org, &g.amount, &g.item); err != nil {
			return err
		}
		if id != cur {
			flush()
			cur, org, status, items, grants = id, o, domain.OrderStatus(st), nil, nil
			if err := json.Unmarshal([]byte(raw), &items); err != nil {
				a.add(domain.AuditOrderGrant, o, "order's items cannot be read: "+err.Error(), "orders:"+id)
			}
		}
		if g.id != "" {
			grants = append(grants, g)
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	return nil
}

// checkOrderItems applies the item rules to one order.
func (a *auditor) checkOrderItems(id, org string, status domain.OrderStatus, items []orderItemJSON, grants []itemGrant) {
	ref := "orders:" + id
	paid := status.Fulfilled()
	byItem := map[string][]itemGrant{}
	for _, g := range grants {
		byItem[g.item] = append(byItem[g.item], g)
	}
	known := map[string]bool{}
	for _, it := range items {
		known[it.ID] = true
		gs := byItem[it.ID]
		switch {
		case !paid && len(gs) > 0:
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("order is %s but item %s has a grant", status, it.ID), ref, "grants:"+gs[0].id)
		case paid && it.Credits > 0 && len(gs) == 0:
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("order is %s but item %s with %d credits has no grant", status, it.ID, it.Credits), ref)
		case paid && it.Credits == 0 && len(gs) > 0:
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("item %s grants no credits but has a grant", it.ID), ref, "grants:"+gs[0].id)
		case len(gs) > 1:
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("item %s has %d grants", it.ID, len(gs)), ref, "grants:"+gs[1].id)
		case len(gs) == 1 && (gs[0].org != org || gs[0].amount != it.Credits || gs[0].id != it.GrantID):
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("item %s: grant of org %s for %d credits, item's grantId %q, item's credits %d",
				it.ID, gs[0].org, gs[0].amount, it.GrantID, it.Credits), ref, "grants:"+gs[0].id)
		case len(gs) == 0 && it.GrantID != "":
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("item %s's grantId names no grant of the item", it.ID), ref, "grants:"+it.GrantID)
		}
	}
	for _, g := range grants {
		if !known[g.item] {
			a.add(domain.AuditOrderGrant, org, fmt.Sprintf("grant names item %s, which the order does not have", g.item), ref, "grants:"+g.id)
		}
	}
}

// numbering checks one gap-free series (invoices or credit notes, per
// year, counters named PREFIX-YEAR): numbers 1…n, each once, counter n.
func (a *auditor) numbering(ctx context.Context, table, prefix string, kind domain.AuditKind) error {
	type year struct{ n, distinct, max int64 }
	years := map[int64]*year{}
	var order []int64
	err := a.query(ctx, `SELECT year, COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM `+table+` GROUP BY year ORDER BY year`, nil,
		func(r *sql.Rows) error {
			var y int64
			v := &year{}
			if err := r.Scan(&y, &v.n, &v.distinct, &v.max); err != nil {
				return err
			}
			years[y], order = v, append(order, y)
			return nil
		})
	if err != nil {
		return err
	}
	counters := map[int64]int64{}
	err = a.query(ctx, `SELECT name, value FROM counters WHERE name LIKE $1`, []any{prefix + "-%"}, func(r *sql.Rows) error {
		var name string
		var value int64
		if err := r.Scan(&name, &value); err != nil {
			return err
		}
		var y int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(name, prefix+"-"), "%d", &y); err == nil {
			counters[y] = value
			if years[y] == nil {
				years[y], order = &year{}, append(order, y)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, y := range order {
		v := years[y]
		series := fmt.Sprintf("%s-%d", prefix, y)
		if v.n != v.distinct {
			a.add(kind, "", fmt.Sprintf("%d numbers used more than once", v.n-v.distinct), series)
		}
		if v.distinct != v.max {
			if err := a.gaps(ctx, table, y, series, kind); err != nil {
				return err
			}
		}
		if c, ok := counters[y]; ok && c != v.max || !ok && v.max > 0 {
			a.add(kind, "", fmt.Sprintf("counter is %d, last number issued %d", c, v.max), series, "counters:"+series)
		}
	}
	return nil
}

// gaps reports each run of missing numbers of a year, by the number
// after it.
func (a *auditor) gaps(ctx context.Context, table string, y int64, series string, kind domain.AuditKind) error {
	return a.query(ctx, `SELECT t.id, t.number, t.seq, COALESCE((SELECT MAX(p.seq) FROM `+table+` p WHERE p.year = t.year AND p.seq < t.seq), 0)
FROM `+table+` t WHERE t.year = $1
  AND NOT EXISTS (SELECT 1 FROM `+table+` p WHERE p.year = t.year AND p.seq = t.seq - 1) AND t.seq > 1
ORDER BY t.seq`, []any{y}, func(r *sql.Rows) error {
		var id, number string
		var seq, prev int64
		if err := r.Scan(&id, &number, &seq, &prev); err != nil {
			return err
		}
		missing := fmt.Sprintf("%d", prev+1)
		if seq-1 > prev+1 {
			missing = fmt.Sprintf("%d…%d", prev+1, seq-1)
		}
		a.add(kind, "", fmt.Sprintf("numbers %s missing before %s", missing, number), series, table+":"+id)
		return nil
	})
}

// idemRecord is one idempotency record being checked.
type idemRecord struct {
	org, key, op string
	ref          domain.IdempotencyRef
}

func (a *auditor) idempotency(ctx context.Context, after, last string) error {
	// The first page starts after the previous batch's last org, the
	// next ones after the previous page's last record.
	q := `SELECT org_id, idem_key, operation, response FROM idempotency_keys
WHERE org_id > $1 AND org_id <= $2 ORDER BY org_id, idem_key LIMIT $3`
	args := []any{after, last, a.opts.IdempotencyPage}
	for {
		var page []idemRecord
		err := a.query(ctx, q, args, func(r *sql.Rows) error {
			var rec idemRecord
			var resp []byte
			if err := r.Scan(&rec.org, &rec.key, &rec.op, &resp); err != nil {
				return err
			}
			ref, ok := domain.ParseIdempotencyRef(rec.org, rec.op, resp)
			if !ok {
				a.add(domain.AuditIdempotency, rec.org, fmt.Sprintf("operation %q: unknown, or its response %q does not name what it made", rec.op, clip(resp)),
					idemRefName(rec))
			}
			rec.ref = ref
			page = append(page, rec)
			return nil
		})
		if err != nil {
			return err
		}
		a.rep.Checked.Idempotency += int64(len(page))
		if err := a.resolve(ctx, page); err != nil {
			return err
		}
		if len(page) < a.opts.IdempotencyPage {
			return nil
		}
		q = `SELECT org_id, idem_key, operation, response FROM idempotency_keys
WHERE (org_id > $1 OR (org_id = $1 AND idem_key > $2)) AND org_id <= $3 ORDER BY org_id, idem_key LIMIT $4`
		args = []any{page[len(page)-1].org, page[len(page)-1].key, last, a.opts.IdempotencyPage}
	}
}

func idemRefName(r idemRecord) string { return "idempotency_keys:" + r.org + "/" + r.key }

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// idemTables says, per table a record can point at, how to read a row's
// org (and, for the ledger, kind) by id.
var idemTables = map[string]string{
	"ledger_entries":     `SELECT id, org_id, kind FROM ledger_entries WHERE id IN (%s)`,
	"orders":             `SELECT id, org_id, '' FROM orders WHERE id IN (%s)`,
	"subscriptions":      `SELECT id, org_id, '' FROM subscriptions WHERE id IN (%s)`,
	"auto_recharges":     `SELECT org_id, org_id, '' FROM auto_recharges WHERE org_id IN (%s)`,
	"payment_methods":    `SELECT id, org_id, '' FROM payment_methods WHERE id IN (%s)`,
	"webhook_endpoints":  `SELECT id, org_id, '' FROM webhook_endpoints WHERE id IN (%s)`,
	"webhook_deliveries": `SELECT id, org_id, '' FROM webhook_deliveries WHERE id IN (%s)`,
}

// resolve checks that each record's row exists, in the record's org, of
// the kind its operation writes: one query per table.
func (a *auditor) resolve(ctx context.Context, page []idemRecord) error {
	byTable := map[string][]idemRecord{}
	for _, r := range page {
		if r.ref.Table != "" && r.ref.ID != "" {
			byTable[r.ref.Table] = append(byTable[r.ref.Table], r)
		}
	}
	for table, recs := range byTable {
		q, ok := idemTables[table]
		if !ok {
			return fmt.Errorf("audit: no lookup for table %s", table)
		}
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.ref.ID
		}
		// PostgreSQL takes the ids as one array; SQLite one parameter each.
		in, args := "SELECT unnest($1::text[])", []any{ids}
		if a.dialect == DialectSQLite {
			ph := make([]string, len(ids))
			args = make([]any, len(ids))
			for i, id := range ids {
				ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
			}
			in = strings.Join(ph, ", ")
		}
		type row struct{ org, kind string }
		found := map[string]row{}
		err := a.query(ctx, fmt.Sprintf(q, in), args, func(r *sql.Rows) error {
			var id string
			var v row
			if err := r.Scan(&id, &v.org, &v.kind); err != nil {
				return err
			}
			found[id] = v
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			v, ok := found[r.ref.ID]
			target := table + ":" + r.ref.ID
			switch {
			case !ok && !r.ref.Deletable:
				a.add(domain.AuditIdempotency, r.org, fmt.Sprintf("%s record points at a row that does not exist", r.op), idemRefName(r), target)
			case ok && v.org != r.org:
				a.add(domain.AuditIdempotency, r.org, fmt.Sprintf("%s record points at a row of org %s", r.op, v.org), idemRefName(r), target)
			case ok && r.ref.EntryKind != "" && v.kind != string(r.ref.EntryKind):
				a.add(domain.AuditIdempotency, r.org, fmt.Sprintf("%s record points at a %s entry, want %s", r.op, v.kind, r.ref.EntryKind), idemRefName(r), target)
			}
		}
	}
	return nil
}

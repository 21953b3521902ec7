package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/domain"
)

// grantRow is a row of grants.
type grantRow struct {
	ID        string `gorm:"primaryKey"`
	OrgID     string
	Kind      string
	Amount    int64
	Remaining int64
	ExpiresAt *time.Time
	OrderID   *string
	Reason    string
	CreatedAt time.Time
}

func (grantRow) TableName() string { return "grants" }

// ledgerRow is a row of ledger_entries.
type ledgerRow struct {
	ID           string `gorm:"primaryKey"`
	OrgID        string
	Seq          int64
	Kind         string
	Amount       int64
	BalanceAfter int64
	Allocations  jsonColumn[[]allocationJSON]
	Reason       string
	Metadata     rawJSON
	ActorKind    string
	ActorID      *string
	CreatedAt    time.Time
}

func (ledgerRow) TableName() string { return "ledger_entries" }

// idempotencyRow is a row of idempotency_keys.
type idempotencyRow struct {
	OrgID       string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Operation   string
	RequestHash string
	Response    []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

func toDomainGrant(r grantRow) domain.Grant {
	return domain.Grant{
		ID: r.ID, OrgID: r.OrgID, Kind: domain.GrantKind(r.Kind), Amount: r.Amount, Remaining: r.Remaining,
		ExpiresAt: utcPtr(r.ExpiresAt), OrderID: strVal(r.OrderID), Reason: r.Reason, CreatedAt: r.CreatedAt.UTC(),
	}
}

func fromDomainGrant(g domain.Grant) grantRow {
	return grantRow{
		ID: g.ID, OrgID: g.OrgID, Kind: string(g.Kind), Amount: g.Amount, Remaining: g.Remaining,
		ExpiresAt: utcPtr(g.ExpiresAt), OrderID: strPtr(g.OrderID), Reason: g.Reason, CreatedAt: utc(g.CreatedAt),
	}
}

func toDomainLedgerEntry(r ledgerRow) domain.LedgerEntry {
	var meta json.RawMessage
	if len(r.Metadata) > 0 {
		meta = json.RawMessage(r.Metadata)
	}
	return domain.LedgerEntry{
		ID: r.ID, OrgID: r.OrgID, Seq: r.Seq, Kind: domain.EntryKind(r.Kind), Amount: r.Amount,
		BalanceAfter: r.BalanceAfter, Allocations: toAllocations(r.Allocations.V), Reason: r.Reason,
		Metadata: meta, ActorKind: domain.ActorKind(r.ActorKind), ActorID: strVal(r.ActorID),
		CreatedAt: r.CreatedAt.UTC(),
	}
}

func fromDomainLedgerEntry(e domain.LedgerEntry) ledgerRow {
	return ledgerRow{
		ID: e.ID, OrgID: e.OrgID, Seq: e.Seq, Kind: string(e.Kind), Amount: e.Amount,
		BalanceAfter: e.BalanceAfter, Allocations: jsonColumn[[]allocationJSON]{fromAllocations(e.Allocations)},
		Reason: e.Reason, Metadata: rawJSON(e.Metadata), ActorKind: string(e.ActorKind),
		ActorID: strPtr(e.ActorID), CreatedAt: utc(e.CreatedAt),
	}
}

func toDomainIdempotency(r idempotencyRow) domain.IdempotencyRecord {
	return domain.IdempotencyRecord{
		OrgID: r.OrgID, Key: r.IdemKey, Operation: r.Operation, RequestHash: r.RequestHash,
		Response: r.Response, CreatedAt: r.CreatedAt.UTC(),
	}
}

func fromDomainIdempotency(i domain.IdempotencyRecord) idempotencyRow {
	return idempotencyRow{
		OrgID: i.OrgID, IdemKey: i.Key, Operation: i.Operation, RequestHash: i.RequestHash,
		Response: i.Response, CreatedAt: utc(i.CreatedAt),
	}
}

// The hot path (LockBalance, OpenGrants, WriteLedger) is hand-written SQL
// with positional arguments run on the bare connection or transaction: one
// statement each on PostgreSQL, no gorm reflection. $n placeholders work on
// both databases (the SQLite driver binds $n by ordinal).

const balanceSelect = `SELECT b.total, b.free, b.paid, b.version, b.updated_at, o.status, o.recharge_below, o.low_balance_below, o.low_balance_alerted`

const (
	lockBalancePG = balanceSelect + `
FROM org_balances b
JOIN orgs o ON o.id = b.org_id
WHERE b.org_id = $1
FOR UPDATE OF b`
	getBalanceSQL = balanceSelect + `
FROM org_balances b
JOIN orgs o ON o.id = b.org_id
WHERE b.org_id = $1`
	idemSelect = `SELECT org_id, idem_key, operation, request_hash, response, created_at FROM idempotency_keys`
)

// idemLookup builds the query for the org's idempotency records among keys.
func idemLookup(orgID string, keys []string) (string, []any) {
	a := sqlArgs{}
	var b strings.Builder
	b.WriteString(idemSelect + ` WHERE org_id = ` + a.add(orgID) + ` AND idem_key IN (`)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.add(k))
	}
	b.WriteString(")")
	return b.String(), a
}

// collectIdempotency reads every row of an idemLookup query; the caller
// closes rows.
func collectIdempotency[R interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}](rows R) ([]domain.IdempotencyRecord, error) {
	var out []domain.IdempotencyRecord
	for rows.Next() {
		var r idempotencyRow
		if err := rows.Scan(&r.OrgID, &r.IdemKey, &r.Operation, &r.RequestHash, &r.Response, &r.CreatedAt); err != nil {
			return nil, mapErr(err, "idempotency key")
		}
		out = append(out, toDomainIdempotency(r))
	}
	return out, mapErr(rows.Err(), "idempotency key")
}

// LockBalance returns the org's balance counters with its status and the
// org's idempotency records among keys ("" ignored). On PostgreSQL it locks
// the balance row (FOR UPDATE) until the transaction ends, and the record
// lookup runs after the lock is granted, so it sees every record committed
// by a transaction it waited for; inside InTx the lock, the lookup and the
// org's open grants query go in one flight with BEGIN (see pgTx). On SQLite
// the immediate transaction already holds the write lock. NOT_FOUND for an
// unknown org.
func (d *DB) LockBalance(ctx context.Context, orgID string, keys ...string) (domain.Balance, []domain.IdempotencyRecord, error) {
	var (
		b      = domain.Balance{OrgID: orgID}
		status sql.NullString
		dest   = []any{&b.Total, &b.Free, &b.Paid, &b.Version, &b.UpdatedAt, &status, &b.RechargeBelow, &b.LowBalanceBelow, &b.LowBalanceAlerted}
		recs   []domain.IdempotencyRecord
		err    error
	)
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "" })
	switch {
	case d.pg != nil:
		recs, err = d.pg.lockBalancePG(ctx, orgID, keys, func(row pgx.Row) error {
			return mapErr(row.Scan(dest...), "org")
		})
	default:
		q := getBalanceSQL
		if d.dialect == DialectPostgres {
			q = lockBalancePG
		}
		err = mapErr(queryRow(ctx, d.conn, dest, q, orgID), "org")
		if err == nil && len(keys) > 0 {
			recs, err = d.findIdempotency(ctx, orgID, keys)
		}
	}
	if err != nil {
		return domain.Balance{}, nil, err
	}
	b.UpdatedAt = b.UpdatedAt.UTC()
	b.OrgStatus = domain.OrgStatus(status.String)
	return b, recs, nil
}

func (d *DB) findIdempotency(ctx context.Context, orgID string, keys []string) ([]domain.IdempotencyRecord, error) {
	q, args := idemLookup(orgID, keys)
	rows, err := d.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "idempotency key")
	}
	defer rows.Close()
	return collectIdempotency(rows)
}

// GetBalance returns the org's balance counters with its status, without
// locking. NOT_FOUND for an unknown org.
func (d *DB) GetBalance(ctx context.Context, orgID string) (domain.Balance, error) {
	b := domain.Balance{OrgID: orgID}
	var status string
	err := queryRow(ctx, d.conn, []any{&b.Total, &b.Free, &b.Paid, &b.Version, &b.UpdatedAt, &status, &b.RechargeBelow, &b.LowBalanceBelow, &b.LowBalanceAlerted}, getBalanceSQL, orgID)
	if err != nil {
		return domain.Balance{}, mapErr(err, "org")
	}
	b.UpdatedAt = b.UpdatedAt.UTC()
	b.OrgStatus = domain.OrgStatus(status)
	return b, nil
}

// balancesSQL reads the balance counters and open grants of several orgs
// in one statement (the IN list follows).
const balancesSQL = `SELECT b.org_id, b.total, b.free, b.paid, b.version, b.updated_at,
 COALESCE(g.id, ''), COALESCE(g.org_id, ''), COALESCE(g.kind, ''), COALESCE(g.amount, 0), COALESCE(g.remaining, 0),
 g.expires_at, g.order_id, COALESCE(g.reason, ''), g.created_at
FROM org_balances b
LEFT JOIN grants g ON g.org_id = b.org_id AND g.remaining > 0
WHERE b.org_id IN (`

// Balances reads the balance counters and the open grants of every org
// among orgIDs in one statement (one snapshot): the balance feeds' read
// of many orgs at once. Orgs without a balance row are left out.
func (d *DB) Balances(ctx context.Context, orgIDs []string) (map[string]domain.Balance, error) {
	out := make(map[string]domain.Balance, len(orgIDs))
	if len(orgIDs) == 0 {
		return out, nil
	}
	a := sqlArgs{}
	var q strings.Builder
	q.WriteString(balancesSQL)
	for i, id := range orgIDs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(a.add(id))
	}
	q.WriteString(")")
	rows, err := d.conn.QueryContext(ctx, q.String(), a...)
	if err != nil {
		return nil, mapErr(err, "balance")
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var (
			b   domain.Balance
			g   grantRow
			gAt *time.Time
		)
		if err := rows.Scan(&b.OrgID, &b.Total, &b.Free, &b.Paid, &b.Version, &b.UpdatedAt,
			&g.ID, &g.OrgID, &g.Kind, &g.Amount, &g.Remaining, &g.ExpiresAt, &g.OrderID, &g.Reason, &gAt); err != nil {
			return nil, mapErr(err, "balance")
		}
		if prev, ok := out[b.OrgID]; ok {
			b = prev
		} else {
			b.UpdatedAt = b.UpdatedAt.UTC()
		}
		if g.ID != "" && gAt != nil {
			g.CreatedAt = *gAt
			b.Grants = append(b.Grants, toDomainGrant(g))
		}
		out[b.OrgID] = b
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "balance")
	}
	return out, nil
}

const (
	grantColumns  = `id, org_id, kind, amount, remaining, expires_at, order_id, reason, created_at`
	openGrantsSQL = `SELECT ` + grantColumns + ` FROM grants WHERE org_id = $1 AND remaining > 0`
)

// OpenGrants lists the org's grants with Remaining > 0 (served by the
// partial index grants_open_idx). Right after LockBalance in a PostgreSQL
// transaction it returns the grants read in LockBalance's flight.
func (d *DB) OpenGrants(ctx context.Context, orgID string) ([]domain.Grant, error) {
	if d.pg != nil {
		if gs, ok := d.pg.takeGrants(orgID); ok {
			return gs, nil
		}
	}
	rows, err := d.conn.QueryContext(ctx, openGrantsSQL, orgID)
	if err != nil {
		return nil, mapErr(err, "grant")
	}
	defer func() { _ = rows.Close() }()
	return collectGrants(rows)
}

// GrantsByIDs returns the grants that exist among ids.
func (d *DB) GrantsByIDs(ctx context.Context, ids []string) ([]domain.Grant, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []grantRow
	if err := d.db(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err, "grant")
	}
	out := make([]domain.Grant, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainGrant(r))
	}
	return out, nil
}

// sqlArgs collects positional arguments and hands out their $n placeholders.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// WriteLedger persists one balance change made under LockBalance: new
// grants, the Remaining of touched grants, the ledger entries, the balance
// counters and the idempotency record. On PostgreSQL this is one statement
// (data-modifying CTEs); on SQLite one statement per table inside the
// transaction. CONFLICT when an entry's (org, seq) or the idempotency key
// exists; NOT_FOUND when the org's balance row does not. Inside a
// PostgreSQL transaction the statement is sent with COMMIT (or ahead of the
// transaction's next statement), and its errors come from there.
func (d *DB) WriteLedger(ctx context.Context, w domain.LedgerWrite) error {
	if d.dialect == DialectPostgres {
		q, args := writeLedgerPG(w)
		if d.pg != nil {
			return d.pg.deferWrite(ctx, q, args)
		}
		res, err := d.conn.ExecContext(ctx, q, args...)
		if err != nil {
			return mapErr(err, "ledger entry")
		}
		n, err := res.RowsAffected()
		return affectedOne(err, n, "org balance")
	}
	return d.inTxSelf(ctx, func(tx *DB) error {
		for _, st := range writeLedgerSQLite(w) {
			res, err := tx.conn.ExecContext(ctx, d.positional(st.sql), st.args...)
			if err != nil {
				return mapErr(err, st.what)
			}
			if st.what == "org balance" {
				n, err := res.RowsAffected()
				if err := affectedOne(err, n, st.what); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// The column lists and one row's placeholders of each table WriteLedger
// inserts into.
const (
	insertGrants  = `INSERT INTO grants (` + grantColumns + `) VALUES `
	insertEntries = `INSERT INTO ledger_entries (id, org_id, seq, kind, amount, balance_after, allocations, reason, metadata, actor_kind, actor_id, created_at) VALUES `
	insertIdem    = `INSERT INTO idempotency_keys (org_id, idem_key, operation, request_hash, response, created_at) VALUES `
)

func grantValues(b *strings.Builder, a *sqlArgs, gs []domain.Grant) {
	for i, g := range gs {
		r := fromDomainGrant(g)
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join([]string{
			a.add(r.ID), a.add(r.OrgID), a.add(r.Kind), a.add(r.Amount), a.add(r.Remaining),
			a.add(nullable(r.ExpiresAt)), a.add(nullable(r.OrderID)), a.add(r.Reason), a.add(r.CreatedAt),
		}, ", ") + ")")
	}
}

func entryValues(b *strings.Builder, a *sqlArgs, es []domain.LedgerEntry) {
	for i, e := range es {
		r := fromDomainLedgerEntry(e)
		allocs, _ := r.Allocations.Value() // a slice of plain structs always marshals
		meta, _ := r.Metadata.Value()
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join([]string{
			a.add(r.ID), a.add(r.OrgID), a.add(r.Seq), a.add(r.Kind), a.add(r.Amount), a.add(r.BalanceAfter),
			a.add(allocs), a.add(r.Reason), a.add(meta), a.add(r.ActorKind), a.add(nullable(r.ActorID)), a.add(r.CreatedAt),
		}, ", ") + ")")
	}
}

func idemValues(b *strings.Builder, a *sqlArgs, recs []domain.IdempotencyRecord) {
	for i, rec := range recs {
		r := fromDomainIdempotency(rec)
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join([]string{
			a.add(r.OrgID), a.add(r.IdemKey), a.add(r.Operation), a.add(r.RequestHash), a.add(r.Response), a.add(r.CreatedAt),
		}, ", ") + ")")
	}
}

func balanceUpdate(b *strings.Builder, a *sqlArgs, bal domain.Balance) {
	b.WriteString(`UPDATE org_balances SET total = ` + a.add(bal.Total) + `, free = ` + a.add(bal.Free) +
		`, paid = ` + a.add(bal.Paid) + `, version = ` + a.add(bal.Version) +
		`, updated_at = ` + a.add(utc(bal.UpdatedAt)) + ` WHERE org_id = ` + a.add(bal.OrgID))
}

// writeLedgerPG builds WriteLedger's single PostgreSQL statement.
func writeLedgerPG(w domain.LedgerWrite) (string, []any) {
	var (
		b    strings.Builder
		a    sqlArgs
		ctes []string
	)
	cte := func(name string, body func(*strings.Builder)) {
		var s strings.Builder
		s.WriteString(name + " AS (")
		body(&s)
		s.WriteString(")")
		ctes = append(ctes, s.String())
	}
	if len(w.NewGrants) > 0 {
		cte("ng", func(s *strings.Builder) {
			s.WriteString(insertGrants)
			grantValues(s, &a, w.NewGrants)
		})
	}
	if len(w.Grants) > 0 {
		cte("ug", func(s *strings.Builder) {
			s.WriteString(`UPDATE grants AS g SET remaining = v.remaining FROM (VALUES `)
			for i, g := range w.Grants {
				if i > 0 {
					s.WriteString(", ")
				}
				s.WriteString("(" + a.add(g.ID) + "::text, " + a.add(g.Remaining) + "::bigint)")
			}
			s.WriteString(`) AS v (id, remaining) WHERE g.id = v.id AND g.org_id = ` + a.add(w.Balance.OrgID))
		})
	}
	if len(w.Entries) > 0 {
		cte("le", func(s *strings.Builder) {
			s.WriteString(insertEntries)
			entryValues(s, &a, w.Entries)
		})
	}
	if len(w.Idempotency) > 0 {
		cte("ik", func(s *strings.Builder) {
			s.WriteString(insertIdem)
			idemValues(s, &a, w.Idempotency)
		})
	}
	if len(ctes) > 0 {
		b.WriteString("WITH " + strings.Join(ctes, ",\n") + "\n")
	}
	balanceUpdate(&b, &a, w.Balance)
	return b.String(), a
}

// sqliteStmt is one statement of WriteLedger on SQLite.
type sqliteStmt struct {
	sql  string
	args []any
	what string // for error messages
}

// writeLedgerSQLite builds WriteLedger's statements for SQLite, in order.
func writeLedgerSQLite(w domain.LedgerWrite) []sqliteStmt {
	var out []sqliteStmt
	stmt := func(what string, body func(*strings.Builder, *sqlArgs)) {
		var (
			b strings.Builder
			a sqlArgs
		)
		body(&b, &a)
		out = append(out, sqliteStmt{sql: b.String(), args: a, what: what})
	}
	if len(w.NewGrants) > 0 {
		stmt("grant", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(insertGrants)
			grantValues(b, a, w.NewGrants)
		})
	}
	if len(w.Grants) > 0 {
		stmt("grant", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(`UPDATE grants SET remaining = CASE id`)
			ids := make([]string, 0, len(w.Grants))
			for _, g := range w.Grants {
				b.WriteString(" WHEN " + a.add(g.ID) + " THEN " + a.add(g.Remaining))
			}
			for _, g := range w.Grants {
				ids = append(ids, a.add(g.ID))
			}
			b.WriteString(" END WHERE org_id = " + a.add(w.Balance.OrgID) + " AND id IN (" + strings.Join(ids, ", ") + ")")
		})
	}
	if len(w.Entries) > 0 {
		stmt("ledger entry", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(insertEntries)
			entryValues(b, a, w.Entries)
		})
	}
	stmt("org balance", func(b *strings.Builder, a *sqlArgs) { balanceUpdate(b, a, w.Balance) })
	if len(w.Idempotency) > 0 {
		stmt("idempotency key", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(insertIdem)
			idemValues(b, a, w.Idempotency)
		})
	}
	return out
}

// LedgerEntryByID returns an entry or NOT_FOUND.
func (d *DB) LedgerEntryByID(ctx context.Context, id string) (domain.LedgerEntry, error) {
	var r ledgerRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.LedgerEntry{}, mapErr(err, "ledger entry")
	}
	return toDomainLedgerEntry(r), nil
}

// LedgerEntryBySeq returns the org's entry at seq or NOT_FOUND.
func (d *DB) LedgerEntryBySeq(ctx context.Context, orgID string, seq int64) (domain.LedgerEntry, error) {
	var r ledgerRow
	if err := d.db(ctx).Where("org_id = ? AND seq = ?", orgID, seq).Take(&r).Error; err != nil {
		return domain.LedgerEntry{}, mapErr(err, "ledger entry")
	}
	return toDomainLedgerEntry(r), nil
}

// ListLedger pages an org's entries, newest (highest seq) first.
func (d *DB) ListLedger(ctx context.Context, orgID string, f domain.LedgerFilter, p domain.Page) (domain.Connection[domain.LedgerEntry], error) {
	var conn domain.Connection[domain.LedgerEntry]
	n, err := pageSize(p)
	if err != nil {
		return conn, err
	}
	q := d.db(ctx).Where("org_id = ?", orgID)
	if p.After != "" {
		seq, err := parseLedgerCursor(p.After)
		if err != nil {
			return conn, err
		}
		q = q.Where("seq < ?", seq)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	var rows []ledgerRow
	if err := q.Order("seq DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return conn, mapErr(err, "ledger entry")
	}
	if len(rows) > n {
		rows, conn.HasNextPage = rows[:n], true
	}
	conn.Edges = make([]domain.Edge[domain.LedgerEntry], 0, len(rows))
	for _, r := range rows {
		conn.Edges = append(conn.Edges, domain.Edge[domain.LedgerEntry]{Cursor: ledgerCursor(r.Seq), Node: toDomainLedgerEntry(r)})
	}
	return conn, nil
}

// SumLedger returns the sum of an org's entry amounts.
func (d *DB) SumLedger(ctx context.Context, orgID string) (int64, error) {
	var sum int64
	err := queryRow(ctx, d.conn, []any{&sum},
		`SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE org_id = $1`, orgID)
	return sum, mapErr(err, "ledger")
}

// SumConsumed returns the credits consumed by the org's CONSUME entries
// created in [from, to), only actorID's when it is not "".
func (d *DB) SumConsumed(ctx context.Context, orgID, actorID string, from, to time.Time) (int64, error) {
	q := `SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM ledger_entries
WHERE org_id = $1 AND kind = 'CONSUME' AND created_at >= $2 AND created_at < $3`
	args := []any{orgID, utc(from), utc(to)}
	if actorID != "" {
		q += ` AND actor_id = $4`
		args = append(args, actorID)
	}
	var sum int64
	err := queryRow(ctx, d.conn, []any{&sum}, q, args...)
	return sum, mapErr(err, "ledger")
}

// OrgsWithExpiredGrants lists up to limit orgs that have a grant with
// remaining credit expired at now (served by grants_expiry_idx).
func (d *DB) OrgsWithExpiredGrants(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := d.conn.QueryContext(ctx,
		`SELECT DISTINCT org_id FROM grants WHERE remaining > 0 AND expires_at <= $1 LIMIT $2`, utc(now), limit)
	if err != nil {
		return nil, mapErr(err, "grant")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(err, "grant")
		}
		out = append(out, id)
	}
	return out, mapErr(rows.Err(), "grant")
}

// FindIdempotency returns the record for (orgID, key) if one exists.
func (d *DB) FindIdempotency(ctx context.Context, orgID, key string) (domain.IdempotencyRecord, bool, error) {
	recs, err := d.findIdempotency(ctx, orgID, []string{key})
	if err != nil || len(recs) == 0 {
		return domain.IdempotencyRecord{}, false, err
	}
	return recs[0], true, nil
}

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

// The group commit path: LockBalances and WriteLedgers serve the spends of
// many orgs in one transaction. On PostgreSQL every statement has one fixed
// text whatever the number of orgs, keys and entries (the rows travel as
// arrays and unnest), so the driver prepares each once per connection; on
// SQLite the rows are inlined as placeholders.

const groupBalanceSelect = `SELECT b.org_id, b.total, b.free, b.paid, b.version, b.updated_at, o.status, o.recharge_below, o.low_balance_below, o.low_balance_alerted
FROM org_balances b
JOIN orgs o ON o.id = b.org_id`

const (
	// lockBalancesPG locks in org id order: the lock node sits above the
	// sort (or the ordered index scan), so rows are locked one by one in
	// that order. The org condition is repeated on both tables, and the
	// write's joins on the arrays repeat their keys as = ANY, so that the
	// planner looks the rows up by primary key instead of scanning.
	lockBalancesPG     = groupBalanceSelect + ` WHERE b.org_id = ANY($1::text[]) AND o.id = ANY($1::text[]) ORDER BY b.org_id FOR UPDATE OF b`
	openGrantsManyPG   = `SELECT ` + grantColumns + ` FROM grants WHERE org_id = ANY($1::text[]) AND remaining > 0`
	idemLookupManyPG   = idemSelect + ` WHERE (org_id, idem_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`
	writeLedgersPGStmt = `WITH ng AS (
  INSERT INTO grants (` + grantColumns + `)
  SELECT v.id, v.org_id, v.kind, v.amount, v.remaining, v.expires_at, NULLIF(v.order_id, ''), v.reason, v.created_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::text[], $8::text[], $9::timestamptz[])
    AS v (id, org_id, kind, amount, remaining, expires_at, order_id, reason, created_at)
), ug AS (
  UPDATE grants AS g SET remaining = v.remaining
  FROM unnest($10::text[], $11::text[], $12::bigint[]) AS v (id, org_id, remaining)
  WHERE g.id = v.id AND g.org_id = v.org_id AND g.id = ANY($10::text[])
), le AS (
  INSERT INTO ledger_entries (id, org_id, seq, kind, amount, balance_after, allocations, reason, metadata, actor_kind, actor_id, created_at)
  SELECT v.id, v.org_id, v.seq, v.kind, v.amount, v.balance_after, v.allocations::json, v.reason, NULLIF(v.metadata, '')::json, v.actor_kind, NULLIF(v.actor_id, ''), v.created_at
  FROM unnest($13::text[], $14::text[], $15::bigint[], $16::text[], $17::bigint[], $18::bigint[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::timestamptz[])
    AS v (id, org_id, seq, kind, amount, balance_after, allocations, reason, metadata, actor_kind, actor_id, created_at)
), ik AS (
  INSERT INTO idempotency_keys (org_id, idem_key, operation, request_hash, response, created_at)
  SELECT * FROM unnest($25::text[], $26::text[], $27::text[], $28::text[], $29::bytea[], $30::timestamptz[])
), ub AS (
  UPDATE org_balances AS b SET total = v.total, free = v.free, paid = v.paid, version = v.version, updated_at = v.updated_at
  FROM unnest($31::text[], $32::bigint[], $33::bigint[], $34::bigint[], $35::bigint[], $36::timestamptz[]) AS v (org_id, total, free, paid, version, updated_at)
  WHERE b.org_id = v.org_id AND b.org_id = ANY($31::text[])
  RETURNING b.org_id
)
SELECT 1 / (count(*) = cardinality($31::text[]))::int FROM ub`

	// idemLookupPairsSQLite starts LockBalances' key lookup on SQLite; the
	// VALUES list of (org, key) pairs and the join follow.
	idemLookupPairsSQLite = `SELECT i.org_id, i.idem_key, i.operation, i.request_hash, i.response, i.created_at FROM `
)

// LockBalances locks the balances of orgIDs in ascending org id order and
// returns those that exist, their open grants and the idempotency records
// among keys. Inside a PostgreSQL transaction the three statements go in
// one flight (with BEGIN when the transaction has not begun); the grants
// and records are read by statements of their own, so with a snapshot taken
// after the locks were granted. On SQLite the immediate transaction already
// holds the write lock.
func (d *DB) LockBalances(ctx context.Context, orgIDs []string, keys []domain.IdemRef) (domain.LockedGroup, error) {
	var g domain.LockedGroup
	orgIDs = slices.Compact(slices.Sorted(slices.Values(orgIDs)))
	keys = slices.DeleteFunc(slices.Clone(keys), func(k domain.IdemRef) bool { return k.Key == "" })
	if len(orgIDs) == 0 {
		return g, nil
	}
	if d.dialect == DialectPostgres {
		korgs, kkeys := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			korgs[i], kkeys[i] = k.OrgID, k.Key
		}
		if d.pg != nil {
			return g, d.pg.pipeline(ctx, func(b *pgx.Batch) {
				b.Queue(lockBalancesPG, orgIDs)
				if len(keys) > 0 {
					b.Queue(idemLookupManyPG, korgs, kkeys)
				}
				b.Queue(openGrantsManyPG, orgIDs)
			}, func(br pgx.BatchResults) error {
				rows, err := br.Query()
				if err != nil {
					return mapErr(err, "org")
				}
				g.Balances, err = collectBalances(rows)
				rows.Close()
				if err != nil {
					return err
				}
				if len(keys) > 0 {
					rows, err := br.Query()
					if err != nil {
						return mapErr(err, "idempotency key")
					}
					g.Idempotency, err = collectIdempotency(rows)
					rows.Close()
					if err != nil {
						return err
					}
				}
				rows, err = br.Query()
				if err != nil {
					return mapErr(err, "grant")
				}
				defer rows.Close()
				g.Grants, err = collectGrants(rows)
				return err
			})
		}
		return d.lockBalancesSQL(ctx, g, lockBalancesPG, []any{orgIDs},
			idemLookupManyPG, []any{korgs, kkeys}, len(keys) > 0, openGrantsManyPG, []any{orgIDs})
	}
	// SQLite: lists of placeholders. The keys are looked up as pairs: the
	// VALUES list is the outer loop (CROSS JOIN keeps that order) and each
	// pair is one search of the primary key, so the lookup costs one probe
	// per key whatever the number of orgs (IN lists on both columns would
	// probe every key in every org).
	var (
		a   sqlArgs
		in  = make([]string, len(orgIDs))
		ka  sqlArgs
		kin = make([]string, 0, len(keys))
	)
	for i, id := range orgIDs {
		in[i] = a.add(id)
	}
	asked := make(map[domain.IdemRef]bool, len(keys))
	for _, k := range keys {
		if !asked[k] {
			asked[k] = true
			kin = append(kin, "("+ka.add(k.OrgID)+", "+ka.add(k.Key)+")")
		}
	}
	list := strings.Join(in, ", ")
	return d.lockBalancesSQL(ctx, g,
		groupBalanceSelect+` WHERE b.org_id IN (`+list+`) ORDER BY b.org_id`, a,
		idemLookupPairsSQLite+`(VALUES `+strings.Join(kin, ", ")+`) AS v CROSS JOIN idempotency_keys AS i ON i.org_id = v.column1 AND i.idem_key = v.column2`, ka, len(keys) > 0,
		`SELECT `+grantColumns+` FROM grants WHERE org_id IN (`+list+`) AND remaining > 0`, a)
}

// lockBalancesSQL is LockBalances statement by statement through
// database/sql: the balances, the idempotency records (when withKeys), the
// open grants.
func (d *DB) lockBalancesSQL(ctx context.Context, g domain.LockedGroup, lockQ string, lockArgs []any,
	idemQ string, idemArgs []any, withKeys bool, grantsQ string, grantsArgs []any,
) (domain.LockedGroup, error) {
	rows, err := d.conn.QueryContext(ctx, d.positional(lockQ), lockArgs...)
	if err != nil {
		return g, mapErr(err, "org")
	}
	g.Balances, err = collectBalances(rows)
	_ = rows.Close()
	if err != nil {
		return g, err
	}
	if withKeys {
		rows, err := d.conn.QueryContext(ctx, d.positional(idemQ), idemArgs...)
		if err != nil {
			return g, mapErr(err, "idempotency key")
		}
		g.Idempotency, err = collectIdempotency(rows)
		_ = rows.Close()
		if err != nil {
			return g, err
		}
	}
	rows, err = d.conn.QueryContext(ctx, d.positional(grantsQ), grantsArgs...)
	if err != nil {
		return g, mapErr(err, "grant")
	}
	defer func() { _ = rows.Close() }()
	g.Grants, err = collectGrants(rows)
	return g, err
}

// collectBalances reads every row of a groupBalanceSelect query; the caller
// closes rows.
func collectBalances[R interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}](rows R) ([]domain.Balance, error) {
	var out []domain.Balance
	for rows.Next() {
		var (
			b      domain.Balance
			status sql.NullString
		)
		if err := rows.Scan(&b.OrgID, &b.Total, &b.Free, &b.Paid, &b.Version, &b.UpdatedAt, &status,
			&b.RechargeBelow, &b.LowBalanceBelow, &b.LowBalanceAlerted); err != nil {
			return nil, mapErr(err, "org")
		}
		b.UpdatedAt = b.UpdatedAt.UTC()
		b.OrgStatus = domain.OrgStatus(status.String)
		out = append(out, b)
	}
	return out, mapErr(rows.Err(), "org")
}

// WriteLedgers persists the changes of several orgs made under
// LockBalances as one unit: on PostgreSQL one statement of fixed text
// (data-modifying CTEs over arrays), sent with COMMIT inside a transaction;
// on SQLite one statement per table. A write naming an org without a
// balance row fails as a whole (NOT_FOUND on SQLite, INTERNAL on
// PostgreSQL, where the check is the statement's own).
func (d *DB) WriteLedgers(ctx context.Context, ws []domain.LedgerWrite) error {
	if len(ws) == 0 {
		return nil
	}
	want := int64(len(ws))
	if d.dialect == DialectPostgres {
		// The statement answers one row; it fails (division by zero)
		// unless it updated every balance, so that a COMMIT sent with it
		// rolls back rather than keep part of the write.
		args := writeLedgersPG(ws)
		if d.pg != nil {
			return d.pg.deferWriteN(ctx, writeLedgersPGStmt, args, 1)
		}
		res, err := d.conn.ExecContext(ctx, writeLedgersPGStmt, args...)
		if err != nil {
			return mapErr(err, "ledger entry")
		}
		n, err := res.RowsAffected()
		return affectedAll(err, n, 1, "org balance")
	}
	return d.inTxSelf(ctx, func(tx *DB) error {
		for _, st := range writeLedgersSQLite(ws) {
			res, err := tx.conn.ExecContext(ctx, d.positional(st.sql), st.args...)
			if err != nil {
				return mapErr(err, st.what)
			}
			if st.what == "org balance" {
				n, err := res.RowsAffected()
				if err := affectedAll(err, n, want, st.what); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// affectedAll is affectedOne for a statement that must change want rows.
func affectedAll(err error, n, want int64, what string) error {
	if err != nil {
		return mapErr(err, what)
	}
	if n != want {
		return domain.NotFound(what)
	}
	return nil
}

// writeLedgersPG builds the arguments of writeLedgersPGStmt: one array per
// column, a row per grant, entry, key and balance of all the writes. The
// arrays are sized up front and the optional text columns travel as empty
// strings (NULLIF makes them NULL), so that a batch of 64 spends costs a few dozen
// allocations rather than a few per row and column.
func writeLedgersPG(ws []domain.LedgerWrite) []any {
	var nNew, nUpd, nEnt, nIdem int
	for _, w := range ws {
		nNew, nUpd, nEnt, nIdem = nNew+len(w.NewGrants), nUpd+len(w.Grants), nEnt+len(w.Entries), nIdem+len(w.Idempotency)
	}
	var (
		ngID, ngOrg, ngKind, ngOrder, ngReason = make([]string, 0, nNew), make([]string, 0, nNew), make([]string, 0, nNew), make([]string, 0, nNew), make([]string, 0, nNew)
		ngAmount, ngRemaining                  = make([]int64, 0, nNew), make([]int64, 0, nNew)
		ngExpires                              = make([]*time.Time, 0, nNew)
		ngCreated                              = make([]time.Time, 0, nNew)
		ugID, ugOrg                            = make([]string, 0, nUpd), make([]string, 0, nUpd)
		ugRemaining                            = make([]int64, 0, nUpd)
		leID, leOrg, leKind, leReas            = make([]string, 0, nEnt), make([]string, 0, nEnt), make([]string, 0, nEnt), make([]string, 0, nEnt)
		leAllocs, leMeta, leActorKind, leActor = make([]string, 0, nEnt), make([]string, 0, nEnt), make([]string, 0, nEnt), make([]string, 0, nEnt)
		leSeq, leAmount, leAfter               = make([]int64, 0, nEnt), make([]int64, 0, nEnt), make([]int64, 0, nEnt)
		leCreated                              = make([]time.Time, 0, nEnt)
		ikOrg, ikKey, ikOp, ikHash             = make([]string, 0, nIdem), make([]string, 0, nIdem), make([]string, 0, nIdem), make([]string, 0, nIdem)
		ikResp                                 = make([][]byte, 0, nIdem)
		ikCreated                              = make([]time.Time, 0, nIdem)
		bOrg                                   = make([]string, 0, len(ws))
		bTotal, bFree, bPaid, bVersion         = make([]int64, 0, len(ws)), make([]int64, 0, len(ws)), make([]int64, 0, len(ws)), make([]int64, 0, len(ws))
		bUpdated                               = make([]time.Time, 0, len(ws))
		allocs                                 = make([]byte, 0, 80*nEnt) // every entry's allocations JSON, one after the other
		allocEnd                               = make([]int, 0, nEnt)
	)
	for _, w := range ws {
		for _, g := range w.NewGrants {
			r := fromDomainGrant(g)
			ngID, ngOrg, ngKind = append(ngID, r.ID), append(ngOrg, r.OrgID), append(ngKind, r.Kind)
			ngAmount, ngRemaining = append(ngAmount, r.Amount), append(ngRemaining, r.Remaining)
			ngExpires, ngCreated = append(ngExpires, r.ExpiresAt), append(ngCreated, r.CreatedAt)
			ngOrder, ngReason = append(ngOrder, strVal(r.OrderID)), append(ngReason, r.Reason)
		}
		for _, g := range w.Grants {
			ugID, ugOrg, ugRemaining = append(ugID, g.ID), append(ugOrg, w.Balance.OrgID), append(ugRemaining, g.Remaining)
		}
		for _, e := range w.Entries {
			allocs = appendAllocationsJSON(allocs, e.Allocations)
			allocEnd = append(allocEnd, len(allocs))
			leID, leOrg, leSeq, leKind = append(leID, e.ID), append(leOrg, e.OrgID), append(leSeq, e.Seq), append(leKind, string(e.Kind))
			leAmount, leAfter = append(leAmount, e.Amount), append(leAfter, e.BalanceAfter)
			leReas, leMeta = append(leReas, e.Reason), append(leMeta, string(e.Metadata))
			leActorKind, leActor, leCreated = append(leActorKind, string(e.ActorKind)), append(leActor, e.ActorID), append(leCreated, utc(e.CreatedAt))
		}
		for _, r := range w.Idempotency {
			ikOrg, ikKey, ikOp, ikHash = append(ikOrg, r.OrgID), append(ikKey, r.Key), append(ikOp, r.Operation), append(ikHash, r.RequestHash)
			ikResp, ikCreated = append(ikResp, r.Response), append(ikCreated, utc(r.CreatedAt))
		}
		b := w.Balance
		bOrg, bTotal, bFree, bPaid = append(bOrg, b.OrgID), append(bTotal, b.Total), append(bFree, b.Free), append(bPaid, b.Paid)
		bVersion, bUpdated = append(bVersion, b.Version), append(bUpdated, utc(b.UpdatedAt))
	}
	all, from := string(allocs), 0
	for _, end := range allocEnd {
		leAllocs = append(leAllocs, all[from:end])
		from = end
	}
	return []any{
		ngID, ngOrg, ngKind, ngAmount, ngRemaining, ngExpires, ngOrder, ngReason, ngCreated,
		ugID, ugOrg, ugRemaining,
		leID, leOrg, leSeq, leKind, leAmount, leAfter, leAllocs, leReas, leMeta, leActorKind, leActor, leCreated,
		ikOrg, ikKey, ikOp, ikHash, ikResp, ikCreated,
		bOrg, bTotal, bFree, bPaid, bVersion, bUpdated,
	}
}

// appendAllocationsJSON appends the stored form of as, byte for byte what
// jsonColumn[[]allocationJSON] writes (json.Marshal of fromAllocations),
// by hand when every grant id is printable ASCII that JSON leaves as it is.
func appendAllocationsJSON(b []byte, as []domain.Allocation) []byte {
	start := len(b)
	b = append(b, '[')
	for i, a := range as {
		for j := 0; j < len(a.GrantID); j++ {
			if c := a.GrantID[j]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				out, _ := json.Marshal(fromAllocations(as)) // a slice of plain structs always marshals
				return append(b[:start], out...)
			}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"grantId":"`...)
		b = append(b, a.GrantID...)
		b = append(b, `","amount":`...)
		b = strconv.AppendInt(b, a.Amount, 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// writeLedgersSQLite builds WriteLedgers' statements for SQLite, in the
// order of writeLedgerSQLite's.
func writeLedgersSQLite(ws []domain.LedgerWrite) []sqliteStmt {
	var (
		out       []sqliteStmt
		newGrants []domain.Grant
		touched   []domain.Grant
		entries   []domain.LedgerEntry
		idem      []domain.IdempotencyRecord
	)
	for _, w := range ws {
		newGrants = append(newGrants, w.NewGrants...)
		touched = append(touched, w.Grants...)
		entries = append(entries, w.Entries...)
		idem = append(idem, w.Idempotency...)
	}
	stmt := func(what string, body func(*strings.Builder, *sqlArgs)) {
		var (
			b strings.Builder
			a sqlArgs
		)
		body(&b, &a)
		out = append(out, sqliteStmt{sql: b.String(), args: a, what: what})
	}
	if len(newGrants) > 0 {
		stmt("grant", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(insertGrants)
			grantValues(b, a, newGrants)
		})
	}
	if len(touched) > 0 {
		stmt("grant", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(`UPDATE grants SET remaining = CASE id`)
			for _, g := range touched {
				b.WriteString(" WHEN " + a.add(g.ID) + " THEN " + a.add(g.Remaining))
			}
			// By primary key; each grant was read for its org under the lock.
			ids := make([]string, len(touched))
			for i, g := range touched {
				ids[i] = a.add(g.ID)
			}
			b.WriteString(" END WHERE id IN (" + strings.Join(ids, ", ") + ")")
		})
	}
	if len(entries) > 0 {
		stmt("ledger entry", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(insertEntries)
			entryValues(b, a, entries)
		})
	}
	stmt("org balance", func(b *strings.Builder, a *sqlArgs) {
		b.WriteString(`WITH v (org_id, total, free, paid, version, updated_at) AS (VALUES `)
		for i, w := range ws {
			bal := w.Balance
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + strings.Join([]string{
				a.add(bal.OrgID), a.add(bal.Total), a.add(bal.Free), a.add(bal.Paid), a.add(bal.Version), a.add(utc(bal.UpdatedAt)),
			}, ", ") + ")")
		}
		b.WriteString(`) UPDATE org_balances SET total = v.total, free = v.free, paid = v.paid, version = v.version, updated_at = v.updated_at FROM v WHERE org_balances.org_id = v.org_id`)
	})
	if len(idem) > 0 {
		stmt("idempotency key", func(b *strings.Builder, a *sqlArgs) {
			b.WriteString(insertIdem)
			idemValues(b, a, idem)
		})
	}
	return out
}

// positional rewrites a statement's placeholders $1, $2, … to ? on SQLite
// when they appear once each, in order: the SQLite driver finds the
// argument of a $n placeholder by formatting every argument's ordinal until
// one matches, which costs a statement of n placeholders n²/2 conversions
// (most of the time of a write of a few dozen entries), while ? binds by
// position. Any other statement, and every statement on PostgreSQL, is
// returned as it is.
func (d *DB) positional(q string) string {
	if d.dialect != DialectSQLite || !strings.Contains(q, "$") {
		return q
	}
	var (
		b    strings.Builder
		next = 1
	)
	b.Grow(len(q))
	for i := 0; i < len(q); i++ {
		if q[i] != '$' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(q[i+1 : j]); err != nil || n != next {
			return q
		}
		next++
		b.WriteByte('?')
		i = j - 1
	}
	return b.String()
}

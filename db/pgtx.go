package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tallyhq/tally/domain"
)

// rollbackTimeout bounds the ROLLBACK sent when a transaction fails, also
// when its context is already cancelled.
const rollbackTimeout = 5 * time.Second

// pgTx is a PostgreSQL transaction that InTx runs on one reserved
// connection, saving round trips by pipelining (the extended query protocol
// lets a client send several statements before reading their results):
//
//   - BEGIN is not sent on its own but ahead of the transaction's first
//     statement, in the same flight;
//   - LockBalance sends the open grants query right behind the locking
//     statement, and OpenGrants answers from that result;
//   - WriteLedger holds its statement back and sends it with COMMIT, or
//     ahead of the next statement when the transaction goes on.
//
// A pgTx serves one goroutine, like the function InTx runs.
type pgTx struct {
	conn    *sql.Conn
	begun   bool          // BEGIN has been sent
	pending *pendingWrite // WriteLedger's statement, not sent yet
	grants  *openGrants   // open grants read right after the balance lock
	err     error         // a failure that left the transaction unusable
}

// pendingWrite is WriteLedger's statement waiting for the next flight.
type pendingWrite struct {
	sql  string
	args []any
	rows int64 // the org balances it must update
}

// openGrants is OpenGrants' answer for one org, read in the flight that
// locked its balance.
type openGrants struct {
	orgID  string
	grants []domain.Grant
}

// ready prepares the connection for a statement sent through database/sql:
// it sends BEGIN and any pending write first (one round trip each; the hot
// path folds them into its own flight instead) and forgets prefetched
// grants, which the statement may change.
func (t *pgTx) ready(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	t.grants = nil
	if !t.begun {
		t.begun = true
		if _, err := t.conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.err = mapErr(err, "transaction")
			return t.err
		}
	}
	if w := t.pending; w != nil {
		t.pending = nil
		res, err := t.conn.ExecContext(ctx, w.sql, w.args...)
		if err == nil {
			var n int64
			n, err = res.RowsAffected()
			err = affectedAll(err, n, w.rows, "org balance")
		} else {
			err = mapErr(err, "ledger entry")
		}
		if err != nil {
			t.err = err
			return err
		}
	}
	return nil
}

// ExecContext runs a statement in the transaction.
func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.ready(ctx); err != nil {
		return nil, err
	}
	return t.conn.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.ready(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// pipeline sends BEGIN (unless sent already) and the statements queue puts
// in a batch in one flight, then lets read take their results in order.
// Statements of one pipeline run one after the other, each under READ
// COMMITTED with its own snapshot taken when the previous one has finished;
// after an error the server skips the rest of the batch.
func (t *pgTx) pipeline(ctx context.Context, queue func(b *pgx.Batch), read func(br pgx.BatchResults) error) error {
	if t.err != nil {
		return t.err
	}
	t.grants = nil
	if t.pending != nil { // not the hot path: send the write on its own
		if err := t.ready(ctx); err != nil {
			return err
		}
	}
	return t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return domain.Internal(fmt.Errorf("db: PostgreSQL driver connection is %T, want *stdlib.Conn", dc))
		}
		b := &pgx.Batch{}
		begin := !t.begun
		if begin {
			b.Queue("BEGIN")
			t.begun = true
		}
		queue(b)
		br := sc.Conn().SendBatch(ctx, b)
		err := func() error {
			if begin {
				if _, err := br.Exec(); err != nil {
					return mapErr(err, "transaction")
				}
			}
			return read(br)
		}()
		if cerr := br.Close(); err == nil && cerr != nil {
			err = mapErr(cerr, "transaction")
		}
		return err
	})
}

// commit ends the transaction: nothing to send when it never began, else
// the pending write (and BEGIN, if still unsent) together with COMMIT in
// one flight; when the write fails the server skips COMMIT and the caller
// rolls back. A COMMIT that the server answers with ROLLBACK (the
// transaction had failed) is an error.
func (t *pgTx) commit(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if !t.begun && t.pending == nil {
		return nil
	}
	w := t.pending
	t.pending = nil
	return t.pipeline(ctx, func(b *pgx.Batch) {
		if w != nil {
			b.Queue(w.sql, w.args...)
		}
		b.Queue("COMMIT")
	}, func(br pgx.BatchResults) error {
		if w != nil {
			tag, err := br.Exec()
			if err != nil {
				return mapErr(err, "ledger entry")
			}
			if err := affectedAll(nil, tag.RowsAffected(), w.rows, "org balance"); err != nil {
				return err
			}
		}
		tag, err := br.Exec()
		switch {
		case err != nil:
			return mapErr(err, "transaction")
		case tag.String() == "ROLLBACK":
			return domain.Internal(pgx.ErrTxCommitRollback)
		}
		return nil
	})
}

// rollback ends a transaction that did not commit. It asks the connection
// itself whether a transaction is open (a failed flight leaves that
// uncertain) and discards the connection when ROLLBACK fails.
func (t *pgTx) rollback(ctx context.Context) {
	t.pending, t.grants = nil, nil
	if !t.begun {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	_ = t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return driver.ErrBadConn
		}
		c := sc.Conn()
		if c.IsClosed() {
			return driver.ErrBadConn
		}
		if c.PgConn().TxStatus() == 'I' {
			return nil
		}
		if _, err := c.Exec(ctx, "ROLLBACK"); err != nil || c.PgConn().TxStatus() != 'I' {
			return driver.ErrBadConn // database/sql closes the connection
		}
		return nil
	})
}

// lockBalancePG runs LockBalance's statement, the idempotency lookup for
// keys and the org's open grants query in one flight (with BEGIN when the
// transaction has not begun), and keeps the grants for OpenGrants. The
// lookup and the grants query are separate statements so that they read
// with a snapshot taken after the lock was granted: a subquery of the
// locking statement would see the rows as they were before waiting for it.
func (t *pgTx) lockBalancePG(ctx context.Context, orgID string, keys []string, scan func(row pgx.Row) error) ([]domain.IdempotencyRecord, error) {
	var (
		grants []domain.Grant
		recs   []domain.IdempotencyRecord
	)
	err := t.pipeline(ctx, func(b *pgx.Batch) {
		b.Queue(lockBalancePG, orgID)
		if len(keys) > 0 {
			q, args := idemLookup(orgID, keys)
			b.Queue(q, args...)
		}
		b.Queue(openGrantsSQL, orgID)
	}, func(br pgx.BatchResults) error {
		if err := scan(br.QueryRow()); err != nil {
			return err
		}
		if len(keys) > 0 {
			rows, err := br.Query()
			if err != nil {
				return mapErr(err, "idempotency key")
			}
			recs, err = collectIdempotency(rows)
			rows.Close()
			if err != nil {
				return err
			}
		}
		rows, err := br.Query()
		if err != nil {
			return mapErr(err, "grant")
		}
		defer rows.Close()
		grants, err = collectGrants(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	t.grants = &openGrants{orgID: orgID, grants: grants}
	return recs, nil
}

// takeGrants returns (once) the open grants read with the org's lock when
// no statement has run since.
func (t *pgTx) takeGrants(orgID string) ([]domain.Grant, bool) {
	g := t.grants
	t.grants = nil
	if g == nil || g.orgID != orgID || t.err != nil || t.pending != nil {
		return nil, false
	}
	return g.grants, true
}

// deferWrite holds WriteLedger's statement back for the next flight.
func (t *pgTx) deferWrite(ctx context.Context, query string, args []any) error {
	return t.deferWriteN(ctx, query, args, 1)
}

// deferWriteN is deferWrite for a statement that updates the balances of
// rows orgs (WriteLedgers).
func (t *pgTx) deferWriteN(ctx context.Context, query string, args []any, rows int64) error {
	if t.pending != nil { // two writes in a row: send the first now
		if err := t.ready(ctx); err != nil {
			return err
		}
	}
	if t.err != nil {
		return t.err
	}
	t.grants = nil
	t.pending = &pendingWrite{sql: query, args: args, rows: rows}
	return nil
}

// collectGrants reads every row of an open grants query (from database/sql
// or pgx); the caller closes rows.
func collectGrants[R interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}](rows R) ([]domain.Grant, error) {
	var out []domain.Grant
	for rows.Next() {
		var r grantRow
		if err := rows.Scan(&r.ID, &r.OrgID, &r.Kind, &r.Amount, &r.Remaining, &r.ExpiresAt, &r.OrderID, &r.Reason, &r.CreatedAt); err != nil {
			return nil, mapErr(err, "grant")
		}
		out = append(out, toDomainGrant(r))
	}
	return out, mapErr(rows.Err(), "grant")
}

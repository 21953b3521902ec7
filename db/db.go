package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/tallyhq/tally/domain"
)

// Dialect names.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Options tunes a connection pool.
type Options struct {
	// MaxOpenConns caps open connections; 0 picks a default per dialect.
	MaxOpenConns int
	// Logger receives slow-query warnings and debug traces; nil discards them.
	Logger *slog.Logger
}

// slowQuery is the duration above which a statement is logged as slow.
const slowQuery = 200 * time.Millisecond

// sqliteBusyTimeoutMS is how long a SQLite connection waits for another
// process's write lock before failing with SQLITE_BUSY.
const sqliteBusyTimeoutMS = 10000

// sqliteCheckpointPages is the WAL size, in pages (4 KiB), at which a
// commit copies the WAL back into the database file: the WAL grows to
// about 40 MB.
const sqliteCheckpointPages = 10000

// DB is a Tally store on PostgreSQL or SQLite. A DB returned by Open is safe
// for concurrent use; the DB that InTx passes to its function is bound to
// one transaction and must not outlive it.
type DB struct {
	gdb     *gorm.DB // root session, or one bound to the transaction
	sqlDB   *sql.DB
	conn    execer // sqlDB, or the *sql.Tx (SQLite) or *pgTx (PostgreSQL) of a transaction
	dialect string
	inTx    bool
	pg      *pgTx // the PostgreSQL transaction this DB is bound to, or nil
	// wlock serializes SQLite writes, of this process and of others on the
	// same file (see writeLock); nil on PostgreSQL.
	wlock *writeLock
	// provider is the goose provider, built once on first use.
	provider func() (*goose.Provider, error)
	log      *slog.Logger
}

// DB implements the domain's whole contract and so each of its small
// stores; pinning them one by one names the concept that broke when a
// signature drifts.
var (
	_ domain.Store             = (*DB)(nil)
	_ domain.Transactor        = (*DB)(nil)
	_ domain.UserStore         = (*DB)(nil)
	_ domain.OrgStore          = (*DB)(nil)
	_ domain.MemberStore       = (*DB)(nil)
	_ domain.InvitationStore   = (*DB)(nil)
	_ domain.APIKeyStore       = (*DB)(nil)
	_ domain.CatalogStore      = (*DB)(nil)
	_ domain.LedgerStore       = (*DB)(nil)
	_ domain.IdempotencyStore  = (*DB)(nil)
	_ domain.CounterStore      = (*DB)(nil)
	_ domain.OrderStore        = (*DB)(nil)
	_ domain.InvoiceStore      = (*DB)(nil)
	_ domain.CreditNoteStore   = (*DB)(nil)
	_ domain.GatewayEventStore = (*DB)(nil)
	_ domain.SubscriptionStore = (*DB)(nil)
)

// execer is what *sql.DB, *sql.Tx and *pgTx offer; hot-path statements go
// through it directly (pgx caches their prepared form per connection).
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryRow runs a query on c and scans its first row into dest;
// sql.ErrNoRows when it returns none.
func queryRow(ctx context.Context, c execer, dest []any, query string, args ...any) error {
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// Open connects to "postgres://…" (or "postgresql://…") or "sqlite://PATH"
// ("sqlite://:memory:" for a private in-memory database on one connection).
// SQLite runs in WAL mode with foreign keys on, a busy timeout, and write
// transactions that take the write lock at BEGIN (BEGIN IMMEDIATE). Open
// does not migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var (
		dialector gorm.Dialector
		dialect   string
		maxOpen   = opts.MaxOpenConns
		inMemory  bool
	)
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		dialect = DialectPostgres
		dialector = postgres.New(postgres.Config{DSN: rawURL})
		if maxOpen <= 0 {
			maxOpen = 20
		}
	case strings.HasPrefix(rawURL, "sqlite://"):
		dsn, err := sqliteDSN(strings.TrimPrefix(rawURL, "sqlite://"))
		if err != nil {
			return nil, err
		}
		dialect = DialectSQLite
		dialector = sqlite.Open(dsn)
		if maxOpen <= 0 {
			maxOpen = 8
		}
		if inMemory = strings.HasPrefix(dsn, ":memory:"); inMemory {
			maxOpen = 1 // every connection would open its own empty database
		}
	default:
		return nil, domain.InvalidInput("DATABASE_URL", "want postgres://… or sqlite://PATH")
	}

	// gorm logs a failed open itself before returning the error; the
	// caller reports the error, so gorm stays silent until Open succeeds.
	gdb, err := gorm.Open(dialector, &gorm.Config{
		PrepareStmt:            sharedStatements(dialect),
		SkipDefaultTransaction: true,
		Logger:                 gormlogger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	})
	if err != nil {
		return nil, openError(dialect, rawURL, err)
	}
	gdb.Logger = newGormLogger(logger, slowQuery)
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, openError(dialect, rawURL, err)
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	if !inMemory { // closing the one connection of :memory: would lose the database
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}

	d := &DB{gdb: gdb, sqlDB: sqlDB, conn: sqlDB, dialect: dialect, log: logger}
	if dialect == DialectSQLite {
		lockPath := ""
		if !inMemory {
			lockPath = sqliteFile(strings.TrimPrefix(rawURL, "sqlite://"))
		}
		if d.wlock, err = newWriteLock(lockPath, !inMemory && maxOpen > 1); err != nil {
			_ = sqlDB.Close()
			return nil, openError(dialect, rawURL, err)
		}
	}
	d.provider = sync.OnceValues(d.newProvider)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, openError(dialect, rawURL, err)
	}
	return d, nil
}

// openError describes why Open could not open a database. It is not a
// domain error: no API client sees it; the operator starting the binary
// does. SQLite's driver reports a file it cannot create as "out of memory
// (14)", so for SQLite the file's directory is examined for the real
// reason, which the error wraps as fs.ErrNotExist or fs.ErrPermission
// when it is one of those.
func openError(dialect, rawURL string, err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Err != nil {
		err = de.Err
	}
	if dialect == DialectSQLite {
		if file := sqliteFile(strings.TrimPrefix(rawURL, "sqlite://")); file != "" {
			if problem := sqliteFileProblem(file); problem != nil {
				err = problem
			}
			return fmt.Errorf("cannot open the SQLite database %s: %w", file, err)
		}
	}
	return fmt.Errorf("cannot open the %s database: %w", dialect, err)
}

// fileProblem is a reason SQLite cannot use a path: a sentence, and the
// fs error it amounts to (nil when none fits).
type fileProblem struct {
	msg  string
	kind error
}

func (p fileProblem) Error() string { return p.msg }
func (p fileProblem) Unwrap() error { return p.kind }

// sqliteFileProblem says why SQLite cannot create or write file (and the
// -wal, -shm and -writelock files it keeps beside it), or nil when it
// finds no reason.
func sqliteFileProblem(file string) error {
	dir := filepath.Dir(file)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fileProblem{fmt.Sprintf("the directory %s does not exist", dir), fs.ErrNotExist}
	case errors.Is(err, syscall.ENOTDIR) || err == nil && !st.IsDir():
		return fileProblem{fmt.Sprintf("%s is not a directory", dir), nil}
	case err != nil:
		return fileProblem{fmt.Sprintf("the directory %s cannot be read (%v)", dir, errors.Unwrap(err)), fs.ErrPermission}
	}
	probe, err := os.CreateTemp(dir, ".tally-probe-*")
	if err != nil {
		return fileProblem{fmt.Sprintf("the directory %s is not writable by this user", dir), fs.ErrPermission}
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	if st, err := os.Stat(file); err == nil {
		if st.IsDir() {
			return fileProblem{fmt.Sprintf("%s is a directory", file), nil}
		}
		f, err := os.OpenFile(file, os.O_RDWR, 0)
		if err != nil {
			return fileProblem{fmt.Sprintf("the file %s is not writable by this user", file), fs.ErrPermission}
		}
		_ = f.Close()
	}
	return nil
}

// sqliteDSN turns the PATH of sqlite://PATH (with optional extra query
// parameters) into a glebarez/go-sqlite DSN. The driver runs every _pragma
// on each new connection; _txlock=immediate makes BEGIN take the write
// lock. (_time_format is deliberately not used: the driver stops reading
// parameters after it, which would drop _txlock.)
func sqliteDSN(path string) (string, error) {
	path, query, _ := strings.Cut(path, "?")
	if path == "" {
		return "", domain.InvalidInput("DATABASE_URL", "sqlite:// needs a file path")
	}
	extra, err := url.ParseQuery(query)
	if err != nil {
		return "", domain.InvalidInput("DATABASE_URL", "bad sqlite query parameters: %v", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals (the pages a statement changes, kept until it
	// ends, so that it can be undone alone) stay in memory: a group
	// commit's INSERT touches a leaf of every org's ledger index, past the
	// point where SQLite would move the journal to a temporary file.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Checkpoint every sqliteCheckpointPages WAL pages rather than 1,000: a
	// page written by many transactions between two checkpoints is copied
	// back (and the file flushed) once.
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", sqliteCheckpointPages))
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeoutMS))
	q.Set("_txlock", "immediate")
	for k, vs := range extra {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	return path + "?" + q.Encode(), nil
}

// sqliteFile returns the file of the database that the PATH of
// sqlite://PATH names, "" for an in-memory one.
func sqliteFile(path string) string {
	path, query, _ := strings.Cut(path, "?")
	if strings.HasPrefix(path, "file:") {
		path = strings.TrimPrefix(path, "file:")
		if q, err := url.ParseQuery(query); err == nil && q.Get("mode") == "memory" {
			return ""
		}
	}
	if path == ":memory:" || path == "" {
		return ""
	}
	return path
}

// Dialect returns "postgres" or "sqlite".
func (d *DB) Dialect() string { return d.dialect }

// Gorm returns the underlying gorm handle (bound to the transaction inside
// InTx, where it first sends what the transaction held back), for tests and
// diagnostics.
func (d *DB) Gorm() *gorm.DB {
	if d.pg != nil {
		return d.db(d.gdb.Statement.Context)
	}
	return d.gdb
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.sqlDB.PingContext(ctx); err != nil {
		return domain.Internal(fmt.Errorf("ping %s: %w", d.dialect, err))
	}
	return nil
}

// Close closes the connection pool.
func (d *DB) Close() error {
	if d.inTx {
		return domain.Internal(errors.New("db: Close called on a transaction"))
	}
	var err error
	if d.wlock != nil {
		err = d.wlock.close()
	}
	err = errors.Join(err, d.sqlDB.Close())
	if err != nil {
		return domain.Internal(err)
	}
	return nil
}

// InTx runs fn in one transaction and passes it a store bound to that
// transaction; nested calls reuse it. fn's error is returned after
// rollback, unchanged unless the database could not be reached (a raw
// driver error or INTERNAL caused by a lost connection), which is
// UNAVAILABLE like a failed BEGIN or COMMIT. On SQLite the transaction holds the database's write lock from
// BEGIN, so transactions of one process queue on a gate first. On
// PostgreSQL the transaction pipelines its statements (see pgTx): BEGIN
// goes with the first statement and WriteLedger with COMMIT, so a
// WriteLedger failure may be returned by InTx rather than by WriteLedger.
func (d *DB) InTx(ctx context.Context, fn func(tx domain.Store) error) (err error) {
	if d.inTx {
		return fn(d)
	}
	defer func() { err = unavailableOr(err) }()
	if d.dialect == DialectPostgres {
		return d.inPgTx(ctx, fn)
	}
	if d.wlock != nil {
		unlock, err := d.wlock.lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	var sqlTx *sql.Tx
	if w := d.writer(ctx); w != nil {
		if sqlTx, err = w.BeginTx(ctx, nil); err != nil {
			d.dropWriter() // the next transaction takes a fresh connection
		}
	} else {
		sqlTx, err = d.sqlDB.BeginTx(ctx, nil)
	}
	if err != nil {
		return mapErr(err, "transaction")
	}
	tx := d.txStore(ctx, sqlTx, sqlTx, nil)

	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return mapErr(err, "transaction")
	}
	committed = true
	return nil
}

// inPgTx is InTx on PostgreSQL: fn runs on a reserved connection whose
// transaction begins lazily (see pgTx).
func (d *DB) inPgTx(ctx context.Context, fn func(tx domain.Store) error) error {
	conn, err := d.sqlDB.Conn(ctx)
	if err != nil {
		return mapErr(err, "transaction")
	}
	defer func() { _ = conn.Close() }()
	t := &pgTx{conn: conn}
	tx := d.txStore(ctx, conn, t, t)

	committed := false
	defer func() {
		if !committed {
			t.rollback(ctx)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := t.commit(ctx); err != nil {
		return err
	}
	committed = true
	return nil
}

// sharedStatements reports whether gorm keeps its pool-wide cache of
// prepared statements for dialect. On SQLite it does: a statement parsed
// once serves every call, and a local file never loses a connection. On
// PostgreSQL it does not, because that cache is unsafe when connections
// are lost: when one call fails with a bad connection gorm evicts and
// closes the shared *sql.Stmt while other goroutines are about to run it,
// and they fail with "sql: statement is closed", an INTERNAL answer to a
// database that was only briefly unreachable. pgx already prepares and
// caches each statement per connection, so nothing is lost by leaving it
// to the driver.
func sharedStatements(dialect string) bool { return dialect != DialectPostgres }

// txStore returns a store bound to a transaction: gorm runs on pool,
// hand-written statements on conn.
func (d *DB) txStore(ctx context.Context, pool gorm.ConnPool, conn execer, pg *pgTx) *DB {
	// Statements inside the transaction bypass gorm's prepared-statement
	// cache: database/sql would re-prepare (and pgx deallocate) a statement
	// first prepared in another transaction on every use, two extra round
	// trips each; the driver's own per-connection cache has no such cost.
	gtx := d.gdb.Session(&gorm.Session{NewDB: true, Context: ctx, SkipDefaultTransaction: true})
	gtx.Statement.ConnPool = pool
	return &DB{gdb: gtx, sqlDB: d.sqlDB, conn: conn, dialect: d.dialect, inTx: true, pg: pg, provider: d.provider, log: d.log}
}

// inTxSelf runs fn inside the current transaction, or a new one when there is
// none (for multi-statement writes that must be atomic).
func (d *DB) inTxSelf(ctx context.Context, fn func(tx *DB) error) error {
	if d.inTx {
		return fn(d)
	}
	return d.InTx(ctx, func(tx domain.Store) error { return fn(tx.(*DB)) })
}

// db returns a gorm session for one statement. In a PostgreSQL transaction
// it first sends what the transaction holds back (BEGIN, a pending write);
// a failure there is the session's error.
func (d *DB) db(ctx context.Context) *gorm.DB {
	g := d.gdb.WithContext(ctx)
	if d.pg != nil {
		if err := d.pg.ready(ctx); err != nil {
			_ = g.AddError(err)
		}
	}
	return g
}

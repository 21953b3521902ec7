package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// The errors of this file are what an operator sees when the binary cannot
// start: one line each, saying what is wrong and which setting to change.

// listen opens a TCP listener on addr, the value of the setting named
// setting (TALLY_ADDR, TALLY_METRICS_ADDR).
func listen(setting, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	fix := fmt.Sprintf("set %s to another address", setting)
	if _, port, splitErr := net.SplitHostPort(addr); splitErr == nil {
		if p, convErr := strconv.Atoi(port); convErr == nil && p > 0 && p < 65535 {
			fix = fmt.Sprintf("set %s to another address, e.g. %s=:%d", setting, setting, p+1)
		}
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("cannot listen on %s: another process (another tally serve?) is using it; stop it or %s", addr, fix)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("cannot listen on %s: permission denied (ports below 1024 need privileges); %s", addr, fix)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("cannot listen on %s: no network interface of this machine has that address; %s", addr, fix)
	}
	return nil, fmt.Errorf("cannot listen on %s (%v); set %s to an address like :8080 or 127.0.0.1:8080", addr, innermost(err), setting)
}

// localURL is a URL of the server on this machine that a terminal makes
// clickable: http://localhost:8080/ for a listener on every interface.
func localURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// databaseError explains why DATABASE_URL (rawURL) could not be opened.
func databaseError(rawURL string, err error) error {
	shown := redactURL(rawURL)
	if !strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%v: create it, or set DATABASE_URL to another sqlite://PATH (now %s)", err, shown)
		case errors.Is(err, fs.ErrPermission):
			return fmt.Errorf("%v: let it write there, or set DATABASE_URL to a sqlite://PATH it can write (now %s)", err, shown)
		}
		return fmt.Errorf("%v; check DATABASE_URL (now %s)", err, shown)
	}
	where, user, dbname := "the server", "", ""
	if cfg, perr := pgconn.ParseConfig(rawURL); perr == nil {
		where, user, dbname = net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), cfg.User, cfg.Database
	}
	var pgErr *pgconn.PgError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		return fmt.Errorf("PostgreSQL at %s has no database %q: create it (createdb %s) or fix DATABASE_URL (now %s)", where, dbname, dbname, shown)
	case errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		return fmt.Errorf("PostgreSQL at %s refused user %q: %s; fix the user or password in DATABASE_URL (now %s)", where, user, pgErr.Message, shown)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot reach PostgreSQL: host %q not found; fix DATABASE_URL (now %s)", dnsErr.Name, shown)
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, context.DeadlineExceeded), isTimeout(err),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("cannot reach PostgreSQL at %s (%v): start it, or set DATABASE_URL to a server that answers (now %s)", where, innermost(err), shown)
	}
	return fmt.Errorf("cannot connect to PostgreSQL at %s: %v; check DATABASE_URL (now %s)", where, innermost(err), shown)
}

// isTimeout reports a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// innermost is the deepest cause of err that still says something: a
// system call's "connection refused" rather than the three layers of
// context around it.
func innermost(err error) error {
	for {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return errno
		}
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

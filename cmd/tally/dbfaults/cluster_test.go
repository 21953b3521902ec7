package dbfaults

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBinGlob is where Debian's postgresql packages put the server binaries.
const pgBinGlob = "/usr/lib/postgresql/*/bin/initdb"

// cluster is a private, throwaway PostgreSQL cluster the test may restart
// and crash. Its data lives in a temporary directory; it is stopped and
// removed at cleanup.
type cluster struct {
	bin  string // directory of initdb and pg_ctl
	dir  string // temporary directory: data/, the socket and the log
	port int
	asPG bool // run the binaries as the postgres user (the test runs as root)
}

// pgBinDir returns the bin directory of the newest PostgreSQL version
// installed, failing the test (never skipping it) when there is none.
func pgBinDir(t *testing.T) string {
	t.Helper()
	found, _ := filepath.Glob(pgBinGlob)
	if len(found) == 0 {
		t.Fatalf("no PostgreSQL server binaries (%s): the restart test needs initdb and pg_ctl; install the postgresql package", pgBinGlob)
	}
	version := func(p string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return v
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	return filepath.Dir(found[0])
}

// startCluster creates a cluster on a free loopback port and starts it.
// synchronous_commit and fsync keep their defaults (on): what the server
// acknowledges must survive the crash.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{bin: pgBinDir(t), asPG: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "tally-pgfault-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if c.asPG { // initdb refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, the cluster needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	_ = l.Close()

	c.run(t, "initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nmax_connections = 100\n", c.port, c.dir)
	if err := os.WriteFile(filepath.Join(c.dir, "extra.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.appendConf(t, fmt.Sprintf("include '%s'\n", filepath.Join(c.dir, "extra.conf")))
	t.Cleanup(func() { c.pgCtl(t, "stop", "-m", "immediate") })
	c.pgCtl(t, "start")
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// appendConf adds lines to postgresql.conf.
func (c *cluster) appendConf(t *testing.T, lines string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(lines); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// run runs one of the cluster's binaries (as postgres when the test is
// root), bounded to a minute.
func (c *cluster) run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	argv := append([]string{filepath.Join(c.bin, name)}, args...)
	if c.asPG {
		argv = append([]string{"runuser", "-u", "postgres", "--"}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// pgCtl runs pg_ctl on the cluster, waiting for the action to complete.
func (c *cluster) pgCtl(t *testing.T, action string, args ...string) {
	t.Helper()
	c.run(t, "pg_ctl", append([]string{action, "-D", c.data(), "-w", "-t", "50", "-l", filepath.Join(c.dir, "log")}, args...)...)
}

// url is the URL of database name on the cluster.
func (c *cluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// createDB creates an empty database and returns its URL.
func (c *cluster) createDB(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return c.url(name)
}

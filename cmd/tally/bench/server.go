package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tallyhq/tally/domain"
)

const (
	// readyTimeout bounds a started server's wait for /readyz 200.
	readyTimeout = 60 * time.Second
	// readyPoll is how often /readyz is asked during start-up: the
	// start-up time is measured to within it.
	readyPoll = 5 * time.Millisecond
	// stopTimeout bounds a server's drain after SIGTERM.
	stopTimeout = 30 * time.Second
	// idleSettle lets start-up garbage settle before idle RSS is read.
	idleSettle = time.Second
)

// server is one `tally serve` process the bench started.
type server struct {
	URL     string        // http://127.0.0.1:PORT
	PID     int           // for /proc/PID/status
	Startup time.Duration // exec to the first /readyz 200
	Pprof   string        // http://127.0.0.1:PORT of its pprof listener, "" when off
	cmd     *exec.Cmd
	log     *syncBuffer
	readyAt int // the log's length when the server became ready
	done    chan struct{}
	err     error
}

// syncBuffer is the server's output, written by the process's copiers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Len returns the bytes written so far.
func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// metricsToken is the bench servers' TALLY_METRICS_TOKEN: the bench reads
// their /metrics with it.
const metricsToken = "tally-bench-metrics"

// serverEnv is the environment of a started server: the bench's own
// without Tally's settings, then production mode on databaseURL with the
// bench's secret, warnings only, websocket limits that admit the
// subscriber scenario, and /metrics behind metricsToken.
func serverEnv(databaseURL, jwtSecret, addr string, subscribers int) []string {
	return append(baseEnv(),
		"DATABASE_URL="+databaseURL,
		"TALLY_ENV=production",
		"TALLY_LOG_LEVEL=warn",
		"TALLY_JWT_SECRET="+jwtSecret,
		"TALLY_ADDR="+addr,
		fmt.Sprintf("TALLY_WS_MAX_CONNECTIONS=%d", max(10000, subscribers+100)),
		"TALLY_WS_MAX_PER_PRINCIPAL=1000",
		"TALLY_METRICS_TOKEN="+metricsToken,
	)
}

// baseEnv is the bench's environment without Tally's settings.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TALLY_") || k == "DATABASE_URL" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", domain.Internal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", domain.Internal(err)
	}
	return addr, nil
}

// startServer runs `binary serve` on databaseURL and waits until it is
// ready, measuring the time from exec to the first /readyz 200; with
// pprof, the server also serves its profiles on a free loopback port.
func startServer(ctx context.Context, binary, databaseURL, jwtSecret string, subscribers int, pprof bool) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := serverEnv(databaseURL, jwtSecret, addr, subscribers)
	var pprofAddr string
	if pprof {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		env = append(env, "TALLY_PPROF_ADDR="+pprofAddr)
	}
	s, err := startProcess(ctx, exec.Command(binary, "serve"), env, "http://"+addr, "/readyz",
		func(status int) bool { return status == http.StatusOK })
	if err != nil {
		return nil, err
	}
	if pprof {
		s.Pprof = "http://" + pprofAddr
	}
	return s, nil
}

// startProcess starts cmd with env and polls url+probe until ready says
// yes to an answer's status, measuring the time from exec to then.
func startProcess(ctx context.Context, cmd *exec.Cmd, env []string, url, probe string, ready func(status int) bool) (*server, error) {
	s := &server{URL: url, log: &syncBuffer{}, done: make(chan struct{}), cmd: cmd}
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, domain.Internal(fmt.Errorf("start %s: %w", strings.Join(cmd.Args, " "), err))
	}
	s.PID = s.cmd.Process.Pid
	go func() { s.err = s.cmd.Wait(); close(s.done) }()

	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		res, err := hc.Get(s.URL + probe)
		if err == nil {
			_ = res.Body.Close()
			if ready(res.StatusCode) {
				s.Startup = time.Since(began)
				s.readyAt = s.log.Len()
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, domain.Internal(fmt.Errorf("%s exited before it was ready: %v\n%s", strings.Join(cmd.Args, " "), s.err, s.log))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(readyPoll):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, domain.Internal(fmt.Errorf("%s not ready within %s:\n%s", strings.Join(cmd.Args, " "), readyTimeout, s.log))
		}
	}
}

// idleRSS waits for start-up garbage to settle and returns the RSS in KiB.
func (s *server) idleRSS(ctx context.Context) int64 {
	select {
	case <-time.After(idleSettle):
	case <-ctx.Done():
	}
	kib, _ := ReadRSS(s.PID) // 0: unknown
	return kib
}

// stop sends SIGTERM and waits for the drain, killing a server that does
// not exit in time; it returns what the server logged once ready (its
// start-up warnings about unset production settings are no news).
func (s *server) stop() string {
	select {
	case <-s.done:
		return s.log.String()[s.readyAt:]
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return s.log.String()[s.readyAt:]
}

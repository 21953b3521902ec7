package domain

import (
	"context"
	"sync"
	"time"
)

// rechargeCheckTimeout bounds one background check (its transaction and
// the gateway call).
const rechargeCheckTimeout = time.Minute

// rechargeWorker runs the checks a committed spend asks for, off the
// spend's path: auto-recharge (checkAutoRecharge) and the low-balance
// alert (checkLowBalance). A spend pokes it with a non-blocking call (a
// map insert under a mutex); pokes for an org already pending coalesce
// into one check. One goroutine drains the pending set and exits when it
// is empty (the next poke starts another), so an idle service holds no
// goroutine; Close stops new pokes and waits for the running one, which is
// how a test or a shutting-down server ends it cleanly. A poke lost to a
// crash after commit is caught by the periodic sweep (RechargeDue).
type rechargeWorker struct {
	mu      sync.Mutex
	pending map[string]pokeKind // org -> what to check
	order   []string            // pending orgs, first poked first
	running bool
	closed  bool
	wg      sync.WaitGroup
	run     func(ctx context.Context, orgID string, k pokeKind)
}

// pokeKind says which checks an org is pending for.
type pokeKind uint8

const (
	pokeRecharge pokeKind = 1 << iota
	pokeLowBalance
)

func newRechargeWorker(run func(ctx context.Context, orgID string, k pokeKind)) *rechargeWorker {
	return &rechargeWorker{pending: map[string]pokeKind{}, run: run}
}

// poke asks for the checks k of orgID, never blocking on them.
func (w *rechargeWorker) poke(orgID string, k pokeKind) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if cur, ok := w.pending[orgID]; ok {
		w.pending[orgID] = cur | k
		return
	}
	w.pending[orgID] = k
	w.order = append(w.order, orgID)
	if !w.running {
		w.running = true
		w.wg.Add(1)
		go w.loop()
	}
}

// loop handles pending orgs until none is left. An org poked again while
// it is being handled is pending again and handled once more after.
func (w *rechargeWorker) loop() {
	defer w.wg.Done()
	for {
		w.mu.Lock()
		if len(w.order) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		orgID := w.order[0]
		w.order = w.order[1:]
		k := w.pending[orgID]
		delete(w.pending, orgID)
		w.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), rechargeCheckTimeout)
		w.run(ctx, orgID, k)
		cancel()
	}
}

// close stops accepting pokes, drops those pending and waits for the
// check in progress.
func (w *rechargeWorker) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.closed = true
	w.pending, w.order = map[string]pokeKind{}, nil
	w.mu.Unlock()
	w.wg.Wait()
}

// idle reports whether no check is pending or running.
func (w *rechargeWorker) idle() bool {
	if w == nil {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.running && len(w.order) == 0
}

// runChecks is the worker's unit of work for one org.
func (s *Service) runChecks(ctx context.Context, orgID string, k pokeKind) {
	if k&pokeLowBalance != 0 {
		if err := s.checkLowBalance(ctx, orgID); err != nil {
			s.log.WarnContext(ctx, "low-balance check failed", "org", orgID, "err", err)
		}
	}
	if k&pokeRecharge != 0 {
		if _, err := s.checkAutoRecharge(ctx, orgID); err != nil {
			s.log.WarnContext(ctx, "auto-recharge check failed; the sweep checks again", "org", orgID, "err", err)
		}
	}
}

// afterSpend pokes the worker when a committed balance b is below the
// org's auto-recharge threshold, or when it crossed the low-balance alert
// threshold since the alert's state was last set: below and not alerted
// yet, or back up and still alerted (to re-arm). The thresholds and the
// alert's state are read with the balance, so this costs no read, and a
// balance that stays below an alert already sent pokes nothing.
func (s *Service) afterSpend(b Balance) {
	var k pokeKind
	if b.RechargeBelow > 0 && b.Total < b.RechargeBelow && s.gateways != nil {
		k |= pokeRecharge
	}
	if below := b.Total < b.LowBalanceBelow; b.LowBalanceBelow > 0 && below != b.LowBalanceAlerted {
		k |= pokeLowBalance
	}
	if k != 0 {
		s.checks.poke(b.OrgID, k)
	}
}

// Close stops the background checks a spend pokes (auto-recharge, low
// balance) and waits for the one in progress, and writes the API keys' last
// uses not written yet. The service keeps serving requests; spends no
// longer trigger checks (the sweep still runs them), and key uses are no
// longer written.
func (s *Service) Close() {
	s.checks.close()
	s.closeOnce.Do(func() {
		if s.keysStop != nil {
			close(s.keysStop)
			<-s.keysDone
		}
	})
}

// ChecksIdle reports whether no background check is pending or running
// (tests wait on it).
func (s *Service) ChecksIdle() bool { return s.checks.idle() }

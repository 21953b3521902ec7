package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// emitLocked sends an event of type typ about p, as p is now, to the
// webhook endpoint after delay; typ "" sends nothing. Call it with g.mu
// held.
func (g *Gateway) emitLocked(p *payment, typ string, delay time.Duration) {
	if typ == "" {
		return
	}
	body, err := json.Marshal(g.eventFor(p, typ))
	if err != nil {
		panic("sandbox: marshal event: " + err.Error())
	}
	g.goLocked(func() { g.deliver(body, delay) })
}

// deliver waits delay, then tries to deliver body up to MaxAttempts times,
// doubling the wait between attempts from RetryBackoff; Close stops it.
func (g *Gateway) deliver(body []byte, delay time.Duration) {
	if !g.sleep(delay) {
		return
	}
	wait := g.cfg.RetryBackoff
	for attempt := 1; ; attempt++ {
		err := g.send(body)
		if err == nil {
			return
		}
		if g.ctx.Err() != nil {
			return
		}
		if attempt >= g.cfg.MaxAttempts {
			g.cfg.Logger.Warn("sandbox: webhook not delivered", "url", g.webhookURL(), "attempts", attempt, "err", err)
			return
		}
		if !g.sleep(wait) {
			return
		}
		wait *= 2
	}
}

// send makes one delivery attempt, signed at the time of the attempt.
func (g *Gateway) send(body []byte) error {
	req := g.signed(body)
	if g.cfg.Deliver != nil {
		return g.cfg.Deliver(g.ctx, req)
	}
	hr, err := http.NewRequestWithContext(g.ctx, http.MethodPost, g.webhookURL(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header = req.Header
	resp, err := g.cfg.HTTPClient.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sandbox: webhook endpoint answered %s", resp.Status)
	}
	return nil
}

// webhookURL is where events are delivered.
func (g *Gateway) webhookURL() string { return g.cfg.BaseURL + "/webhooks/sandbox" }

package main

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/httperror"
)

// MetricsOptions say where Prometheus scrapes /metrics. In production the
// metrics are served on their own listener, or on the API's listener
// behind a bearer token, or not at all.
type MetricsOptions struct {
	MetricsAddr  string `name:"metrics-addr" env:"TALLY_METRICS_ADDR" help:"Serve /metrics on this separate address (e.g. 127.0.0.1:9090) instead of the API's."`
	MetricsToken string `name:"metrics-token" env:"TALLY_METRICS_TOKEN" help:"Bearer token /metrics requires on the API's address (production serves no metrics there without one)."`
	PprofAddr    string `name:"pprof-addr" env:"TALLY_PPROF_ADDR" help:"Serve Go's runtime profiles (/debug/pprof/) on this separate, private address (e.g. 127.0.0.1:6060); off when unset."`
}

// minMetricsToken is the shortest accepted metrics token.
const minMetricsToken = 16

// validate checks the options.
func (m MetricsOptions) validate() error {
	if m.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(m.MetricsAddr); err != nil {
			return errors.New("TALLY_METRICS_ADDR must be host:port, e.g. 127.0.0.1:9090")
		}
	}
	if m.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(m.PprofAddr); err != nil {
			return errors.New("TALLY_PPROF_ADDR must be host:port, e.g. 127.0.0.1:6060")
		}
	}
	if m.MetricsToken != "" && len(m.MetricsToken) < minMetricsToken {
		return errors.New("TALLY_METRICS_TOKEN must be at least 16 characters")
	}
	return nil
}

// onAPI reports whether /metrics is served on the API's listener, and
// wraps it in the token check when one is set.
func (m MetricsOptions) onAPI(production bool, h http.Handler) (http.Handler, bool) {
	switch {
	case m.MetricsAddr != "":
		return nil, false
	case m.MetricsToken != "":
		return requireToken(m.MetricsToken, h), true
	case production:
		return nil, false
	}
	return h, true
}

// requireToken answers 401 unless the request carries "Authorization:
// Bearer <token>".
func requireToken(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(strings.TrimSpace(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			httperror.Write(w, http.StatusUnauthorized, &domain.Error{Code: domain.CodeUnauthenticated, Message: "metrics need the metrics token"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

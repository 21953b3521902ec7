package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tallyhq/tally/db/jobs"
)

// JobsCmd lists the background jobs that failed.
type JobsCmd struct {
	StoreOptions `embed:""`
	EnvOptions   `embed:""`

	Limit int `name:"limit" default:"50" help:"Most jobs to list, newest first."`
}

// Run prints the jobs waiting for a retry or discarded (their attempts ran
// out), with each attempt's error. It does not migrate: on PostgreSQL run
// `tally migrate` first.
func (j JobsCmd) Run() error {
	c, err := storeCommon(j.StoreOptions, j.EnvOptions)
	if err != nil {
		return err
	}
	if j.Limit < 1 || j.Limit > 10000 {
		return errors.New("--limit must be between 1 and 10000")
	}
	logger := newLogger(os.Stderr, c.Production, c.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	q, err := openJobs(ctx, c, false, logger, jobs.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = q.Close() }()
	failed, err := q.Failures(ctx, j.Limit)
	if err != nil {
		return err
	}
	return printFailures(os.Stdout, failed)
}

// printFailures writes one line per job, then its attempts' errors
// indented below it.
func printFailures(w io.Writer, failed []jobs.Job) error {
	if len(failed) == 0 {
		_, err := fmt.Fprintln(w, "No failed jobs: none is waiting for a retry or was given up.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPTS\tNEXT RETRY / GIVEN UP AT\tLAST ERROR")
	for _, f := range failed {
		last := ""
		if n := len(f.Errors); n > 0 {
			last = oneLine(f.Errors[n-1].Error)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\n", f.ID, f.Kind, f.State, f.Attempt, f.MaxAttempts,
			f.At.UTC().Format(time.RFC3339), last)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range failed {
		fmt.Fprintf(w, "\njob %d (%s):\n", f.ID, f.Kind)
		for _, e := range f.Errors {
			fmt.Fprintf(w, "  attempt %d at %s: %s\n", e.Attempt, e.At.UTC().Format(time.RFC3339), oneLine(e.Error))
		}
	}
	return nil
}

// oneLine keeps an error on one line of the listing.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

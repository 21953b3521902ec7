package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/mailer"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
)

// NotifyOptions configure the notification emails.
type NotifyOptions struct {
	SMTPURL        string        `name:"smtp-url" env:"TALLY_SMTP_URL" help:"Mail server for notification emails: smtp://[user:password@]host[:port] (port 587) or smtps://… (port 465). Unset: each email is written as an .eml file into TALLY_MAIL_DIR instead."`
	SMTPTLS        string        `name:"smtp-tls" env:"TALLY_SMTP_TLS" enum:"opportunistic,mandatory,none" default:"opportunistic" help:"STARTTLS on smtp://: opportunistic (when offered), mandatory (refuse to send without it) or none (local test servers; production refuses it)."`
	MailFrom       string        `name:"mail-from" env:"TALLY_MAIL_FROM" help:"Sender of notification emails, e.g. 'Acme Billing <billing@acme.example>' (default: billing@ the TALLY_PUBLIC_URL host)."`
	MailDir        string        `name:"mail-dir" env:"TALLY_MAIL_DIR" help:"Folder the emails are written to without TALLY_SMTP_URL (default: mail next to the SQLite file, ./mail on PostgreSQL)."`
	ProductName    string        `name:"product-name" env:"TALLY_PRODUCT_NAME" default:"Tally" help:"Product name the emails use."`
	BillingURL     string        `name:"billing-url" env:"TALLY_BILLING_URL" help:"Page the emails link to for acting (paying, changing the card); default TALLY_PUBLIC_URL."`
	NotifyInterval time.Duration `name:"notify-interval" env:"TALLY_NOTIFY_INTERVAL" default:"5s" help:"How often unsent notification emails are handed to the job queue."`
}

// notifySettings is the validated form of NotifyOptions.
type notifySettings struct {
	smtp     *mailer.SMTP // nil: write files
	from     string
	dir      string
	interval time.Duration
}

// validate checks the options against the rest of the configuration and
// sets the domain's notification settings in c.
func (o NotifyOptions) validate(c *Config) error {
	n := notifySettings{interval: o.NotifyInterval, from: strings.TrimSpace(o.MailFrom), dir: strings.TrimSpace(o.MailDir)}
	if n.interval < time.Second {
		return errors.New("TALLY_NOTIFY_INTERVAL must be at least 1s")
	}
	if n.from == "" {
		host := "localhost"
		if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		n.from = "billing@" + host
	}
	if n.dir == "" {
		n.dir = defaultMailDir(c.DatabaseURL)
	}
	billing := strings.TrimSpace(o.BillingURL)
	if billing != "" {
		if u, err := url.Parse(billing); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("TALLY_BILLING_URL must be an absolute http(s) URL, got %q", billing)
		}
	}
	if strings.TrimSpace(o.SMTPURL) != "" {
		s, err := mailer.ParseSMTP(o.SMTPURL, o.SMTPTLS, n.from)
		if err != nil {
			return err
		}
		if c.Production && o.SMTPTLS == mailer.TLSNone && !s.Loopback() {
			return errors.New("TALLY_ENV=production refuses TALLY_SMTP_TLS=none for a mail server on another machine: credentials and emails would travel in the clear")
		}
		n.smtp = s
	} else if _, err := mailer.ParseSMTP("smtp://localhost", "", n.from); err != nil {
		return err // the sender is checked either way
	}
	c.Domain.Notify = domain.NotifyConfig{ProductName: strings.TrimSpace(o.ProductName), BillingURL: billing}
	c.Notify = n
	return nil
}

// defaultMailDir is "mail" next to the SQLite file, or ./mail.
func defaultMailDir(databaseURL string) string {
	path, ok := strings.CutPrefix(databaseURL, "sqlite://")
	path, _, _ = strings.Cut(path, "?")
	if !ok || path == "" || strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return "mail"
	}
	return filepath.Join(filepath.Dir(path), "mail")
}

// newMailer returns the SMTP mailer, or the folder of .eml files when no
// server is configured. In production the latter is logged as an error at
// start: nobody receives the billing emails (payment failed, suspended)
// until TALLY_SMTP_URL is set; they stay on disk, and in the outbox as
// sent.
func newMailer(n notifySettings, production bool, logger *slog.Logger) (domain.Mailer, error) {
	if n.smtp != nil {
		logger.Info("notification emails", "smtp", n.smtp.String(), "from", n.from)
		return n.smtp, nil
	}
	d, err := mailer.NewDir(n.dir, n.from, logger)
	if err != nil {
		return nil, err
	}
	if production {
		logger.Error("TALLY_SMTP_URL is not set: notification emails (payment failed, suspension, receipts) are only written to "+d.Path()+", nobody receives them", "dir", d.Path())
	} else {
		logger.Info("notification emails are written as .eml files (no TALLY_SMTP_URL)", "dir", d.Path())
	}
	return d, nil
}

// invoiceRenderer renders receipts' invoices as /invoices/{id}.pdf does.
func invoiceRenderer(issuer invoicepdf.Issuer) domain.InvoiceRenderer {
	return func(w io.Writer, inv domain.Invoice) error { return invoicepdf.Render(w, inv, issuer) }
}

// Job kinds of notifications.
const (
	// notificationsJob is the periodic sweep that hands unsent
	// notifications to sendNotificationJob.
	notificationsJob = "notifications"
	// sendNotificationJob sends one event's email, retried with backoff.
	sendNotificationJob = "send_notification"
	// lowBalanceJob is the periodic check of low balance alerts.
	lowBalanceJob = "low_balance"
)

// notifier is the part of *domain.Service the notification jobs use.
type notifier interface {
	UnsentNotifications(ctx context.Context, limit int) ([]domain.OrgEvent, error)
	DeliverNotification(ctx context.Context, eventID string) error
	CheckLowBalances(ctx context.Context, limit int) (int, error)
}

// notificationArgs are the arguments of a send_notification job.
type notificationArgs struct {
	EventID string `json:"eventId"`
}

// notificationsRun is one run of the notifications sweep: each unsent
// event goes to its own send_notification job, unique by the event's ID,
// so one event is queued (and mailed) once however many sweeps run at
// once, on however many instances.
func notificationsRun(svc notifier, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := drain(ctx, enqueueNotifications(svc, map[string]bool{}, logger), "notifications handed to "+sendNotificationJob, logger)
		return err
	}
}

// enqueueNotifications queues a job per unsent event not seen by this run
// yet (an event whose sending failed stays unsent: its job retries it).
func enqueueNotifications(svc notifier, seen map[string]bool, logger *slog.Logger) func(context.Context, int) (int, error) {
	return func(ctx context.Context, limit int) (int, error) {
		evs, err := svc.UnsentNotifications(ctx, limit)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, ev := range evs {
			if seen[ev.ID] {
				continue
			}
			seen[ev.ID] = true
			n++ // counted even when a job exists, so the run reads on
			// Inline (the test clock) the send runs here and a failure
			// is its error: logged, not the sweep's, so that one
			// refusing mail server does not fail the clock's move; the
			// event stays unsent for the next run.
			if _, err := jobs.Enqueue(ctx, sendNotificationJob, notificationArgs{EventID: ev.ID}, ev.ID); err != nil {
				logger.WarnContext(ctx, "notification not sent", "event", ev.ID, "kind", ev.Kind, "error", err)
			}
		}
		return n, nil
	}
}

// notificationWorker runs send_notification jobs.
func notificationWorker(svc notifier) jobs.Worker {
	return jobs.Handle(sendNotificationJob, func(ctx context.Context, a notificationArgs) error {
		return svc.DeliverNotification(ctx, a.EventID)
	})
}

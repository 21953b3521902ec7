package main

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/hookpost"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

// WebhookOptions configure outbound webhooks.
type WebhookOptions struct {
	WebhookInterval     time.Duration `name:"webhook-interval" env:"TALLY_WEBHOOK_INTERVAL" default:"1s" help:"How often new org events are fanned out to webhook endpoints and due deliveries handed to the job queue."`
	WebhookDisableAfter time.Duration `name:"webhook-disable-after" env:"TALLY_WEBHOOK_DISABLE_AFTER" default:"120h" help:"An endpoint failing without a success for this long is disabled and the billing contacts told (1h to 30 days)."`
	WebhookAllowPrivate *bool         `name:"webhook-allow-private" env:"TALLY_WEBHOOK_ALLOW_PRIVATE" help:"Let webhooks reach private, loopback and link-local addresses (default: allowed in development, refused with TALLY_ENV=production)."`
	WebhookTimeout      time.Duration `name:"webhook-timeout" env:"TALLY_WEBHOOK_TIMEOUT" default:"10s" help:"How long one delivery attempt may take (1s to 30s)."`
}

// webhookSettings is the validated form of WebhookOptions.
type webhookSettings struct {
	interval     time.Duration
	allowPrivate bool
	timeout      time.Duration
}

// validate checks the options and sets the domain's webhook settings in c.
func (o WebhookOptions) validate(c *Config) error {
	if o.WebhookInterval < time.Second || o.WebhookInterval > time.Hour {
		return errors.New("TALLY_WEBHOOK_INTERVAL must be between 1s and 1h")
	}
	if o.WebhookDisableAfter < time.Hour || o.WebhookDisableAfter > 30*24*time.Hour {
		return errors.New("TALLY_WEBHOOK_DISABLE_AFTER must be between 1h and 720h (30 days)")
	}
	if o.WebhookTimeout < time.Second || o.WebhookTimeout > 30*time.Second {
		return errors.New("TALLY_WEBHOOK_TIMEOUT must be between 1s and 30s")
	}
	w := webhookSettings{interval: o.WebhookInterval, allowPrivate: !c.Production, timeout: o.WebhookTimeout}
	if o.WebhookAllowPrivate != nil {
		w.allowPrivate = *o.WebhookAllowPrivate
	}
	if c.Production && w.allowPrivate {
		c.Warnings = append(c.Warnings, "TALLY_WEBHOOK_ALLOW_PRIVATE is on in production: webhook endpoints may reach private and loopback addresses (SSRF)")
	}
	c.Domain.Webhooks = domain.WebhookConfig{
		DisableAfter: o.WebhookDisableAfter,
		// The lease outlasts an attempt (bounded by the timeout) and its
		// bookkeeping, so only a worker that died loses it.
		Lease:        2*o.WebhookTimeout + 5*time.Second,
		RequireHTTPS: c.Production,
	}
	c.Webhooks = w
	return nil
}

// webhookSender returns the service option that posts webhooks.
func webhookSender(w webhookSettings, logger *slog.Logger) domain.Option {
	if w.allowPrivate {
		logger.Info("webhooks may reach private and loopback addresses (TALLY_WEBHOOK_ALLOW_PRIVATE)")
	}
	return domain.WithWebhookSender(hookpost.New(w.allowPrivate, w.timeout), graph.EncodeID)
}

// Job kinds of outbound webhooks.
const (
	// webhooksJob is the periodic sweep that fans new org events out to
	// endpoints and hands due deliveries to deliverWebhookJob.
	webhooksJob = "webhooks"
	// deliverWebhookJob makes one attempt of one delivery.
	deliverWebhookJob = "deliver_webhook"
)

// hooker is the part of *domain.Service the webhook jobs use.
type hooker interface {
	FanOutWebhooks(ctx context.Context, limit int) (int, error)
	DueWebhookDeliveries(ctx context.Context, limit int) ([]domain.WebhookDelivery, error)
	DeliverWebhook(ctx context.Context, deliveryID string, claims int) error
}

// deliverArgs are the arguments of a deliver_webhook job: the delivery
// and its claim count when it was listed.
type deliverArgs struct {
	DeliveryID string `json:"deliveryId"`
	Claims     int    `json:"claims"`
}

// webhooksRun is one run of the webhooks sweep: fan out, then queue a
// deliver job per due delivery, unique by delivery and claim count, so a
// delivery is queued once per claim however many sweeps run, and a
// delivery whose worker died (its lease expired, its claim count moved)
// gets a new job on any instance.
func webhooksRun(svc hooker, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, err := drain(ctx, svc.FanOutWebhooks, "org events fanned out to webhook endpoints", logger); err != nil {
			return err
		}
		seen := map[string]bool{}
		_, err := drain(ctx, func(ctx context.Context, limit int) (int, error) {
			ds, err := svc.DueWebhookDeliveries(ctx, limit)
			if err != nil {
				return 0, err
			}
			n := 0
			for _, d := range ds {
				key := d.ID + ":" + strconv.Itoa(d.Claims)
				if seen[key] {
					continue
				}
				seen[key] = true
				n++
				if _, err := jobs.Enqueue(ctx, deliverWebhookJob, deliverArgs{DeliveryID: d.ID, Claims: d.Claims}, key); err != nil {
					logger.WarnContext(ctx, "webhook delivery not queued", "delivery", d.ID, "error", err)
				}
			}
			return n, nil
		}, "webhook deliveries handed to "+deliverWebhookJob, logger)
		return err
	}
}

// webhookWorker runs deliver_webhook jobs.
func webhookWorker(svc hooker) jobs.Worker {
	return jobs.Handle(deliverWebhookJob, func(ctx context.Context, a deliverArgs) error {
		return svc.DeliverWebhook(ctx, a.DeliveryID, a.Claims)
	})
}

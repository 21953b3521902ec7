package domain

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// WebhookEndpoint is a URL of an org's backend that receives the org's
// events as signed outbound webhooks (not to be confused with the inbound
// gateway webhooks of webhook.go). Secret signs every delivery; during a
// rotation PreviousSecret signs too, until PreviousSecretUntil.
type WebhookEndpoint struct {
	ID          string
	OrgID       string
	URL         string
	Description string
	// EventTypes are the webhook types the endpoint receives ("order.paid").
	EventTypes          []string
	Enabled             bool
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	// FailingSince is the first failed attempt since the last success
	// (nil: healthy).
	FailingSince *time.Time
	// DisabledReason says why Tally disabled the endpoint ("" when a member
	// did, or when it is enabled).
	DisabledReason string
}

// Subscribes reports whether the endpoint receives events of webhook type t.
func (e WebhookEndpoint) Subscribes(t string) bool { return slices.Contains(e.EventTypes, t) }

// signingSecrets are the secrets that sign a delivery at now: the current
// one, and the previous one while its rotation overlap lasts.
func (e WebhookEndpoint) signingSecrets(now time.Time) []string {
	out := []string{e.Secret}
	if e.PreviousSecret != "" && e.PreviousSecretUntil != nil && now.Before(*e.PreviousSecretUntil) {
		out = append(out, e.PreviousSecret)
	}
	return out
}

// WebhookEndpointStore keeps webhook endpoints, their deliveries and the
// delivery log, and the fan-out state of org events.
type WebhookEndpointStore interface {
	// CreateWebhookEndpoint inserts an endpoint.
	CreateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	// WebhookEndpointByID returns an endpoint or NOT_FOUND.
	WebhookEndpointByID(ctx context.Context, id string) (WebhookEndpoint, error)
	// ListWebhookEndpoints lists an org's endpoints, oldest first.
	ListWebhookEndpoints(ctx context.Context, orgID string) ([]WebhookEndpoint, error)
	// UpdateWebhookEndpoint saves every field but ID, OrgID and CreatedAt;
	// NOT_FOUND when it does not exist.
	UpdateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	// DeleteWebhookEndpoint removes an endpoint with its deliveries and
	// their attempts; NOT_FOUND when it does not exist.
	DeleteWebhookEndpoint(ctx context.Context, id string) error
	// UnfannedOrgEvents lists up to limit events whose deliveries were not
	// created yet, in Seq order.
	UnfannedOrgEvents(ctx context.Context, limit int) ([]OrgEvent, error)
	// MarkOrgEventFannedOut records that the event's deliveries exist.
	MarkOrgEventFannedOut(ctx context.Context, eventID string, at time.Time) error
	// AddWebhookDelivery inserts a delivery unless one of the same event
	// and endpoint exists, and reports whether it did.
	AddWebhookDelivery(ctx context.Context, d WebhookDelivery) (bool, error)
	// WebhookDeliveryByID returns a delivery or NOT_FOUND.
	WebhookDeliveryByID(ctx context.Context, id string) (WebhookDelivery, error)
	// DueWebhookDeliveries lists up to limit PENDING deliveries of enabled
	// endpoints whose next attempt is due at now and that no worker holds
	// (no lease, or an expired one), oldest attempt first.
	DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]WebhookDelivery, error)
	// ClaimWebhookDelivery takes the lease of a due delivery until
	// leaseUntil, if its claim count is still claims (no one else claimed
	// it since it was listed), and counts the claim; false when it is not
	// due, held or claimed meanwhile.
	ClaimWebhookDelivery(ctx context.Context, id string, claims int, now, leaseUntil time.Time) (bool, error)
	// FinishWebhookAttempt appends attempt a to the delivery log and, if
	// the delivery's claim count is still claims (the lease was not lost
	// to another worker), saves d's status, attempts, next attempt and
	// last result and releases the lease; it reports whether it saved d.
	FinishWebhookAttempt(ctx context.Context, d WebhookDelivery, claims int, a WebhookAttempt) (bool, error)
	// RetryEndpointDeliveries makes every PENDING delivery of an endpoint
	// due at at (an endpoint enabled again).
	RetryEndpointDeliveries(ctx context.Context, endpointID string, at time.Time) error
	// RescheduleWebhookDelivery makes a delivery PENDING with its next
	// attempt at at; NOT_FOUND when it does not exist.
	RescheduleWebhookDelivery(ctx context.Context, id string, at time.Time) error
	// ListWebhookDeliveries pages an endpoint's deliveries, newest first.
	ListWebhookDeliveries(ctx context.Context, endpointID string, p Page) (Connection[WebhookDelivery], error)
	// WebhookAttempts lists a delivery's attempts, oldest first.
	WebhookAttempts(ctx context.Context, deliveryID string) ([]WebhookAttempt, error)
}

// WebhookConfig holds the numbers of outbound webhooks.
type WebhookConfig struct {
	// Retries are the waits after each failed attempt; when they run out
	// the delivery is FAILED (default: 5s, 5m, 30m, 2h, 5h, 10h, 10h, 14h,
	// 24h: ten attempts over about 2.7 days).
	Retries []time.Duration
	// DisableAfter disables an endpoint that has failed without a success
	// for this long (default 5 days).
	DisableAfter time.Duration
	// Lease is how long a worker holds a delivery it is sending; a worker
	// that died holding it leaves it to be sent again after (default 1m).
	Lease time.Duration
	// RequireHTTPS refuses endpoint URLs that are not https (production).
	RequireHTTPS bool
}

// DefaultWebhookRetries is the default retry schedule.
var DefaultWebhookRetries = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 10 * time.Hour, 14 * time.Hour, 24 * time.Hour,
}

func (c WebhookConfig) withDefaults() WebhookConfig {
	if c.Retries == nil {
		c.Retries = DefaultWebhookRetries
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = 5 * 24 * time.Hour
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	return c
}

// Bounds of endpoint fields.
const (
	maxWebhookURLLen         = 2048
	maxWebhookDescriptionLen = 500
	maxWebhookEndpoints      = 20
	// DefaultSecretOverlap is how long a rotated secret keeps signing.
	DefaultSecretOverlap = 24 * time.Hour
	// MaxSecretOverlap bounds the overlap a rotation may ask for.
	MaxSecretOverlap    = 7 * 24 * time.Hour
	webhookSecretPrefix = "whsec_"
)

// newWebhookSecret returns "whsec_" and the base64 of 32 random bytes, the
// form Standard Webhooks libraries take.
func newWebhookSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return webhookSecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// validateWebhookURL checks an endpoint URL: absolute http(s) (https when
// required), a host, no user info, at most maxWebhookURLLen bytes. Where
// it resolves is checked when it is dialed (the sender's SSRF guard).
func (s *Service) validateWebhookURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxWebhookURLLen || !utf8.ValidString(raw) {
		return "", InvalidInput("url", "must be an absolute URL of at most %d bytes", maxWebhookURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" || u.Opaque != "" {
		return "", InvalidInput("url", "must be an absolute http(s) URL with a host")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if s.cfg.Webhooks.RequireHTTPS {
			return "", InvalidInput("url", "must be https")
		}
	default:
		return "", InvalidInput("url", "must be an http(s) URL")
	}
	if u.User != nil {
		return "", InvalidInput("url", "must not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", InvalidInput("url", "must not have a fragment")
	}
	return raw, nil
}

// validateEventTypes checks that every type is one WebhookEventTypes
// lists, and returns them without repeats, in that list's order.
func validateEventTypes(types []string) ([]string, error) {
	if len(types) == 0 {
		return nil, InvalidInput("eventTypes", "name at least one event type")
	}
	known := WebhookEventTypes()
	for _, t := range types {
		if !slices.Contains(known, t) {
			if len(t) > 64 {
				t = t[:64]
			}
			return nil, InvalidInput("eventTypes", "unknown event type %q", t)
		}
	}
	var out []string
	for _, t := range known {
		if slices.Contains(types, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func validateDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > maxWebhookDescriptionLen || !utf8.ValidString(d) {
		return "", InvalidInput("description", "must be at most %d characters", maxWebhookDescriptionLen)
	}
	return d, nil
}

// WebhookEndpointInput is what CreateWebhookEndpoint takes.
type WebhookEndpointInput struct {
	OrgID          string
	URL            string
	Description    string
	EventTypes     []string
	IdempotencyKey string
}

// opCreateWebhookEndpoint and opRotateWebhookSecret name the mutations in
// idempotency records.
const (
	opCreateWebhookEndpoint = "createWebhookEndpoint"
	opRotateWebhookSecret   = "rotateWebhookEndpointSecret"
	opSendWebhookTest       = "sendWebhookTest"
)

// CreateWebhookEndpoint adds an enabled endpoint to an org (OWNER, ADMIN)
// and returns it with its signing secret, which no read shows again (a
// retry with the same idempotency key answers the same endpoint and
// secret). It receives events recorded from now on. Codes:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT (url, eventTypes,
// description, idempotencyKey), CONFLICT (a key reused with other input,
// or the org has maxWebhookEndpoints endpoints).
func (s *Service) CreateWebhookEndpoint(ctx context.Context, in WebhookEndpointInput) (WebhookEndpoint, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return WebhookEndpoint{}, err
	}
	u, err := s.validateWebhookURL(in.URL)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	types, err := validateEventTypes(in.EventTypes)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	desc, err := validateDescription(in.Description)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	if _, err := s.authorize(ctx, in.OrgID, ActionManageWebhooks); err != nil {
		return WebhookEndpoint{}, err
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: opCreateWebhookEndpoint,
		hash: requestHash(opCreateWebhookEndpoint, in.OrgID, u, desc, strings.Join(types, ","))}
	replay := func(ctx context.Context, rec IdempotencyRecord) (WebhookEndpoint, error) {
		e, err := s.store.WebhookEndpointByID(ctx, string(rec.Response))
		return e, asDomainError(err)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (WebhookEndpoint, error) {
		now := s.clock.Now()
		e := WebhookEndpoint{ID: newID(), OrgID: in.OrgID, URL: u, Description: desc, EventTypes: types,
			Enabled: true, Secret: newWebhookSecret(), CreatedAt: now, UpdatedAt: now}
		err := s.store.InTx(ctx, func(tx Store) error {
			have, err := tx.ListWebhookEndpoints(ctx, in.OrgID)
			if err != nil {
				return err
			}
			if len(have) >= maxWebhookEndpoints {
				return Errorf(CodeConflict, "an org has at most %d webhook endpoints", maxWebhookEndpoints)
			}
			if err := tx.CreateWebhookEndpoint(ctx, e); err != nil {
				return err
			}
			return record(ctx, tx, []byte(e.ID))
		})
		return e, asDomainError(err)
	})
}

// WebhookEndpoints lists an org's endpoints, oldest first (OWNER, ADMIN).
// Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) WebhookEndpoints(ctx context.Context, orgID string) ([]WebhookEndpoint, error) {
	if _, err := s.authorize(ctx, orgID, ActionManageWebhooks); err != nil {
		return nil, err
	}
	es, err := s.store.ListWebhookEndpoints(ctx, orgID)
	return es, asDomainError(err)
}

// WebhookEndpoint returns an endpoint the caller may manage: FORBIDDEN for
// other members of its org, NOT_FOUND for everyone else.
func (s *Service) WebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error) {
	if !ValidID(id) {
		return WebhookEndpoint{}, NotFound("webhook endpoint")
	}
	e, err := s.store.WebhookEndpointByID(ctx, id)
	if err != nil {
		return WebhookEndpoint{}, asDomainError(err)
	}
	if _, err := s.authorize(ctx, e.OrgID, ActionManageWebhooks); err != nil {
		return WebhookEndpoint{}, memberOrNotFound(err, "webhook endpoint")
	}
	return e, nil
}

// WebhookEndpointUpdate changes some fields of an endpoint; nil leaves a
// field as it is.
type WebhookEndpointUpdate struct {
	ID          string
	URL         *string
	Description *string
	EventTypes  []string // nil: unchanged
	Enabled     *bool
}

// UpdateWebhookEndpoint changes an endpoint (OWNER, ADMIN). Enabling it
// clears its failing state (and the reason it was disabled), and its
// waiting deliveries are tried at once. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_INPUT (url, eventTypes, description).
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, in WebhookEndpointUpdate) (WebhookEndpoint, error) {
	e, err := s.WebhookEndpoint(ctx, in.ID)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	if in.URL != nil {
		if e.URL, err = s.validateWebhookURL(*in.URL); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	if in.Description != nil {
		if e.Description, err = validateDescription(*in.Description); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	if in.EventTypes != nil {
		if e.EventTypes, err = validateEventTypes(in.EventTypes); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	reenabled := false
	if in.Enabled != nil {
		if *in.Enabled && !e.Enabled {
			e.FailingSince, e.DisabledReason, reenabled = nil, "", true
		}
		if !*in.Enabled {
			e.DisabledReason = ""
		}
		e.Enabled = *in.Enabled
	}
	e.UpdatedAt = s.clock.Now()
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		if reenabled {
			return tx.RetryEndpointDeliveries(ctx, e.ID, e.UpdatedAt)
		}
		return nil
	})
	if err != nil {
		return WebhookEndpoint{}, asDomainError(err)
	}
	return e, nil
}

// DeleteWebhookEndpoint removes an endpoint and its delivery log (OWNER,
// ADMIN); nothing more is sent to it. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error) {
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	return e, asDomainError(s.store.DeleteWebhookEndpoint(ctx, id))
}

// RotateWebhookSecret gives an endpoint a new signing secret (OWNER,
// ADMIN) and returns the endpoint with it, shown only now. The old secret
// keeps signing deliveries (a second signature) for overlap (0 to
// MaxSecretOverlap; 0 ends it at once), so receivers can switch without
// losing one. A retry with the same idempotency key answers the current
// secret without rotating again. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_INPUT (overlap, idempotencyKey), CONFLICT.
func (s *Service) RotateWebhookSecret(ctx context.Context, id string, overlap time.Duration, idempotencyKey string) (WebhookEndpoint, error) {
	if err := validateKey(idempotencyKey); err != nil {
		return WebhookEndpoint{}, err
	}
	if overlap < 0 || overlap > MaxSecretOverlap {
		return WebhookEndpoint{}, InvalidInput("overlapHours", "must be between 0 and %d hours", int(MaxSecretOverlap/time.Hour))
	}
	e, err := s.WebhookEndpoint(ctx, id)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	k := idemKey{orgID: e.OrgID, key: idempotencyKey, op: opRotateWebhookSecret, hash: requestHash(opRotateWebhookSecret, id, overlap)}
	replay := func(ctx context.Context, _ IdempotencyRecord) (WebhookEndpoint, error) {
		e, err := s.store.WebhookEndpointByID(ctx, id)
		return e, asDomainError(err)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (WebhookEndpoint, error) {
		var out WebhookEndpoint
		err := s.store.InTx(ctx, func(tx Store) error {
			e, err := tx.WebhookEndpointByID(ctx, id)
			if err != nil {
				return err
			}
			now := s.clock.Now()
			until := now.Add(overlap)
			e.PreviousSecret, e.PreviousSecretUntil = e.Secret, &until
			e.Secret, e.UpdatedAt = newWebhookSecret(), now
			if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
				return err
			}
			out = e
			return record(ctx, tx, nil)
		})
		return out, asDomainError(err)
	})
}

// WebhookEventTypes lists the types an endpoint may subscribe to, for a
// signed-in caller. Codes: UNAUTHENTICATED.
func (s *Service) WebhookEventTypes(ctx context.Context) ([]string, error) {
	if _, ok := ActorFrom(ctx); !ok {
		return nil, Errorf(CodeUnauthenticated, "sign in required")
	}
	return WebhookEventTypes(), nil
}

package domain

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WebhookDeliveryStatus is where a delivery stands.
type WebhookDeliveryStatus string

// Delivery statuses.
const (
	// WebhookPending: not delivered yet; NextAttemptAt says when it is tried.
	WebhookPending WebhookDeliveryStatus = "PENDING"
	// WebhookSucceeded: an attempt got a 2xx answer.
	WebhookSucceeded WebhookDeliveryStatus = "SUCCEEDED"
	// WebhookFailed: every attempt of the retry schedule failed.
	WebhookFailed WebhookDeliveryStatus = "FAILED"
)

// WebhookDelivery is one org event sent to one endpoint, with the outcome
// of its last attempt.
type WebhookDelivery struct {
	ID         string
	OrgID      string
	EndpointID string
	EventID    string
	// EventType is the event's webhook type ("order.paid").
	EventType string
	Status    WebhookDeliveryStatus
	// Attempts counts the attempts made (the delivery log's length).
	Attempts int
	// Claims counts the times a worker took the delivery; each claim is
	// worked by its own job.
	Claims         int
	NextAttemptAt  *time.Time
	LeaseUntil     *time.Time
	LastStatusCode int
	LastLatency    time.Duration
	LastError      string
	LastResponse   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookAttempt is one attempt of a delivery: the answer's status code
// (0 when none came), how long it took, the first KiB of the answer, or
// why no answer came.
type WebhookAttempt struct {
	ID         string
	DeliveryID string
	At         time.Time
	StatusCode int
	Latency    time.Duration
	Error      string
	Response   string
}

// OutboundRequest is one signed POST to an endpoint.
type OutboundRequest struct {
	URL     string
	Headers map[string]string
	Body    []byte
}

// OutboundResponse is what an endpoint answered: its status code and the
// start of its body (at most MaxWebhookExcerpt bytes).
type OutboundResponse struct {
	StatusCode int
	Excerpt    string
}

// MaxWebhookExcerpt bounds the answer kept of each attempt.
const MaxWebhookExcerpt = 1024

// OutboundSender posts outbound webhooks (cmd/tally/internal/hookpost:
// HTTP with a timeout, no redirects, no private addresses in production).
// Send returns the answer, whatever its status, or an error when none came
// (refused address, connection, timeout).
type OutboundSender interface {
	Send(ctx context.Context, r OutboundRequest) (OutboundResponse, error)
}

// IDEncoder turns a domain ID into the API's global ID of an object of
// GraphQL type typ (graph.EncodeID; the domain does not import graph).
type IDEncoder func(typ, id string) string

// hookSender is what sending outbound webhooks needs.
type hookSender struct {
	send     OutboundSender
	encodeID IDEncoder
}

// WithWebhookSender sets how outbound webhooks are posted and how their
// payloads name objects (nil encodeID: raw domain IDs). Without it
// deliveries are created but DeliverWebhook fails and they wait.
func WithWebhookSender(send OutboundSender, encodeID IDEncoder) Option {
	return func(s *Service) {
		if encodeID == nil {
			encodeID = func(_, id string) string { return id }
		}
		s.hooks = &hookSender{send: send, encodeID: encodeID}
	}
}

// webhookDetailIDs are the detail keys that hold IDs of API objects, with
// the GraphQL type their global ID names.
var webhookDetailIDs = map[string]string{
	"orderId": "Order", "invoiceId": "Invoice", "creditNoteId": "CreditNote",
	"subscriptionId": "Subscription", "planId": "Plan", "packId": "Pack",
	"userId": "User", "paymentMethodId": "PaymentMethod",
}

// webhookBody is the JSON body of an outbound webhook.
type webhookBody struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// webhookPayload is ev as a webhook body: its type, its time, and data
// with its ID, sequence, org and detail, IDs of API objects as global IDs.
func (s *Service) webhookPayload(ev OrgEvent) ([]byte, error) {
	enc := func(_, id string) string { return id }
	if s.hooks != nil {
		enc = s.hooks.encodeID
	}
	data := make(map[string]any, len(ev.Detail)+3)
	for k, v := range ev.Detail {
		if typ, ok := webhookDetailIDs[k]; ok && v != "" {
			v = enc(typ, v)
		}
		data[k] = v
	}
	data["id"], data["sequence"], data["orgId"] = ev.ID, ev.Seq, enc("Org", ev.OrgID)
	return json.Marshal(webhookBody{Type: ev.Kind.WebhookType(), Timestamp: ev.CreatedAt.UTC().Format(time.RFC3339Nano), Data: data})
}

// SignWebhook is the Standard Webhooks signature of a message with ID id
// sent at unix second ts: "v1," and the base64 HMAC-SHA256, keyed with
// the secret's decoded bytes, of "id.ts.body".
func SignWebhook(secret, id string, ts int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, webhookSecretPrefix))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// FanOutWebhooks creates the deliveries of up to limit org events not fanned
// out yet, in recording order: one per enabled endpoint of the event's
// org that subscribes to its type and existed when it was recorded. It
// returns how many events it fanned out. Safe when runs overlap: a
// delivery is unique per event and endpoint.
func (s *Service) FanOutWebhooks(ctx context.Context, limit int) (int, error) {
	evs, err := s.store.UnfannedOrgEvents(ctx, limit)
	if err != nil {
		return 0, asDomainError(err)
	}
	return runEach(evs, func(ev OrgEvent) (bool, error) {
		err := s.store.InTx(ctx, func(tx Store) error {
			now := s.clock.Now()
			if t := ev.Kind.WebhookType(); t != "" && ev.Kind != OrgEventWebhookTest {
				es, err := tx.ListWebhookEndpoints(ctx, ev.OrgID)
				if err != nil {
					return err
				}
				for _, e := range es {
					if !e.Enabled || !e.Subscribes(t) || e.CreatedAt.After(ev.CreatedAt) {
						continue
					}
					if _, err := tx.AddWebhookDelivery(ctx, newDelivery(e, ev, now)); err != nil {
						return err
					}
				}
			}
			return tx.MarkOrgEventFannedOut(ctx, ev.ID, now)
		})
		return err == nil, asDomainError(err)
	})
}

func newDelivery(e WebhookEndpoint, ev OrgEvent, now time.Time) WebhookDelivery {
	return WebhookDelivery{ID: newID(), OrgID: e.OrgID, EndpointID: e.ID, EventID: ev.ID, EventType: ev.Kind.WebhookType(),
		Status: WebhookPending, NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now}
}

// DueWebhookDeliveries lists up to limit deliveries due now that no worker
// holds: the deliver jobs to queue, each unique per delivery and claim.
func (s *Service) DueWebhookDeliveries(ctx context.Context, limit int) ([]WebhookDelivery, error) {
	ds, err := s.store.DueWebhookDeliveries(ctx, s.clock.Now(), limit)
	return ds, asDomainError(err)
}

// DeliverWebhook makes one attempt of a delivery listed with claim count
// claims: it claims the delivery with a lease (nothing happens when it is
// not due any more or another worker claimed it), posts the signed event,
// and records the attempt. A failed attempt schedules the next one from
// Config.Webhooks.Retries, or makes the delivery FAILED when they ran
// out; the endpoint's failing state follows, and an endpoint failing for
// longer than DisableAfter is disabled (WEBHOOK_ENDPOINT_DISABLED, mailed
// to the billing contacts). A worker that dies after the claim (or whose
// ctx ends mid-request) records nothing: the lease expires and the
// delivery is claimed and sent again, with the same webhook-id, so
// receivers see it at least once. An endpoint's answer, good or bad, is
// not an error; an error means the attempt could not be made or recorded.
func (s *Service) DeliverWebhook(ctx context.Context, deliveryID string, claims int) error {
	if s.hooks == nil || s.hooks.send == nil {
		return Internal(errors.New("no webhook sender configured"))
	}
	now := s.clock.Now()
	ok, err := s.store.ClaimWebhookDelivery(ctx, deliveryID, claims, now, now.Add(s.cfg.Webhooks.Lease))
	if err != nil || !ok {
		return asDomainError(err)
	}
	held := claims + 1
	d, err := s.store.WebhookDeliveryByID(ctx, deliveryID)
	if err != nil {
		return asDomainError(err)
	}
	e, err := s.store.WebhookEndpointByID(ctx, d.EndpointID)
	if err != nil {
		return asDomainError(err)
	}
	ev, err := s.store.OrgEventByID(ctx, d.EventID)
	if err != nil {
		return asDomainError(err)
	}
	body, err := s.webhookPayload(ev)
	if err != nil {
		return Internal(err)
	}
	sentAt := s.clock.Now()
	ts := sentAt.Unix()
	var sigs []string
	for _, secret := range e.signingSecrets(sentAt) {
		sig, err := SignWebhook(secret, ev.ID, ts, body)
		if err != nil {
			return Internal(err)
		}
		sigs = append(sigs, sig)
	}
	req := OutboundRequest{URL: e.URL, Body: body, Headers: map[string]string{
		"content-type": "application/json", "webhook-id": ev.ID,
		"webhook-timestamp": strconv.FormatInt(ts, 10), "webhook-signature": strings.Join(sigs, " "),
	}}
	start := time.Now()
	resp, sendErr := s.hooks.send.Send(ctx, req)
	latency := time.Since(start)
	if ctx.Err() != nil {
		// Stopped mid-request (shutdown): the lease runs out and the
		// delivery is sent again.
		return ctx.Err()
	}
	a := WebhookAttempt{ID: newID(), DeliveryID: d.ID, At: sentAt, StatusCode: resp.StatusCode,
		Latency: latency, Response: excerpt(resp.Excerpt)}
	success := sendErr == nil && resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case sendErr != nil:
		a.Error = excerpt(sendErr.Error())
	case !success:
		a.Error = fmt.Sprintf("HTTP %d", resp.StatusCode)
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			a.Error += " (redirects are not followed)"
		}
	}
	disabled := false
	err = s.store.InTx(ctx, func(tx Store) error {
		now := s.clock.Now()
		d.Attempts++
		d.LastStatusCode, d.LastLatency, d.LastError, d.LastResponse = a.StatusCode, a.Latency, a.Error, a.Response
		d.UpdatedAt, d.LeaseUntil = now, nil
		if success {
			d.Status, d.NextAttemptAt = WebhookSucceeded, nil
		} else if d.Attempts > len(s.cfg.Webhooks.Retries) {
			d.Status, d.NextAttemptAt = WebhookFailed, nil
		} else {
			next := now.Add(s.cfg.Webhooks.Retries[d.Attempts-1])
			d.Status, d.NextAttemptAt = WebhookPending, &next
		}
		saved, err := tx.FinishWebhookAttempt(ctx, d, held, a)
		if err != nil || !saved {
			return err
		}
		e, err := tx.WebhookEndpointByID(ctx, d.EndpointID)
		if err != nil {
			return err
		}
		switch {
		case success && e.FailingSince != nil:
			e.FailingSince = nil
		case success:
			return nil
		case e.FailingSince == nil:
			e.FailingSince = &sentAt
		case e.Enabled && now.Sub(*e.FailingSince) >= s.cfg.Webhooks.DisableAfter:
			e.Enabled, disabled = false, true
			e.DisabledReason = fmt.Sprintf("no successful delivery since %s", e.FailingSince.UTC().Format(time.RFC3339))
			if err := s.recordEventTx(ctx, tx, e.OrgID, OrgEventWebhookEndpointDisabled,
				"webhook-endpoint-disabled:"+e.ID+":"+e.FailingSince.UTC().Format(time.RFC3339Nano),
				map[string]string{"url": e.URL, "failingSince": e.FailingSince.UTC().Format(time.RFC3339), "lastError": a.Error, "endpointId": e.ID},
				now); err != nil {
				return err
			}
		default:
			return nil
		}
		e.UpdatedAt = now
		return tx.UpdateWebhookEndpoint(ctx, e)
	})
	if err != nil {
		return asDomainError(err)
	}
	if disabled {
		s.publishOrgEvent(ctx, e.OrgID)
	}
	return nil
}

// excerpt cuts s to MaxWebhookExcerpt bytes at a character boundary.
func excerpt(s string) string {
	if len(s) <= MaxWebhookExcerpt {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	s = s[:MaxWebhookExcerpt]
	for !utf8.ValidString(s) && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s
}

// WebhookDeliveries pages an endpoint's deliveries, newest first (OWNER,
// ADMIN). Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT
// (first, after).
func (s *Service) WebhookDeliveries(ctx context.Context, endpointID string, p Page) (Connection[WebhookDelivery], error) {
	if _, err := s.WebhookEndpoint(ctx, endpointID); err != nil {
		return Connection[WebhookDelivery]{}, err
	}
	c, err := s.store.ListWebhookDeliveries(ctx, endpointID, p)
	return c, asDomainError(err)
}

// WebhookAttempts lists a delivery's attempts, oldest first. The caller
// must have read the delivery through WebhookDeliveries or
// RedeliverWebhook (the graph resolves it as a field of one).
func (s *Service) WebhookAttempts(ctx context.Context, deliveryID string) ([]WebhookAttempt, error) {
	as, err := s.store.WebhookAttempts(ctx, deliveryID)
	return as, asDomainError(err)
}

// WebhookDelivery returns a delivery whose endpoint the caller may manage:
// FORBIDDEN for other members of its org, NOT_FOUND for everyone else.
func (s *Service) WebhookDelivery(ctx context.Context, id string) (WebhookDelivery, error) {
	if !ValidID(id) {
		return WebhookDelivery{}, NotFound("webhook delivery")
	}
	d, err := s.store.WebhookDeliveryByID(ctx, id)
	if err != nil {
		return WebhookDelivery{}, asDomainError(err)
	}
	if _, err := s.authorize(ctx, d.OrgID, ActionManageWebhooks); err != nil {
		return WebhookDelivery{}, memberOrNotFound(err, "webhook delivery")
	}
	return d, nil
}

// RedeliverWebhook asks for a new attempt of a delivery now (OWNER,
// ADMIN), whatever its status: a FAILED or SUCCEEDED delivery is PENDING
// again for one attempt (a FAILED one that fails again is FAILED again).
// The endpoint must be enabled. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, CONFLICT (endpoint disabled).
func (s *Service) RedeliverWebhook(ctx context.Context, deliveryID string) (WebhookDelivery, error) {
	d, err := s.WebhookDelivery(ctx, deliveryID)
	if err != nil {
		return WebhookDelivery{}, err
	}
	e, err := s.store.WebhookEndpointByID(ctx, d.EndpointID)
	if err != nil {
		return WebhookDelivery{}, asDomainError(err)
	}
	if !e.Enabled {
		return WebhookDelivery{}, Errorf(CodeConflict, "the webhook endpoint is disabled; enable it first")
	}
	if err := s.store.RescheduleWebhookDelivery(ctx, d.ID, s.clock.Now()); err != nil {
		return WebhookDelivery{}, asDomainError(err)
	}
	d, err = s.store.WebhookDeliveryByID(ctx, d.ID)
	return d, asDomainError(err)
}

// SendWebhookTest records a WEBHOOK_TEST event for one endpoint (OWNER,
// ADMIN) and returns its delivery, due now: it goes to that endpoint only,
// whatever it subscribes to, signed like any other. The endpoint must be
// enabled. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT
// (idempotencyKey), CONFLICT (endpoint disabled, key reused).
func (s *Service) SendWebhookTest(ctx context.Context, endpointID, idempotencyKey string) (WebhookDelivery, error) {
	if err := validateKey(idempotencyKey); err != nil {
		return WebhookDelivery{}, err
	}
	e, err := s.WebhookEndpoint(ctx, endpointID)
	if err != nil {
		return WebhookDelivery{}, err
	}
	if !e.Enabled {
		return WebhookDelivery{}, Errorf(CodeConflict, "the webhook endpoint is disabled; enable it first")
	}
	k := idemKey{orgID: e.OrgID, key: idempotencyKey, op: opSendWebhookTest, hash: requestHash(opSendWebhookTest, endpointID)}
	replay := func(ctx context.Context, rec IdempotencyRecord) (WebhookDelivery, error) {
		d, err := s.store.WebhookDeliveryByID(ctx, string(rec.Response))
		return d, asDomainError(err)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (WebhookDelivery, error) {
		now := s.clock.Now()
		evID := newID()
		ev := OrgEvent{ID: evID, OrgID: e.OrgID, Kind: OrgEventWebhookTest,
			Key: "webhook-test:" + evID, Detail: map[string]string{"endpointUrl": e.URL}, CreatedAt: now}
		d := newDelivery(e, ev, now)
		err := s.store.InTx(ctx, func(tx Store) error {
			if _, err := tx.AddOrgEvent(ctx, ev); err != nil {
				return err
			}
			if err := tx.MarkOrgEventFannedOut(ctx, evID, now); err != nil {
				return err
			}
			if _, err := tx.AddWebhookDelivery(ctx, d); err != nil {
				return err
			}
			return record(ctx, tx, []byte(d.ID))
		})
		if err != nil {
			return WebhookDelivery{}, asDomainError(err)
		}
		s.publishOrgEvent(ctx, e.OrgID)
		return d, nil
	})
}

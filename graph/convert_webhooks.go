package graph

import (
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// toWebhookEndpoint converts an endpoint; its secrets never leave here.
func toWebhookEndpoint(e domain.WebhookEndpoint) *model.WebhookEndpoint {
	out := &model.WebhookEndpoint{
		ID: EncodeID(typeWebhookEndpoint, e.ID), EndpointID: e.ID, URL: e.URL, Description: e.Description,
		EventTypes: e.EventTypes, Enabled: e.Enabled, FailingSince: e.FailingSince,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
	if out.EventTypes == nil {
		out.EventTypes = []string{}
	}
	if e.DisabledReason != "" {
		r := e.DisabledReason
		out.DisabledReason = &r
	}
	if e.PreviousSecret != "" && e.PreviousSecretUntil != nil && e.PreviousSecretUntil.After(e.UpdatedAt) {
		out.PreviousSecretExpiresAt = e.PreviousSecretUntil
	}
	return out
}

func toWebhookEndpoints(es []domain.WebhookEndpoint) []*model.WebhookEndpoint {
	out := make([]*model.WebhookEndpoint, len(es))
	for i, e := range es {
		out[i] = toWebhookEndpoint(e)
	}
	return out
}

func toWebhookDelivery(d domain.WebhookDelivery) *model.WebhookDelivery {
	return &model.WebhookDelivery{
		ID: EncodeID(typeWebhookDelivery, d.ID), DeliveryID: d.ID, EventID: d.EventID, EventType: d.EventType,
		Status: model.WebhookDeliveryStatus(d.Status), AttemptCount: d.Attempts, NextAttemptAt: d.NextAttemptAt,
		CreatedAt: d.CreatedAt,
	}
}

func toWebhookDeliveryConnection(c domain.Connection[domain.WebhookDelivery]) *model.WebhookDeliveryConnection {
	out := &model.WebhookDeliveryConnection{Edges: make([]*model.WebhookDeliveryEdge, len(c.Edges)), PageInfo: toPageInfo(c.HasNextPage, c.EndCursor())}
	for i, e := range c.Edges {
		out.Edges[i] = &model.WebhookDeliveryEdge{Cursor: e.Cursor, Node: toWebhookDelivery(e.Node)}
	}
	return out
}

func toWebhookAttempt(a domain.WebhookAttempt) *model.WebhookAttempt {
	out := &model.WebhookAttempt{At: a.At, LatencyMs: int(a.Latency.Milliseconds()), Response: a.Response}
	if a.StatusCode != 0 {
		c := a.StatusCode
		out.StatusCode = &c
	}
	if a.Error != "" {
		e := a.Error
		out.Error = &e
	}
	return out
}

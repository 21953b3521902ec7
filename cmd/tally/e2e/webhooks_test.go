package e2e

import (
	"strings"
	"sync"
	"testing"
)

// The webhook operations of the authorization matrix. Endpoints point at
// a closed loopback port (the e2e servers run in development, where
// private addresses are allowed), so their deliveries fail quietly.

const matrixHookURL = "http://127.0.0.1:1/matrix"

// createHook makes an endpoint of org as c and returns its ID and secret.
func (c *client) createHook(t testing.TB, orgID, url, key string, types ...string) (id, secret string) {
	t.Helper()
	var out struct {
		Endpoint struct{ ID string }
		Secret   string
	}
	c.must(t, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } secret } }`,
		map[string]any{"in": map[string]any{"orgId": orgID, "url": url, "eventTypes": types, "idempotencyKey": key}},
		"createWebhookEndpoint", &out)
	return out.Endpoint.ID, out.Secret
}

// matrixHooks is the endpoint the matrix's rows share, per fixture (an
// org has at most 20).
var matrixHooks sync.Map

// hookPrep names org A's shared endpoint and a new test delivery to it.
func hookPrep(t *testing.T, f *matrixFixture, name string) target {
	id, ok := matrixHooks.Load(f)
	if !ok {
		id, _ = f.owner.createHook(t, f.orgA, matrixHookURL, "prep-shared", "order.paid")
		matrixHooks.Store(f, id)
	}
	return hookPrepOn(t, f, id.(string), name)
}

// ownHookPrep makes an endpoint for one row (one that deletes it).
func ownHookPrep(t *testing.T, f *matrixFixture, name string) target {
	id, _ := f.owner.createHook(t, f.orgA, matrixHookURL, "prep-"+name, "order.paid")
	return hookPrepOn(t, f, id, name)
}

func hookPrepOn(t *testing.T, f *matrixFixture, id, name string) target {
	var d struct{ ID string }
	f.owner.must(t, `mutation($e: ID!, $k: String!) { sendWebhookTest(endpointId: $e, idempotencyKey: $k) { id } }`,
		map[string]any{"e": id, "k": "prep-test-" + name}, "sendWebhookTest", &d)
	return target{org: f.orgA, hook: id, delivery: d.ID}
}

var opWebhookEndpoints = orgQuery("org.webhookEndpoints",
	"webhookEndpoints { id url eventTypes enabled deliveries(first: 5) { edges { node { id status attempts { statusCode } } } } }", nil)

var opWebhookTypes = matrixOp{
	name: "webhookEventTypes", field: "webhookEventTypes",
	call: func(t *testing.T, c *client, _ target, _ string) result {
		return c.do(t, `{ webhookEventTypes }`, nil)
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, _, _ orgState) {
		var types []string
		decode(t, r, "webhookEventTypes", &types)
		if len(types) < 20 || !strings.Contains(strings.Join(types, " "), "order.paid") {
			t.Fatalf("types %v", types)
		}
	},
}

var opCreateHook = matrixOp{
	name: "createWebhookEndpoint", field: "createWebhookEndpoint",
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id url } secret } }`,
			map[string]any{"in": map[string]any{"orgId": tg.org, "url": matrixHookURL, "eventTypes": []string{"order.paid"}, "idempotencyKey": name}})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, _, _ orgState) {
		var out struct{ Secret string }
		decode(t, r, "createWebhookEndpoint", &out)
		if !strings.HasPrefix(out.Secret, "whsec_") {
			t.Fatalf("secret %q", out.Secret)
		}
	},
}

var opUpdateHook = matrixOp{
	name: "updateWebhookEndpoint", field: "updateWebhookEndpoint", prep: hookPrep,
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($in: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $in) { id description } }`,
			map[string]any{"in": map[string]any{"id": tg.hook, "description": "changed"}})
	},
}

var opDeleteHook = matrixOp{
	name: "deleteWebhookEndpoint", field: "deleteWebhookEndpoint", prep: ownHookPrep,
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, map[string]any{"id": tg.hook})
	},
}

var opRotateHook = matrixOp{
	name: "rotateWebhookEndpointSecret", field: "rotateWebhookEndpointSecret", prep: hookPrep,
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($id: ID!, $k: String!) { rotateWebhookEndpointSecret(id: $id, overlapHours: 1, idempotencyKey: $k) { endpoint { previousSecretExpiresAt } secret } }`,
			map[string]any{"id": tg.hook, "k": name})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, _, _ orgState) {
		var out struct {
			Endpoint struct{ PreviousSecretExpiresAt *string }
			Secret   string
		}
		decode(t, r, "rotateWebhookEndpointSecret", &out)
		if !strings.HasPrefix(out.Secret, "whsec_") || out.Endpoint.PreviousSecretExpiresAt == nil {
			t.Fatalf("rotation %+v", out)
		}
	},
}

var opTestHook = matrixOp{
	name: "sendWebhookTest", field: "sendWebhookTest", prep: hookPrep,
	call: func(t *testing.T, c *client, tg target, name string) result {
		return c.do(t, `mutation($e: ID!, $k: String!) { sendWebhookTest(endpointId: $e, idempotencyKey: $k) { id eventType status } }`,
			map[string]any{"e": tg.hook, "k": name})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, _ target, r result, _, _ orgState) {
		var out struct{ EventType string }
		decode(t, r, "sendWebhookTest", &out)
		if out.EventType != "webhook.test" {
			t.Fatalf("test delivery %+v", out)
		}
	},
}

var opRedeliverHook = matrixOp{
	name: "redeliverWebhook", field: "redeliverWebhook", prep: hookPrep,
	call: func(t *testing.T, c *client, tg target, _ string) result {
		return c.do(t, `mutation($id: ID!) { redeliverWebhook(id: $id) { id status } }`, map[string]any{"id": tg.delivery})
	},
	check: func(t *testing.T, _ *matrixFixture, _ string, tg target, r result, _, _ orgState) {
		var out struct{ ID, Status string }
		decode(t, r, "redeliverWebhook", &out)
		if out.ID != tg.delivery || out.Status != "PENDING" {
			t.Fatalf("redelivery %+v", out)
		}
	},
}

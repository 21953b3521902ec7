package graph

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// TestPushCacheBounded: however many events are rendered, the cache holds
// at most two generations of max entries, and drops both once idle past
// twice the TTL.
func TestPushCacheBounded(t *testing.T) {
	now := time.Unix(0, 0)
	pc := &pushCache{max: 4, ttl: time.Second, now: func() time.Time { return now }}
	var shape pushShape
	for i := range 1000 {
		ev := &model.BalanceEvent{}
		s, first := pc.slot(pushKey{event: ev, shape: shape})
		if !first {
			t.Fatalf("event %d: a new event found a render", i)
		}
		s.publish([]byte("{}"))
		if again, first := pc.slot(pushKey{event: ev, shape: shape}); first || again != s {
			t.Fatalf("event %d: the same key did not find its render", i)
		}
		if n := pc.size(); n > 2*pc.max {
			t.Fatalf("after %d events the cache holds %d renders (max %d)", i+1, n, 2*pc.max)
		}
		now = now.Add(10 * time.Millisecond)
	}
	now = now.Add(3 * time.Second)
	s, _ := pc.slot(pushKey{event: &model.BalanceEvent{}, shape: shape})
	s.publish(nil)
	if n := pc.size(); n != 1 {
		t.Fatalf("after an idle spell the cache holds %d renders, want 1", n)
	}
}

// TestPushCacheKeys: a render is found only for the same event (by
// identity, not value) and the same shape.
func TestPushCacheKeys(t *testing.T) {
	pc := newPushCache()
	a, b := &model.BalanceEvent{}, &model.BalanceEvent{}
	var s1, s2 pushShape
	s2[0] = 1
	for _, k := range []pushKey{{a, s1}, {b, s1}, {a, s2}} {
		if _, first := pc.slot(k); !first {
			t.Fatalf("%v found another key's render", k)
		}
	}
}

// TestShapeOf: operations share renders only with the same actor,
// document, operation name and variables (in any key order).
func TestShapeOf(t *testing.T) {
	sess := func(principal string, a domain.Actor) *session { return &session{principal: principal, actor: a} }
	owner := sess("user:u1", domain.Actor{UserID: "u1"})
	op := func(name, query string, vars map[string]any) *graphql.OperationContext {
		return &graphql.OperationContext{OperationName: name, RawQuery: query, Variables: vars}
	}
	base, ok := shapeOf(owner, op("", "q", map[string]any{"o": "1", "x": true}))
	if !ok {
		t.Fatal("no shape")
	}
	if same, _ := shapeOf(sess("user:u1", domain.Actor{UserID: "u1"}), op("", "q", map[string]any{"x": true, "o": "1"})); same != base {
		t.Error("the same operation of the same actor has another shape")
	}
	for name, c := range map[string]struct {
		s  *session
		rc *graphql.OperationContext
	}{
		"other user":     {sess("user:u2", domain.Actor{UserID: "u2"}), op("", "q", map[string]any{"o": "1", "x": true})},
		"platform admin": {sess("user:u1", domain.Actor{UserID: "u1", PlatformAdmin: true}), op("", "q", map[string]any{"o": "1", "x": true})},
		"API key":        {sess("key:k1", domain.Actor{APIKeyID: "k1"}), op("", "q", map[string]any{"o": "1", "x": true})},
		"document":       {owner, op("", "q2", map[string]any{"o": "1", "x": true})},
		"operation name": {owner, op("N", "q", map[string]any{"o": "1", "x": true})},
		"variables":      {owner, op("", "q", map[string]any{"o": "1", "x": false})},
	} {
		if other, _ := shapeOf(c.s, c.rc); other == base {
			t.Errorf("%s: same shape", name)
		}
	}
	if _, ok := shapeOf(nil, op("", "q", nil)); ok {
		t.Error("an operation without a session shares")
	}
}

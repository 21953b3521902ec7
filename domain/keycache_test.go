package domain

import (
	"testing"
	"time"
)

func TestKeyCache(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Actor{APIKeyID: "k1", APIKeyOrgID: "o1"}
	b := Actor{APIKeyID: "k2", APIKeyOrgID: "o1"}
	tests := []struct {
		name string
		run  func(c *keyCache) (Actor, bool)
		want bool
	}{
		{"miss", func(c *keyCache) (Actor, bool) { return c.get("h1", t0) }, false},
		{"hit while fresh", func(c *keyCache) (Actor, bool) { c.put("h1", a, t0); return c.get("h1", t0.Add(time.Second)) }, true},
		{"expired at ttl", func(c *keyCache) (Actor, bool) { c.put("h1", a, t0); return c.get("h1", t0.Add(2*time.Second)) }, false},
		{"forgotten on revoke", func(c *keyCache) (Actor, bool) {
			c.put("h1", a, t0)
			c.put("h2", b, t0)
			c.forget("k1")
			if _, ok := c.get("h2", t0); !ok {
				t.Error("forget dropped another key")
			}
			return c.get("h1", t0)
		}, false},
		{"full cache makes room", func(c *keyCache) (Actor, bool) {
			c.put("h1", a, t0)
			c.put("h2", b, t0)
			c.put("h3", a, t0) // max 2: refill from empty
			return c.get("h3", t0)
		}, true},
		{"nil cache is disabled", func(*keyCache) (Actor, bool) {
			var c *keyCache
			c.put("h1", a, t0)
			return c.get("h1", t0)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.run(newKeyCache(2*time.Second, 2))
			if ok != tt.want || (ok && got.APIKeyID == "") {
				t.Fatalf("got %+v %v, want hit=%v", got, ok, tt.want)
			}
		})
	}
}

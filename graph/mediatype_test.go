package graph

import "testing"

// TestNegotiate: the response media type for Accept headers, q-values and
// ranges included; ok false (406) when neither type is acceptable.
func TestNegotiate(t *testing.T) {
	const j, g = mediaJSON, mediaGraphQLResponse
	tests := []struct {
		accept string
		want   string // "" for 406
	}{
		{"", j},
		{"  ", j},
		{"application/json", j},
		{"application/graphql-response+json", g},
		{"application/graphql-response+json; charset=utf-8", g},
		{"*/*", j},
		{"application/*", j},
		{"application/*, */*", j},
		{"application/json, application/graphql-response+json", g},
		{"application/graphql-response+json, application/json", g},
		{"application/graphql-response+json,application/json;q=0.9", g}, // what Apollo Client sends
		{"application/json;q=0.9, application/graphql-response+json", g},
		{"application/graphql-response+json;q=0.5, application/json", j},
		{"application/json, */*", j},
		{"application/graphql-response+json, */*;q=0.1", g},
		{"*/*;q=0.5, application/json;q=0", g},
		{"application/*;q=0.2, application/graphql-response+json;q=0.1", j},
		{"text/html", ""},
		{"text/html, text/*", ""},
		{"application/xml, image/*", ""},
		{"application/json;q=0, application/graphql-response+json;q=0, */*", ""},
		{"*/*;q=0", ""},
		{"application/json;q=abc", ""}, // a bad q drops the entry
		{"application/json;q=2, application/graphql-response+json", g}, // so does one out of range
		{"not a media type, application/json", j},
		{"APPLICATION/JSON", j},
	}
	for _, tc := range tests {
		got, ok := negotiate(tc.accept)
		if tc.want == "" {
			if ok {
				t.Errorf("Accept %q: %s, want 406", tc.accept, got)
			}
			continue
		}
		if !ok || got != tc.want {
			t.Errorf("Accept %q: %s (ok %v), want %s", tc.accept, got, ok, tc.want)
		}
	}
}

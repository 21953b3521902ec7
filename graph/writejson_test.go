package graph

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestWriteJSON: the answer of an operation that ran is what json.Marshal
// writes for it, whether writeJSON copies the data itself (plain data) or
// leaves it to json.Marshal (white space, characters it escapes, errors,
// extensions).
func TestWriteJSON(t *testing.T) {
	yes := true
	tests := []struct {
		name  string
		resp  *graphql.Response
		plain bool
	}{
		{"plain", &graphql.Response{Data: json.RawMessage(`{"org":{"balance":{"total":"10","free":"0","paid":"10"}}}`)}, true},
		{"null data", &graphql.Response{Data: json.RawMessage(`null`)}, true},
		{"no data", &graphql.Response{}, false},
		{"space in a string", &graphql.Response{Data: json.RawMessage(`{"name":"read 0001"}`)}, true},
		{"escaped quote", &graphql.Response{Data: json.RawMessage(`{"name":"a\" b","n":1}`)}, true},
		{"space outside strings", &graphql.Response{Data: json.RawMessage(`{"a": 1}`)}, false},
		{"newline", &graphql.Response{Data: json.RawMessage("{\"a\":\n1}")}, false},
		{"html", &graphql.Response{Data: json.RawMessage(`{"a":"<b>&"}`)}, false},
		{"line separator", &graphql.Response{Data: json.RawMessage("{\"a\":\"x\u2028y\"}")}, false},
		{"errors", &graphql.Response{Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "no"}}}, false},
		{"extensions", &graphql.Response{Data: json.RawMessage(`{}`), Extensions: map[string]any{"x": 1}}, false},
		{"hasNext", &graphql.Response{Data: json.RawMessage(`{}`), HasNext: &yes}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.resp.Data != nil && len(tt.resp.Errors) == 0 && len(tt.resp.Extensions) == 0 && tt.resp.HasNext == nil && plainJSON(tt.resp.Data); got != tt.plain {
				t.Errorf("copied as is: %v, want %v", got, tt.plain)
			}
			want, err := json.Marshal(tt.resp)
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			writeJSON(w, tt.resp)
			if got := w.Body.String(); got != string(want) {
				t.Errorf("wrote %s, want %s", got, want)
			}
		})
	}
}

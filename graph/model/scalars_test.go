package model

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestUnmarshalCredits(t *testing.T) {
	tests := []struct {
		name    string
		in      any
		want    int64
		wantErr bool
	}{
		{"zero", json.Number("0"), 0, false},
		{"one", json.Number("1"), 1, false},
		{"negative", json.Number("-5"), -5, false},
		{"max", json.Number("9007199254740991"), domain.MaxCredits, false},
		{"min", json.Number("-9007199254740991"), -domain.MaxCredits, false},
		{"literal int", int64(42), 42, false},
		{"go int", 7, 7, false},
		{"2^53", json.Number("9007199254740992"), 0, true},
		{"-2^53", json.Number("-9007199254740992"), 0, true},
		{"literal 2^53", int64(1) << 53, 0, true},
		{"beyond int64", json.Number("92233720368547758070"), 0, true},
		{"fraction", json.Number("1.5"), 0, true},
		{"whole float", json.Number("1.0"), 0, true},
		{"exponent", json.Number("1e3"), 0, true},
		{"float literal", 1.5, 0, true},
		{"whole float literal", 2.0, 0, true},
		{"string", "12", 0, true},
		{"bool", true, 0, true},
		{"null", nil, 0, true},
		{"object", map[string]any{"a": 1}, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UnmarshalCredits(tc.in)
			if tc.wantErr {
				de, ok := err.(*domain.Error)
				if !ok || de.Code != domain.CodeInvalidInput {
					t.Fatalf("UnmarshalCredits(%#v) = %d, %v; want INVALID_INPUT", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("UnmarshalCredits(%#v) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestMarshalCredits(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {-250, "-250"}, {domain.MaxCredits, "9007199254740991"},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		MarshalCredits(tc.in).MarshalGQL(&b)
		if b.String() != tc.want {
			t.Errorf("MarshalCredits(%d) = %s, want %s", tc.in, b.String(), tc.want)
		}
	}
}

func TestJSONScalar(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"object", map[string]any{"run": json.Number("3"), "tag": "x"}, `{"run":3,"tag":"x"}`},
		{"array", []any{"a", true}, `["a",true]`},
		{"null", nil, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var j JSON
			if err := j.UnmarshalGQL(tc.in); err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			j.MarshalGQL(&b)
			if b.String() != tc.want {
				t.Fatalf("round trip = %s, want %s", b.String(), tc.want)
			}
		})
	}
	var b bytes.Buffer
	JSON(nil).MarshalGQL(&b)
	if b.String() != "null" {
		t.Fatalf("empty JSON = %s, want null", b.String())
	}
}

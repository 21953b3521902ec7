package main

import (
	"strings"
	"testing"
)

// TestUsageConfig: the usage settings reach the domain and the endpoint,
// and nonsense is refused naming the variable.
func TestUsageConfig(t *testing.T) {
	c, err := parseServe(t, nil, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if u := c.Domain.Usage; u.WarningAt != 0.8 || u.ExceededAt != 1 || u.BatchMax != 1000 || c.Usage.UsageMaxBodyBytes != 1<<20 {
		t.Fatalf("defaults %+v, body %d", u, c.Usage.UsageMaxBodyBytes)
	}
	c, err = parseServe(t, nil, map[string]string{"TALLY_USAGE_WARNING_AT": "0.5", "TALLY_USAGE_EXCEEDED_AT": "0.9",
		"TALLY_USAGE_BATCH_MAX": "200", "TALLY_USAGE_MAX_BODY_BYTES": "65536"})
	if err != nil {
		t.Fatal(err)
	}
	if u := c.Domain.Usage; u.WarningAt != 0.5 || u.ExceededAt != 0.9 || u.BatchMax != 200 || c.Usage.UsageMaxBodyBytes != 65536 {
		t.Fatalf("set %+v, body %d", u, c.Usage.UsageMaxBodyBytes)
	}
	for _, tc := range []struct{ env, value, names string }{
		{"TALLY_USAGE_WARNING_AT", "0", "TALLY_USAGE_WARNING_AT"},
		{"TALLY_USAGE_WARNING_AT", "1", "TALLY_USAGE_WARNING_AT"},
		{"TALLY_USAGE_WARNING_AT", "NaN", "TALLY_USAGE_WARNING_AT"},
		{"TALLY_USAGE_EXCEEDED_AT", "0.7", "TALLY_USAGE_EXCEEDED_AT"},
		{"TALLY_USAGE_EXCEEDED_AT", "1.5", "TALLY_USAGE_EXCEEDED_AT"},
		{"TALLY_USAGE_BATCH_MAX", "0", "TALLY_USAGE_BATCH_MAX"},
		{"TALLY_USAGE_BATCH_MAX", "100000", "TALLY_USAGE_BATCH_MAX"},
		{"TALLY_USAGE_MAX_BODY_BYTES", "100", "TALLY_USAGE_MAX_BODY_BYTES"},
	} {
		_, err := parseServe(t, nil, map[string]string{tc.env: tc.value})
		if err == nil || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("%s=%s: %v", tc.env, tc.value, err)
		}
	}
}

package domain_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

func TestCodeRetryable(t *testing.T) {
	tests := []struct {
		code domain.Code
		want bool
	}{
		{domain.CodeUnavailable, true},
		{domain.CodeRateLimited, true},
		{domain.CodeGatewayUnavailable, true},
		{domain.CodeInternal, false},
		{domain.CodeConflict, false},
		{domain.CodeInsufficientCredits, false},
		{domain.CodeInvalidInput, false},
		{domain.CodePaymentFailed, false},
	}
	for _, tt := range tests {
		if got := tt.code.Retryable(); got != tt.want {
			t.Errorf("%s.Retryable() = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestUnavailableCarriesRetryAfter(t *testing.T) {
	e := domain.Unavailable(1500*time.Millisecond, nil)
	if e.Code != domain.CodeUnavailable || e.RetryAfterSeconds() != 2 || e.Message == "" {
		t.Fatalf("Unavailable = %+v (retry after %ds)", e, e.RetryAfterSeconds())
	}
}

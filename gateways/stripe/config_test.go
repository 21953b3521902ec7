package stripe

import (
	"slices"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{SecretKey: "sk", WebhookSecret: "whsec"}, true},
		{"no key", Config{WebhookSecret: "whsec"}, false},
		{"no webhook secret", Config{SecretKey: "sk"}, false},
		{"bad currency", Config{SecretKey: "sk", WebhookSecret: "whsec", Currencies: []domain.Currency{"JPY"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Config{SecretKey: "sk", WebhookSecret: "whsec"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != DefaultBaseURL || cfg.HTTPClient == nil || cfg.HTTPClient.Timeout != DefaultTimeout ||
		cfg.MaxNetworkRetries != DefaultMaxNetworkRetries || cfg.WebhookTolerance != DefaultWebhookTolerance ||
		!slices.Equal(cfg.Currencies, []domain.Currency{domain.EUR, domain.USD, domain.BRL}) {
		t.Fatalf("defaults %+v", cfg)
	}
	if cfg, _ := (Config{SecretKey: "sk", WebhookSecret: "whsec", MaxNetworkRetries: -1}).withDefaults(); cfg.MaxNetworkRetries != 0 {
		t.Fatalf("MaxNetworkRetries -1 gave %d retries", cfg.MaxNetworkRetries)
	}
	g, err := New(Config{SecretKey: "sk", WebhookSecret: "whsec", Currencies: []domain.Currency{domain.BRL}})
	if err != nil {
		t.Fatal(err)
	}
	caps := g.Capabilities()
	if g.Name() != "stripe" || !slices.Equal(caps.Currencies, []domain.Currency{domain.BRL}) || caps.MaxInstallments != 1 ||
		!caps.Refunds || !caps.PartialRefunds || !caps.SavedCards || !slices.Equal(caps.Methods, []domain.PaymentMethodKind{domain.MethodCard}) {
		t.Fatalf("capabilities %+v", caps)
	}
}

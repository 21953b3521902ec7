package domain

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Config holds the operator-tunable numbers of the billing rules that the
// core services use. Zero values are replaced by DefaultConfig's.
type Config struct {
	// SignupGrant is the FREE credit every new org receives (0 disables it
	// only when SignupGrantDisabled is set).
	SignupGrant         int64
	SignupGrantDisabled bool
	// SignupGrantTTL is how long the sign-up grant lasts (0: never expires).
	SignupGrantTTL time.Duration
	// FreeSeats is the seat count of an org on the Free plan.
	FreeSeats int
	// InvitationTTL is how long an invitation can be accepted.
	InvitationTTL time.Duration
	// APIKeyCacheTTL is how long an authenticated API key is remembered.
	// A revocation reaches every instance's cache over the bus at once; the
	// TTL bounds how long a key could outlive a lost notification. Negative
	// disables the cache.
	APIKeyCacheTTL time.Duration
	// IdempotencyRetention is how long a credit-moving request's key is
	// remembered: a retry within it replays the first result, a retry after
	// it is a new request.
	IdempotencyRetention time.Duration
	// DraftTTL is how long a draft order nobody changes is kept before the
	// drafts sweep discards it (DiscardStaleDrafts).
	DraftTTL time.Duration
	// GatewayEventRetention is how long a gateway's event id is remembered
	// to recognize redeliveries. Providers retry for up to a few days; an
	// event redelivered after this is applied again, which settle makes
	// harmless (valid transitions only, cumulative refund totals).
	GatewayEventRetention time.Duration
	// PublicURL is where buyers reach Tally (hosted payment pages return
	// there when a purchase names no return URL).
	PublicURL string
	// ReturnOrigins are the origins (scheme://host[:port]) besides
	// PublicURL's that a purchase's return URL may point to: the SPA's own
	// origins. Anything else is refused, so that hosted payment pages
	// (sandbox, PayPal, Checkout Pro) never redirect a buyer to a site the
	// operator did not name. "*" and other non-origins never match.
	ReturnOrigins []string
	// Pricing prices orders: tax per country, installment commission.
	Pricing PricingConfig
	// SpendBatch is the most concurrent spends, of one org or of many,
	// that share a transaction (group commit); 1 runs each spend in its
	// own. Each spend keeps its own ledger entry, result, idempotency
	// record and failure.
	SpendBatch int
	// SpendLanes is how many such transactions may run at once. Spends of
	// different orgs share transactions too: orgs are spread over this many
	// lanes, each running one transaction at a time (default 1: all spends
	// of an instance queue for one transaction, which takes up to
	// SpendBatch of them, so that the batch grows with the load and the
	// database does the least work per spend).
	SpendLanes int
	// Dunning is the schedule of failed renewals.
	Dunning DunningConfig
	// AutoRecharge holds the numbers of automatic top-ups.
	AutoRecharge AutoRechargeConfig
	// Notify holds what notification emails say and link to.
	Notify NotifyConfig
	// Usage holds the usage metering numbers.
	Usage UsageConfig
	// Webhooks holds the numbers of outbound webhooks.
	Webhooks WebhookConfig
}

// AutoRechargeConfig holds the numbers of automatic top-ups.
type AutoRechargeConfig struct {
	// DefaultLimitMinor is the spending limit per billing period when the
	// settings name none, in minor units of the org's currency (default
	// 5000: 50.00).
	DefaultLimitMinor int64
	// OverageUnit is the credits one overage unit buys (default 10,000).
	OverageUnit int64
	// OverageSurchargeBP is the surcharge on the plan's unit price, in
	// basis points (default 3000: 30%).
	OverageSurchargeBP int64
}

// NotifyConfig holds what notification emails say and link to.
type NotifyConfig struct {
	// ProductName names the product in emails (default "Tally").
	ProductName string
	// BillingURL is the page where a billing contact acts (pays, changes
	// the card, resumes auto-recharge); default PublicURL.
	BillingURL string
}

// DefaultConfig returns the defaults: 10,000 free credits valid 30 days,
// 5 seats on the Free plan, invitations valid 7 days, API keys remembered
// for a minute, idempotency keys for 7 days, up to 64 concurrent spends
// (of any orgs) per transaction, one such transaction at a time.
func DefaultConfig() Config {
	return Config{
		SignupGrant:          10_000,
		SignupGrantTTL:       30 * 24 * time.Hour,
		FreeSeats:            5,
		InvitationTTL:        7 * 24 * time.Hour,
		APIKeyCacheTTL:       time.Minute,
		IdempotencyRetention: 7 * 24 * time.Hour,
		DraftTTL:             DefaultDraftTTL,
		SpendBatch:           64,
		SpendLanes:           1,
		Dunning: DunningConfig{
			Retries:   []time.Duration{24 * time.Hour, 48 * time.Hour},
			Grace:     72 * time.Hour,
			Retention: 30 * 24 * time.Hour,
		},
		AutoRecharge: AutoRechargeConfig{DefaultLimitMinor: 5000, OverageUnit: 10_000, OverageSurchargeBP: 3000},
		Notify:       NotifyConfig{ProductName: "Tally"},
		Usage:        UsageConfig{WarningAt: 0.8, ExceededAt: 1, BatchMax: 1000},
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.SignupGrant == 0 && !c.SignupGrantDisabled {
		c.SignupGrant = d.SignupGrant
	}
	if c.FreeSeats == 0 {
		c.FreeSeats = d.FreeSeats
	}
	if c.InvitationTTL == 0 {
		c.InvitationTTL = d.InvitationTTL
	}
	if c.APIKeyCacheTTL == 0 {
		c.APIKeyCacheTTL = d.APIKeyCacheTTL
	}
	if c.IdempotencyRetention <= 0 {
		c.IdempotencyRetention = d.IdempotencyRetention
	}
	if c.DraftTTL <= 0 {
		c.DraftTTL = d.DraftTTL
	}
	if c.GatewayEventRetention <= 0 {
		c.GatewayEventRetention = 30 * 24 * time.Hour
	}
	if c.SpendBatch == 0 {
		c.SpendBatch = d.SpendBatch
	}
	if c.SpendLanes <= 0 {
		c.SpendLanes = d.SpendLanes
	}
	if c.Dunning.Retries == nil {
		c.Dunning.Retries = d.Dunning.Retries
	}
	if c.Dunning.Grace <= 0 {
		c.Dunning.Grace = d.Dunning.Grace
	}
	if c.Dunning.Retention <= 0 {
		c.Dunning.Retention = d.Dunning.Retention
	}
	if c.Usage.WarningAt <= 0 {
		c.Usage.WarningAt = d.Usage.WarningAt
	}
	if c.Usage.ExceededAt <= 0 {
		c.Usage.ExceededAt = d.Usage.ExceededAt
	}
	if c.Usage.BatchMax <= 0 {
		c.Usage.BatchMax = d.Usage.BatchMax
	}
	if c.AutoRecharge.DefaultLimitMinor <= 0 {
		c.AutoRecharge.DefaultLimitMinor = d.AutoRecharge.DefaultLimitMinor
	}
	if c.AutoRecharge.OverageUnit <= 0 {
		c.AutoRecharge.OverageUnit = d.AutoRecharge.OverageUnit
	}
	if c.AutoRecharge.OverageSurchargeBP <= 0 {
		c.AutoRecharge.OverageSurchargeBP = d.AutoRecharge.OverageSurchargeBP
	}
	if c.Notify.ProductName == "" {
		c.Notify.ProductName = d.Notify.ProductName
	}
	if c.Notify.BillingURL == "" {
		c.Notify.BillingURL = c.PublicURL
	}
	c.Webhooks = c.Webhooks.withDefaults()
	return c
}

// Service applies Tally's business rules. It is safe for concurrent use.
// Every method takes the caller from the context (WithActor) and returns
// *Error values whose codes are listed on each method.
type Service struct {
	store Store
	bus   Bus
	clock Clock
	cfg   Config
	keys  *keyCache // nil when disabled
	// keysStop ends the flusher of the cached keys' uses, which closes
	// keysDone once it wrote the last ones (Close); nil without the cache.
	keysStop, keysDone chan struct{}
	closeOnce          sync.Once

	combine  *combiner // spends of one org sharing transactions
	gateways Gateways  // nil: no purchases
	pricing  PricingConfig
	log      *slog.Logger
	throttle Throttle // nil: purchases are not limited
	limits   PurchaseLimits
	// testClock is the clock admins move, with the work moving it runs;
	// nil on the system clock.
	testClock *testClock
	// notify sends notification emails (WithMailer); nil: none.
	notify *notifier
	// checks runs the auto-recharge and low-balance checks committed
	// spends ask for, in the background (autorecharge_worker.go).
	checks *rechargeWorker
	// hooks sends outbound webhooks (WithWebhookSender); nil: none.
	hooks *hookSender
	// feeds share the reads of balanceUpdated subscribers (balancewatch.go).
	feeds balanceFeeds
}

// Option customizes a Service.
type Option func(*Service)

// WithClock replaces the system clock (tests).
func WithClock(c Clock) Option { return func(s *Service) { s.clock = c } }

// WithBus sets where committed changes are announced.
func WithBus(b Bus) Option { return func(s *Service) { s.bus = b } }

// WithLogger sets where the service reports what an operator must act on
// (money a gateway collected that could not be accepted); slog.Default()
// when not set.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithGateways sets the payment gateways purchases are routed to.
func WithGateways(g Gateways) Option { return func(s *Service) { s.gateways = g } }

// NewService returns a Service over store with cfg (zero fields defaulted).
func NewService(store Store, cfg Config, opts ...Option) *Service {
	s := &Service{store: store, cfg: cfg.withDefaults(), clock: SystemClock{}}
	s.combine = newCombiner(s.cfg.SpendBatch, s.cfg.SpendLanes)
	s.checks = newRechargeWorker(s.runChecks)
	s.pricing = s.cfg.Pricing
	def := DefaultPricing()
	if s.pricing.TaxRates == nil {
		s.pricing.TaxRates = def.TaxRates
	}
	if s.pricing.InstallmentCommission == nil {
		s.pricing.InstallmentCommission = def.InstallmentCommission
	}
	if s.pricing.InstallmentCountries == nil {
		s.pricing.InstallmentCountries = def.InstallmentCountries
	}
	if s.pricing.InstallmentCurrencies == nil {
		s.pricing.InstallmentCurrencies = def.InstallmentCurrencies
	}
	for _, o := range opts {
		o(s)
	}
	if s.cfg.APIKeyCacheTTL > 0 {
		s.keys = newKeyCache(s.cfg.APIKeyCacheTTL, 10_000, func() time.Time { return s.clock.Now() }, s.readAPIKey)
		s.keysStop, s.keysDone = make(chan struct{}), make(chan struct{})
		go s.keyUseFlusher(s.keysStop, s.keysDone)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.bus != nil && s.keys != nil {
		// Until the bus closes: revocations made on other instances.
		go s.forgetRevokedKeys(s.bus.Subscribe(context.Background(), SystemTopic))
	}
	return s
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

package db

import (
	"cmp"
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// planRow is a row of plans.
type planRow struct {
	ID                     string `gorm:"primaryKey"`
	Code                   string
	Name                   string
	BillingInterval        string
	Prices                 jsonColumn[[]priceJSON]
	IncludedCreditsPerSeat int64
	LimitSessions          int64
	LimitEvents            int64
	LimitEnrichments       int64
	LimitStorageBytes      int64
	OverLimit              string
	Seats                  int
	SortOrder              int
	Active                 bool
	UpdatedAt              time.Time

	// The data-transfer limit and the extra-credits rule (00016).
	LimitDataTransferBytes   int64
	DataTransferBlockCredits int64
	DataTransferPerBlock     int64
}

func (planRow) TableName() string { return "plans" }

// packRow is a row of packs.
type packRow struct {
	ID              string `gorm:"primaryKey"`
	Code            string
	Name            string
	Credits         int64
	Prices          jsonColumn[[]priceJSON]
	Validity        string
	RecurringMonths int
	Custom          bool
	StepCredits     int64
	StepPrices      jsonColumn[[]priceJSON]
	SortOrder       int
	Active          bool
	UpdatedAt       time.Time
}

func (packRow) TableName() string { return "packs" }

func toDomainPlan(r planRow) domain.Plan {
	return domain.Plan{
		ID: r.ID, Code: r.Code, Name: r.Name, Interval: domain.BillingInterval(r.BillingInterval),
		Prices: toPrices(r.Prices.V), IncludedCreditsPerSeat: r.IncludedCreditsPerSeat,
		Limits: domain.UsageLimits{
			Sessions: r.LimitSessions, Events: r.LimitEvents,
			Enrichments: r.LimitEnrichments, StorageBytes: r.LimitStorageBytes,
			DataTransferBytes: r.LimitDataTransferBytes,
		},
		OverLimit: domain.OverLimitAction(r.OverLimit),
		Seats:     r.Seats, Position: r.SortOrder, Active: r.Active, UpdatedAt: r.UpdatedAt.UTC(),
		ExtraCredits: domain.ExtraCreditsAllowance{
			DataTransferBlockCredits: r.DataTransferBlockCredits, DataTransferPerBlock: r.DataTransferPerBlock,
		},
	}
}

func fromDomainPlan(p domain.Plan) planRow {
	return planRow{
		ID: p.ID, Code: p.Code, Name: p.Name, BillingInterval: string(p.Interval),
		Prices: jsonColumn[[]priceJSON]{fromPrices(p.Prices)}, IncludedCreditsPerSeat: p.IncludedCreditsPerSeat,
		LimitSessions: p.Limits.Sessions, LimitEvents: p.Limits.Events,
		LimitEnrichments: p.Limits.Enrichments, LimitStorageBytes: p.Limits.StorageBytes,
		OverLimit: string(cmp.Or(p.OverLimit, domain.OverLimitFlag)),
		Seats:     p.Seats, SortOrder: p.Position, Active: p.Active, UpdatedAt: utc(p.UpdatedAt),
		LimitDataTransferBytes:   p.Limits.DataTransferBytes,
		DataTransferBlockCredits: p.ExtraCredits.DataTransferBlockCredits,
		DataTransferPerBlock:     p.ExtraCredits.DataTransferPerBlock,
	}
}

func toDomainPack(r packRow) domain.Pack {
	return domain.Pack{
		ID: r.ID, Code: r.Code, Name: r.Name, Credits: r.Credits, Prices: toPrices(r.Prices.V),
		Validity: domain.ValidityPolicy(r.Validity), RecurringMonths: r.RecurringMonths,
		Custom: r.Custom, StepCredits: r.StepCredits, StepPrices: toPrices(r.StepPrices.V),
		Position: r.SortOrder, Active: r.Active, UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func fromDomainPack(p domain.Pack) packRow {
	return packRow{
		ID: p.ID, Code: p.Code, Name: p.Name, Credits: p.Credits, Prices: jsonColumn[[]priceJSON]{fromPrices(p.Prices)},
		Validity: string(p.Validity), RecurringMonths: p.RecurringMonths, Custom: p.Custom,
		StepCredits: p.StepCredits, StepPrices: jsonColumn[[]priceJSON]{fromPrices(p.StepPrices)},
		SortOrder: p.Position, Active: p.Active, UpdatedAt: utc(p.UpdatedAt),
	}
}

// UpsertPlan inserts or updates a plan by Code, keeping the stored ID.
func (d *DB) UpsertPlan(ctx context.Context, p domain.Plan) (domain.Plan, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return domain.Plan{}, err
	}
	defer unlock()
	r := fromDomainPlan(p)
	var out planRow
	err = d.db(ctx).Raw(`INSERT INTO plans (id, code, name, billing_interval, prices, included_credits_per_seat,
			limit_sessions, limit_events, limit_enrichments, limit_storage_bytes, over_limit, seats, sort_order, active, updated_at,
			limit_data_transfer_bytes, data_transfer_block_credits, data_transfer_per_block)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, billing_interval = excluded.billing_interval,
			prices = excluded.prices, included_credits_per_seat = excluded.included_credits_per_seat,
			limit_sessions = excluded.limit_sessions, limit_events = excluded.limit_events,
			limit_enrichments = excluded.limit_enrichments, limit_storage_bytes = excluded.limit_storage_bytes,
			over_limit = excluded.over_limit,
			seats = excluded.seats, sort_order = excluded.sort_order, active = excluded.active,
			updated_at = excluded.updated_at, limit_data_transfer_bytes = excluded.limit_data_transfer_bytes,
			data_transfer_block_credits = excluded.data_transfer_block_credits, data_transfer_per_block = excluded.data_transfer_per_block
		RETURNING *`,
		r.ID, r.Code, r.Name, r.BillingInterval, r.Prices, r.IncludedCreditsPerSeat,
		r.LimitSessions, r.LimitEvents, r.LimitEnrichments, r.LimitStorageBytes, r.OverLimit, r.Seats, r.SortOrder, r.Active, r.UpdatedAt,
		r.LimitDataTransferBytes, r.DataTransferBlockCredits, r.DataTransferPerBlock,
	).Scan(&out).Error
	if err != nil {
		return domain.Plan{}, mapErr(err, "plan")
	}
	return toDomainPlan(out), nil
}

// UpsertPack inserts or updates a pack by Code, keeping the stored ID.
func (d *DB) UpsertPack(ctx context.Context, p domain.Pack) (domain.Pack, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return domain.Pack{}, err
	}
	defer unlock()
	r := fromDomainPack(p)
	var out packRow
	err = d.db(ctx).Raw(`INSERT INTO packs (id, code, name, credits, prices, validity, recurring_months, custom,
			step_credits, step_prices, sort_order, active, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, credits = excluded.credits,
			prices = excluded.prices, validity = excluded.validity, recurring_months = excluded.recurring_months,
			custom = excluded.custom, step_credits = excluded.step_credits, step_prices = excluded.step_prices,
			sort_order = excluded.sort_order, active = excluded.active, updated_at = excluded.updated_at
		RETURNING *`,
		r.ID, r.Code, r.Name, r.Credits, r.Prices, r.Validity, r.RecurringMonths, r.Custom,
		r.StepCredits, r.StepPrices, r.SortOrder, r.Active, r.UpdatedAt,
	).Scan(&out).Error
	if err != nil {
		return domain.Pack{}, mapErr(err, "pack")
	}
	return toDomainPack(out), nil
}

// ListPlans lists active plans by Position.
func (d *DB) ListPlans(ctx context.Context) ([]domain.Plan, error) {
	var rows []planRow
	if err := d.db(ctx).Where("active = ?", true).Order("sort_order, code").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "plan")
	}
	out := make([]domain.Plan, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainPlan(r))
	}
	return out, nil
}

// ListPacks lists active packs by Position.
func (d *DB) ListPacks(ctx context.Context) ([]domain.Pack, error) {
	var rows []packRow
	if err := d.db(ctx).Where("active = ?", true).Order("sort_order, code").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "pack")
	}
	out := make([]domain.Pack, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainPack(r))
	}
	return out, nil
}

// PlanByID returns a plan or NOT_FOUND.
func (d *DB) PlanByID(ctx context.Context, id string) (domain.Plan, error) {
	var r planRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Plan{}, mapErr(err, "plan")
	}
	return toDomainPlan(r), nil
}

// PackByID returns a pack or NOT_FOUND.
func (d *DB) PackByID(ctx context.Context, id string) (domain.Pack, error) {
	var r packRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Pack{}, mapErr(err, "pack")
	}
	return toDomainPack(r), nil
}

// topUpRuleRow is a row of topup_rules.
type topUpRuleRow struct {
	Currency  string `gorm:"primaryKey"`
	Credits   int64
	UnitMinor int64
	Presets   jsonColumn[[]int64]
	MinMinor  int64
	MaxMinor  int64
	Validity  string
	Active    bool
	UpdatedAt time.Time
}

func (topUpRuleRow) TableName() string { return "topup_rules" }

func toDomainTopUpRule(r topUpRuleRow) domain.TopUpRule {
	return domain.TopUpRule{
		Currency: domain.Currency(r.Currency), Credits: r.Credits, UnitMinor: r.UnitMinor,
		PresetsMinor: r.Presets.V, MinMinor: r.MinMinor, MaxMinor: r.MaxMinor,
		Validity: domain.ValidityPolicy(r.Validity), Active: r.Active, UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// UpsertTopUpRule inserts or updates the top-up rule of r.Currency.
func (d *DB) UpsertTopUpRule(ctx context.Context, r domain.TopUpRule) (domain.TopUpRule, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return domain.TopUpRule{}, err
	}
	defer unlock()
	presets := r.PresetsMinor
	if presets == nil {
		presets = []int64{}
	}
	var out topUpRuleRow
	err = d.db(ctx).Raw(`INSERT INTO topup_rules (currency, credits, unit_minor, presets, min_minor, max_minor, validity, active, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (currency) DO UPDATE SET credits = excluded.credits, unit_minor = excluded.unit_minor,
			presets = excluded.presets, min_minor = excluded.min_minor, max_minor = excluded.max_minor,
			validity = excluded.validity, active = excluded.active, updated_at = excluded.updated_at
		RETURNING *`,
		string(r.Currency), r.Credits, r.UnitMinor, jsonColumn[[]int64]{presets}, r.MinMinor, r.MaxMinor,
		string(cmp.Or(r.Validity, domain.ValidityNever)), r.Active, utc(r.UpdatedAt),
	).Scan(&out).Error
	if err != nil {
		return domain.TopUpRule{}, mapErr(err, "top-up rule")
	}
	return toDomainTopUpRule(out), nil
}

// TopUpRule returns the rule of currency, active or not, or NOT_FOUND.
func (d *DB) TopUpRule(ctx context.Context, currency domain.Currency) (domain.TopUpRule, error) {
	var r topUpRuleRow
	if err := d.db(ctx).Where("currency = ?", string(currency)).Take(&r).Error; err != nil {
		return domain.TopUpRule{}, mapErr(err, "top-up rule")
	}
	return toDomainTopUpRule(r), nil
}

// ListTopUpRules lists the active rules by currency.
func (d *DB) ListTopUpRules(ctx context.Context) ([]domain.TopUpRule, error) {
	var rows []topUpRuleRow
	if err := d.db(ctx).Where("active = ?", true).Order("currency").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "top-up rule")
	}
	out := make([]domain.TopUpRule, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainTopUpRule(r))
	}
	return out, nil
}

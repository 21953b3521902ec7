package domain

// AutoRechargeMode is what an automatic top-up buys: a pack, or overage
// units at the plan's unit price with a surcharge.
type AutoRechargeMode string

// Auto-recharge modes.
const (
	// RechargePack buys the configured pack (Quantity of it).
	RechargePack AutoRechargeMode = "PACK"
	// RechargeOverage buys units of overage credits at the plan's unit
	// price plus the surcharge, capped per period by the plan's included
	// credits.
	RechargeOverage AutoRechargeMode = "OVERAGE"
)

// AutoRechargeStore keeps auto-recharge settings.
type AutoRechargeStore interface{}

package main

import (
	"errors"
)

// UsageOptions configure usage metering (embedded in ServeCmd): the level
// fractions and the bounds of POST /v1/usage/events.
type UsageOptions struct {
	UsageWarningAt    float64 `name:"usage-warning-at" env:"TALLY_USAGE_WARNING_AT" default:"0.8" help:"Fraction of a plan limit from which usage is WARNING (and the crossing is reported)."`
	UsageExceededAt   float64 `name:"usage-exceeded-at" env:"TALLY_USAGE_EXCEEDED_AT" default:"1.0" help:"Fraction of a plan limit from which usage is EXCEEDED (and the crossing is reported)."`
	UsageBatchMax     int     `name:"usage-batch-max" env:"TALLY_USAGE_BATCH_MAX" default:"1000" help:"Most usage events in one POST /v1/usage/events request."`
	UsageMaxBodyBytes int64   `name:"usage-max-body-bytes" env:"TALLY_USAGE_MAX_BODY_BYTES" default:"1048576" help:"Largest accepted POST /v1/usage/events body."`
}

// applyUsage validates the options into c.
func (o UsageOptions) applyUsage(c *Config) error {
	switch {
	case !(o.UsageWarningAt > 0 && o.UsageWarningAt < 1):
		return errors.New("TALLY_USAGE_WARNING_AT must be a fraction above 0 and below 1")
	case !(o.UsageExceededAt > o.UsageWarningAt && o.UsageExceededAt <= 1):
		return errors.New("TALLY_USAGE_EXCEEDED_AT must be above TALLY_USAGE_WARNING_AT and at most 1")
	case o.UsageBatchMax < 1 || o.UsageBatchMax > 10000:
		return errors.New("TALLY_USAGE_BATCH_MAX must be 1 to 10000")
	case o.UsageMaxBodyBytes < 1024:
		return errors.New("TALLY_USAGE_MAX_BODY_BYTES must be at least 1024")
	}
	c.Usage = o
	c.Domain.Usage.WarningAt, c.Domain.Usage.ExceededAt = o.UsageWarningAt, o.UsageExceededAt
	c.Domain.Usage.BatchMax = o.UsageBatchMax
	return nil
}

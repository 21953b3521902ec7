package domain

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// extraTransferDocNumbers are the rule book's numbers of the data-transfer
// allowance: the rounding is code, the limits and blocks are the default
// catalog's (cmd/tally/catalog/default.yaml), read here as the seed reads
// them.
func extraTransferDocNumbers() map[string]string {
	var f struct {
		Plans []struct {
			Code   string `yaml:"code"`
			Limits struct {
				DataTransferBytes int64 `yaml:"dataTransferBytes"`
			} `yaml:"limits"`
			ExtraCredits struct {
				DataTransferBlockCredits int64 `yaml:"dataTransferBlockCredits"`
				DataTransferPerBlock     int64 `yaml:"dataTransferPerBlock"`
			} `yaml:"extraCredits"`
		} `yaml:"plans"`
	}
	b, err := os.ReadFile(filepath.Join("..", "cmd", "tally", "catalog", "default.yaml"))
	if err == nil {
		err = yaml.Unmarshal(b, &f)
	}
	if err != nil {
		return map[string]string{"data-transfer-limits": err.Error()}
	}
	var limits []string
	var rules []string
	for _, p := range f.Plans {
		limits = append(limits, fmt.Sprintf("%s %d", p.Code, p.Limits.DataTransferBytes))
		if x := p.ExtraCredits; x.DataTransferBlockCredits != 0 {
			rules = append(rules, fmt.Sprintf("%d: %d", x.DataTransferBlockCredits, x.DataTransferPerBlock))
		}
	}
	// Every plan with a rule has the same one; anything else shows as a
	// list the table cannot match.
	rules = slices.Compact(rules)
	// The rounding: 19,999 credits in blocks of 10,000 are one block.
	rounding := "not down"
	if (ExtraCreditsAllowance{DataTransferBlockCredits: 10_000, DataTransferPerBlock: 1}).DataTransfer(19_999) == 1 {
		rounding = "down"
	}
	return map[string]string{
		"data-transfer-limits":            strings.Join(limits, ", "),
		"extra-credits-transfer":          strings.Join(rules, "; "),
		"extra-credits-transfer-rounding": rounding,
	}
}

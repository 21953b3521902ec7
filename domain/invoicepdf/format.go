package invoicepdf

import (
	"strconv"
	"strings"
	"time"
)

// percent renders basis points as a percentage without trailing zeros:
// 1900 -> "19%", 750 -> "7.5%", 1234 -> "12.34%", 0 -> "0%".
func percent(bp int) string {
	s := strconv.Itoa(bp / 100)
	if frac := bp % 100; frac != 0 {
		s += "." + strings.TrimRight(strconv.Itoa(100 + frac)[1:], "0")
	}
	return s + "%"
}

// date renders t's calendar day in UTC, e.g. "2026-03-14".
func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

package bench

import (
	"fmt"
	"io"
	"strings"
)

// Row is one line of the final table: a figure, its value, its ratio to
// what it is compared with, and what that comparison is.
type Row struct {
	Figure, Value, Ratio, Against string
}

// Check is one correctness check of a run: the bench fails when any fails.
type Check struct {
	Name string
	OK   bool
	Note string
}

// Report is everything a run measured and checked.
type Report struct {
	Machine Machine
	Rows    []Row
	Checks  []Check
	// CPU is where the CPU of each measured window went; Profiles are the
	// servers' CPU profiles of them (with --profile).
	CPU      []CPURow
	Profiles []ProfileNote
}

// add appends a row.
func (r *Report) add(figure, value, ratio, against string) {
	r.Rows = append(r.Rows, Row{figure, value, ratio, against})
}

// check appends a check.
func (r *Report) check(name string, ok bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, OK: ok, Note: fmt.Sprintf(format, args...)})
}

// Failed returns the failed checks.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Row returns the row whose figure starts with prefix.
func (r *Report) Row(prefix string) (Row, bool) {
	for _, row := range r.Rows {
		if strings.HasPrefix(row.Figure, prefix) {
			return row, true
		}
	}
	return Row{}, false
}

// WriteTable prints the machine, the table (markdown) and the checks.
func WriteTable(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "machine: %s\n\n", r.Machine)
	b.WriteString("| figure | value | ratio | compared with |\n|---|---|---|---|\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(row.Figure), cell(row.Value), cell(row.Ratio), cell(row.Against))
	}
	b.WriteByte('\n')
	if len(r.CPU) > 0 {
		WriteCPUTable(&b, r.CPU)
	}
	writeProfiles(&b, r.Profiles)
	for _, c := range r.Checks {
		verdict := "ok"
		if !c.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(&b, "check:   %s: %s (%s)\n", c.Name, verdict, c.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes a table cell.
func cell(s string) string {
	if s == "" {
		return "–"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// thousands renders n with comma thousands separators.
func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// times renders a ratio as "1.23×", or "–" when there is nothing to compare.
func times(r float64) string {
	if r <= 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", r)
}

// percent renders a fraction as a percentage.
func percent(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

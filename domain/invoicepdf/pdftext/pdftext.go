// Package pdftext reads back the text of a PDF, such as an invoice that
// invoicepdf rendered, so that tests can check what a buyer sees. Only
// tests import it: it keeps a PDF reader out of the tally binary.
package pdftext

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Extract returns the text of a PDF, such as one Render wrote: page by page,
// one line per row of text from top to bottom, the pieces of a row (table
// cells, label and value) left to right separated by one space.
func Extract(r io.ReaderAt, size int64) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("pdftext: malformed PDF: %v", p)
		}
	}()
	doc, err := pdf.NewReader(r, size)
	if err != nil {
		return "", fmt.Errorf("pdftext: open PDF: %w", err)
	}
	var b strings.Builder
	for i := 1; i <= doc.NumPage(); i++ {
		p := doc.Page(i)
		if p.V.IsNull() {
			continue
		}
		for _, row := range rows(p.Content().Text) {
			b.WriteString(row)
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// run is a piece of text shown in one go at one position.
type run struct {
	x, y float64
	end  float64 // x after the last glyph
	text strings.Builder
}

// rows joins a page's glyphs into runs (consecutive glyphs that continue
// where the previous one ended), groups the runs by baseline and returns
// each row's runs left to right, top row first.
func rows(glyphs []pdf.Text) []string {
	const eps = 0.01
	var runs []*run
	for _, g := range glyphs {
		if g.S == "\n" {
			continue
		}
		last := len(runs) - 1
		if last < 0 || math.Abs(g.Y-runs[last].y) > eps || math.Abs(g.X-runs[last].end) > eps {
			runs = append(runs, &run{x: g.X, y: g.Y})
			last++
		}
		runs[last].text.WriteString(g.S)
		runs[last].end = g.X + g.W
	}
	byRow := map[int64][]*run{}
	var keys []int64
	for _, r := range runs {
		if strings.TrimSpace(r.text.String()) == "" {
			continue
		}
		k := int64(math.Round(r.y * 10))
		if _, ok := byRow[k]; !ok {
			keys = append(keys, k)
		}
		byRow[k] = append(byRow[k], r)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		row := byRow[k]
		sort.SliceStable(row, func(i, j int) bool { return row[i].x < row[j].x })
		parts := make([]string, len(row))
		for i, r := range row {
			parts[i] = strings.TrimSpace(r.text.String())
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

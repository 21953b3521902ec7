package invoicepdf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/tallyhq/tally/domain"
)

// Page geometry in millimetres (A4 is 210 x 297) and the body font size.
const (
	margin       = 15.0
	bottomMargin = 20.0
	contentW     = 210 - 2*margin
	lineH        = 5.5
	labelW       = 40.0
	descW        = 90.0
	qtyW         = 18.0
	priceW       = 36.0
	amountW      = 36.0
	fontFamily   = "Helvetica"
	bodySize     = 10.0
)

// sheet draws the parts of an invoice or credit note on a fpdf document. Every string it
// prints goes through tr, which maps UTF-8 to the core fonts' Windows-1252.
type sheet struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
}

// font selects the body font family in a style ("", "B") and size.
func (s *sheet) font(style string, size float64) { s.pdf.SetFont(fontFamily, style, size) }

// cell prints one line of UTF-8 text in a cell of width w (0: to the right
// margin); ln is fpdf's position after the cell (0 right, 1 next line).
func (s *sheet) cell(w float64, text, align string, ln int) {
	s.pdf.CellFormat(w, lineH, s.tr(text), "", ln, align, false, 0, "")
}

// wrap translates text and splits it into lines that fit width w in the
// current font, breaking at spaces and at the newlines in text.
func (s *sheet) wrap(w float64, text string) []string {
	var out []string
	for _, para := range strings.Split(s.tr(text), "\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		for _, l := range s.pdf.SplitLines([]byte(para), w) {
			out = append(out, string(l))
		}
	}
	return out
}

// pageBottom is the lowest y a row may reach before the footer's space.
func (s *sheet) pageBottom() float64 {
	_, h := s.pdf.GetPageSize()
	return h - bottomMargin
}

// heading prints the title and the labelled fields under it.
func (s *sheet) heading(title string, fields []field) {
	s.font("B", 20)
	s.pdf.CellFormat(0, 10, s.tr(title), "", 1, "L", false, 0, "")
	s.pdf.Ln(2)
	for _, f := range fields {
		s.field(f.label, f.value)
	}
}

// field prints a bold label and its value beside it; a value too wide for
// the rest of the line (a credit note's reason) continues on the following
// lines, under itself.
func (s *sheet) field(label, value string) {
	s.font("B", bodySize)
	s.cell(labelW, label, "L", 0)
	s.font("", bodySize)
	lines := s.wrap(contentW-labelW, value)
	if len(lines) == 0 {
		lines = []string{""}
	}
	for i, l := range lines {
		if i > 0 {
			s.pdf.SetX(margin + labelW)
		}
		s.pdf.CellFormat(0, lineH, l, "", 1, "L", false, 0, "")
	}
}

// block prints a titled stack of lines, leaving out the empty ones; it
// prints nothing when all are empty.
func (s *sheet) block(title string, lines ...string) {
	s.font("", bodySize)
	var wrapped []string
	for _, l := range lines {
		wrapped = append(wrapped, s.wrap(contentW, l)...)
	}
	if len(wrapped) == 0 {
		return
	}
	s.pdf.Ln(4)
	s.font("B", bodySize)
	s.cell(0, title, "L", 1)
	s.font("", bodySize)
	for _, l := range wrapped {
		s.pdf.CellFormat(0, lineH, l, "", 1, "L", false, 0, "")
	}
}

// table prints the lines under a column header, repeating the header on
// every new page.
func (s *sheet) table(lines []domain.OrderLine) {
	s.pdf.Ln(6)
	s.tableHeader()
	for _, l := range lines {
		s.font("", bodySize)
		desc := s.wrap(descW, l.Description)
		if len(desc) == 0 {
			desc = []string{""}
		}
		h := float64(len(desc)) * lineH
		if s.pdf.GetY()+h > s.pageBottom() {
			s.pdf.AddPage()
			s.tableHeader()
			s.font("", bodySize)
		}
		y := s.pdf.GetY()
		for i, d := range desc {
			s.pdf.SetXY(margin, y+float64(i)*lineH)
			s.pdf.CellFormat(descW, lineH, d, "", 0, "L", false, 0, "")
			if i == 0 {
				s.cell(qtyW, strconv.FormatInt(l.Quantity, 10), "R", 0)
				s.cell(priceW, l.UnitPrice.String(), "R", 0)
				s.cell(amountW, l.Amount.String(), "R", 0)
			}
		}
		s.pdf.SetXY(margin, y+h)
		s.rule(margin, contentW)
	}
}

// tableHeader prints the shaded column titles.
func (s *sheet) tableHeader() {
	s.font("B", bodySize)
	s.pdf.SetFillColor(235, 235, 235)
	for _, c := range []struct {
		w     float64
		title string
		align string
	}{{descW, "Description", "L"}, {qtyW, "Qty", "R"}, {priceW, "Unit price", "R"}, {amountW, "Amount", "R"}} {
		s.pdf.CellFormat(c.w, lineH+1, c.title, "", 0, c.align, true, 0, "")
	}
	s.pdf.Ln(lineH + 1)
}

// rule draws a thin grey horizontal line at the current y.
func (s *sheet) rule(x, w float64) {
	y := s.pdf.GetY()
	s.pdf.SetDrawColor(190, 190, 190)
	s.pdf.SetLineWidth(0.2)
	s.pdf.Line(x, y, x+w, y)
}

// totals prints subtotal, tax and total right-aligned under the table,
// then the document's closing line.
func (s *sheet) totals(d document) {
	type row struct {
		label string
		m     domain.Money
		bold  bool
	}
	rows := []row{
		{"Subtotal", d.subtotal, false},
		{"Tax (" + percent(d.taxRateBP) + ")", d.tax, false},
		{"Total", d.total, true},
	}
	if s.pdf.GetY()+float64(len(rows)+3)*lineH > s.pageBottom() {
		s.pdf.AddPage()
	}
	s.pdf.Ln(2)
	x := margin + descW
	for _, r := range rows {
		style := ""
		if r.bold {
			style = "B"
			s.rule(x, contentW-descW)
		}
		s.font(style, bodySize)
		s.pdf.SetX(x)
		s.cell(qtyW+priceW, r.label, "L", 0)
		s.cell(amountW, r.m.String(), "R", 1)
	}
	if d.closing != "" {
		s.pdf.Ln(4)
		s.font("", bodySize)
		s.cell(0, d.closing, "L", 1)
	}
}

// footer prints what the document is ("Invoice INV-2026-000001") and the
// page count at the bottom of a page.
func (s *sheet) footer(name string) {
	s.pdf.SetY(-12)
	s.font("", 8)
	s.pdf.SetTextColor(110, 110, 110)
	s.cell(0, fmt.Sprintf("%s - page %d of {nb}", name, s.pdf.PageNo()), "C", 0)
	s.pdf.SetTextColor(0, 0, 0)
}

// Package notice renders the notification emails of an org's billing
// events: one template file per event kind (templates/<KIND>.tmpl), each
// defining the message's "subject", its plain-text "text" and its HTML
// "body"; templates/layout.tmpl wraps them with the greeting, the detail
// list, the link to act and the footer. Text parts are rendered with
// text/template, the HTML part with html/template, so values (org names,
// reasons a gateway gave) are escaped in HTML.
//
// The package knows nothing of the domain: callers pass the kind's name
// and plain values (Data), so the domain can import it.
package notice

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"sort"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var files embed.FS

// layoutFile is the shared frame of every message.
const layoutFile = "templates/layout.tmpl"

// Data is what a message says.
type Data struct {
	// OrgName is the org's display name.
	OrgName string
	// ProductName names the product ("Tally").
	ProductName string
	// BillingURL is where the reader acts (pays, changes the card).
	BillingURL string
	// Detail are the event's values (order number, amount, reason, …).
	Detail map[string]string
	// When is the event's instant, already formatted.
	When string
}

// Field is one detail value as the messages list it.
type Field struct {
	Label, Value string
}

// Fields lists the detail values worth showing a reader, ordered by
// label: internal identifiers (keys ending in "Id") are left out.
func (d Data) Fields() []Field {
	out := make([]Field, 0, len(d.Detail))
	for k, v := range d.Detail {
		if strings.HasSuffix(k, "Id") || strings.HasSuffix(k, "ID") || v == "" {
			continue
		}
		out = append(out, Field{Label: label(k), Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// D returns the detail value of key, "" when absent.
func (d Data) D(key string) string { return d.Detail[key] }

// label turns a camelCase detail key into words: "nextRetryAt" → "Next retry at".
func label(k string) string {
	var b strings.Builder
	for i, r := range k {
		switch {
		case i == 0:
			b.WriteString(strings.ToUpper(string(r)))
		case r >= 'A' && r <= 'Z':
			b.WriteByte(' ')
			b.WriteString(strings.ToLower(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Message is a rendered notification.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Has reports whether kind has a template.
func Has(kind string) bool {
	if kind == "" || fileOf(kind) == layoutFile || strings.ContainsAny(kind, "./") {
		return false
	}
	_, err := files.Open(fileOf(kind))
	return err == nil
}

// Kinds lists the kinds that have a template.
func Kinds() []string {
	entries, _ := files.ReadDir("templates")
	var out []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".tmpl")
		if "templates/"+e.Name() != layoutFile {
			out = append(out, name)
		}
	}
	return out
}

func fileOf(kind string) string { return "templates/" + kind + ".tmpl" }

// Render renders the message of an event of kind with d; an error when
// kind has no template or a template fails.
func Render(kind string, d Data) (Message, error) {
	if !Has(kind) {
		return Message{}, fmt.Errorf("notice: no template for %q", kind)
	}
	tt, err := texttemplate.New(kind).ParseFS(files, layoutFile, fileOf(kind))
	if err != nil {
		return Message{}, fmt.Errorf("notice: %s: %w", kind, err)
	}
	ht, err := htmltemplate.New(kind).ParseFS(files, layoutFile, fileOf(kind))
	if err != nil {
		return Message{}, fmt.Errorf("notice: %s: %w", kind, err)
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Message{}, fmt.Errorf("notice: %s subject: %w", kind, err)
	}
	if err := tt.ExecuteTemplate(&text, "textpage", d); err != nil {
		return Message{}, fmt.Errorf("notice: %s text: %w", kind, err)
	}
	if err := ht.ExecuteTemplate(&html, "htmlpage", d); err != nil {
		return Message{}, fmt.Errorf("notice: %s html: %w", kind, err)
	}
	return Message{
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}

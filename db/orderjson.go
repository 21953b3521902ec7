package db

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tallyhq/tally/domain"
)

// The stored JSON forms of the parts of orders and invoices kept in JSON
// columns. Their field names are part of the schema: rename none.

// moneyJSON is the stored form of a domain.Money.
type moneyJSON struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// orderLineJSON is the stored form of a domain.OrderLine.
type orderLineJSON struct {
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Quantity    int64     `json:"quantity"`
	UnitPrice   moneyJSON `json:"unitPrice"`
	Amount      moneyJSON `json:"amount"`
	PackID      string    `json:"packId,omitempty"`
	Credits     int64     `json:"credits,omitempty"`
	Months      int       `json:"months,omitempty"`
	AddonID     string    `json:"addonId,omitempty"`
	ItemID      string    `json:"itemId,omitempty"`
}

// orderItemJSON is the stored form of a domain.OrderItem (orders.items,
// order_drafts.items).
type orderItemJSON struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	PlanID     string     `json:"planId,omitempty"`
	Seats      int        `json:"seats,omitempty"`
	PackID     string     `json:"packId,omitempty"`
	Quantity   int        `json:"quantity,omitempty"`
	TermMonths int        `json:"termMonths,omitempty"`
	Amount     int64      `json:"amount,omitempty"`
	Credits    int64      `json:"credits"`
	Validity   string     `json:"validity,omitempty"`
	GrantID    string     `json:"grantId,omitempty"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
}

// orderItemsJSON is the stored form of an order's items: a JSON column,
// SQL NULL when nil (an order without items; an order with none left is
// an empty array). Its own column type: gorm takes a generic column over
// a slice of structs (jsonNullColumn) for a relation.
type orderItemsJSON []orderItemJSON

// GormDataType tells gorm the column is a plain value, not a relation.
func (orderItemsJSON) GormDataType() string { return "json" }

// Value implements driver.Valuer; nil is NULL.
func (is orderItemsJSON) Value() (driver.Value, error) {
	if is == nil {
		return nil, nil
	}
	b, err := json.Marshal([]orderItemJSON(is))
	return string(b), err
}

// Scan implements sql.Scanner; NULL is nil.
func (is *orderItemsJSON) Scan(src any) error {
	*is = nil
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case []byte:
		b = s
	case string:
		b = []byte(s)
	default:
		return fmt.Errorf("db: cannot scan %T into order items", src)
	}
	out := orderItemsJSON{}
	if err := json.Unmarshal(b, (*[]orderItemJSON)(&out)); err != nil {
		return err
	}
	if out == nil {
		out = orderItemsJSON{}
	}
	*is = out
	return nil
}

// toOrderItems reads stored items; nil stays nil (an order without items).
func toOrderItems(is orderItemsJSON) []domain.OrderItem {
	if is == nil {
		return nil
	}
	out := make([]domain.OrderItem, 0, len(is))
	for _, i := range is {
		out = append(out, domain.OrderItem{
			ID: i.ID, Kind: domain.OrderItemKind(i.Kind), PlanID: i.PlanID, Seats: i.Seats, PackID: i.PackID,
			Quantity: i.Quantity, TermMonths: i.TermMonths, Amount: i.Amount, Credits: i.Credits,
			Validity: domain.ValidityPolicy(i.Validity), GrantID: i.GrantID, ExpiresAt: utcPtr(i.ExpiresAt),
		})
	}
	return out
}

// fromOrderItems is the stored form of items; nil for an order without.
func fromOrderItems(is []domain.OrderItem) orderItemsJSON {
	if is == nil {
		return nil
	}
	out := make(orderItemsJSON, 0, len(is))
	for _, i := range is {
		out = append(out, orderItemJSON{
			ID: i.ID, Kind: string(i.Kind), PlanID: i.PlanID, Seats: i.Seats, PackID: i.PackID,
			Quantity: i.Quantity, TermMonths: i.TermMonths, Amount: i.Amount, Credits: i.Credits,
			Validity: string(i.Validity), GrantID: i.GrantID, ExpiresAt: utcPtr(i.ExpiresAt),
		})
	}
	return out
}

// installmentsJSON is the stored form of a domain.InstallmentPlan.
type installmentsJSON struct {
	Count      int       `json:"count"`
	Amount     moneyJSON `json:"amount"`
	Commission moneyJSON `json:"commission"`
	Total      moneyJSON `json:"total"`
}

// nextActionJSON is the stored form of a domain.NextAction.
type nextActionJSON struct {
	Kind         string `json:"kind"`
	URL          string `json:"url,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
}

// invoiceDetailsJSON is the stored form of a domain.InvoiceDetails.
type invoiceDetailsJSON struct {
	CompanyName string `json:"companyName"`
	Country     string `json:"country"`
	Address     string `json:"address"`
	TaxID       string `json:"taxId"`
}

func toMoney(m moneyJSON) domain.Money {
	return domain.Money{AmountMinor: m.AmountMinor, Currency: domain.Currency(m.Currency)}
}

func fromMoney(m domain.Money) moneyJSON {
	return moneyJSON{AmountMinor: m.AmountMinor, Currency: string(m.Currency)}
}

func toOrderLines(ls []orderLineJSON) []domain.OrderLine {
	if len(ls) == 0 {
		return nil
	}
	out := make([]domain.OrderLine, 0, len(ls))
	for _, l := range ls {
		out = append(out, domain.OrderLine{
			Kind: domain.OrderLineKind(l.Kind), Description: l.Description, Quantity: l.Quantity,
			UnitPrice: toMoney(l.UnitPrice), Amount: toMoney(l.Amount), PackID: l.PackID, Credits: l.Credits,
			Months: l.Months, AddonID: l.AddonID, ItemID: l.ItemID,
		})
	}
	return out
}

func fromOrderLines(ls []domain.OrderLine) []orderLineJSON {
	out := make([]orderLineJSON, 0, len(ls))
	for _, l := range ls {
		out = append(out, orderLineJSON{
			Kind: string(l.Kind), Description: l.Description, Quantity: l.Quantity,
			UnitPrice: fromMoney(l.UnitPrice), Amount: fromMoney(l.Amount), PackID: l.PackID, Credits: l.Credits,
			Months: l.Months, AddonID: l.AddonID, ItemID: l.ItemID,
		})
	}
	return out
}

func toInstallments(p *installmentsJSON) *domain.InstallmentPlan {
	if p == nil {
		return nil
	}
	return &domain.InstallmentPlan{
		Count: p.Count, Amount: toMoney(p.Amount), Commission: toMoney(p.Commission), Total: toMoney(p.Total),
	}
}

func fromInstallments(p *domain.InstallmentPlan) *installmentsJSON {
	if p == nil {
		return nil
	}
	return &installmentsJSON{
		Count: p.Count, Amount: fromMoney(p.Amount), Commission: fromMoney(p.Commission), Total: fromMoney(p.Total),
	}
}

func toNextAction(a *nextActionJSON) *domain.NextAction {
	if a == nil {
		return nil
	}
	return &domain.NextAction{Kind: domain.NextActionKind(a.Kind), URL: a.URL, ClientSecret: a.ClientSecret}
}

func fromNextAction(a *domain.NextAction) *nextActionJSON {
	if a == nil {
		return nil
	}
	return &nextActionJSON{Kind: string(a.Kind), URL: a.URL, ClientSecret: a.ClientSecret}
}

func toInvoiceDetails(d invoiceDetailsJSON) domain.InvoiceDetails {
	return domain.InvoiceDetails{CompanyName: d.CompanyName, Country: d.Country, Address: d.Address, TaxID: d.TaxID}
}

func fromInvoiceDetails(d domain.InvoiceDetails) invoiceDetailsJSON {
	return invoiceDetailsJSON{CompanyName: d.CompanyName, Country: d.Country, Address: d.Address, TaxID: d.TaxID}
}

func toInvoiceDetailsPtr(d *invoiceDetailsJSON) *domain.InvoiceDetails {
	if d == nil {
		return nil
	}
	v := toInvoiceDetails(*d)
	return &v
}

func fromInvoiceDetailsPtr(d *domain.InvoiceDetails) *invoiceDetailsJSON {
	if d == nil {
		return nil
	}
	v := fromInvoiceDetails(*d)
	return &v
}

package invoicepdf

// Issuer is the seller printed on every invoice: the platform operator.
type Issuer struct {
	// Name is the operator's legal name.
	Name string
	// Address is the postal address; newlines start new printed lines.
	Address string
	// Country is printed as given (a name or an ISO code).
	Country string
	// TaxID is the operator's VAT or tax number, printed as "Tax ID: <TaxID>".
	TaxID string
	// Email is the billing contact address.
	Email string
}

// DefaultIssuer returns placeholder operator details ("Tally", an example
// address and tax id) for development and tests; production configures the
// real ones.
func DefaultIssuer() Issuer {
	return Issuer{
		Name:    "Tally",
		Address: "1 Example Street\n10115 Berlin",
		Country: "Germany",
		TaxID:   "DE000000000",
		Email:   "billing@tally.example",
	}
}

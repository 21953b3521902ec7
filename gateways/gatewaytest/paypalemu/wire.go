package paypalemu

import (
	"encoding/json"
	"time"
)

// The JSON shapes below follow PayPal's Orders v2, Payments v2, OAuth 2.0
// and Webhooks v1 APIs, limited to the fields the emulator fills in.

// amountJSON is PayPal's money object.
type amountJSON struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// linkJSON is a HATEOAS link.
type linkJSON struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method,omitempty"`
}

// issueJSON is one entry of an error's details.
type issueJSON struct {
	Field       string `json:"field,omitempty"`
	Value       string `json:"value,omitempty"`
	Location    string `json:"location,omitempty"`
	Issue       string `json:"issue"`
	Description string `json:"description,omitempty"`
}

// errorJSON is PayPal's error body.
type errorJSON struct {
	Name    string      `json:"name"`
	Message string      `json:"message"`
	DebugID string      `json:"debug_id"`
	Details []issueJSON `json:"details,omitempty"`
	Links   []linkJSON  `json:"links,omitempty"`
}

// oauthErrorJSON is the OAuth endpoints' error body.
type oauthErrorJSON struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// tokenJSON answers POST /v1/oauth2/token.
type tokenJSON struct {
	Scope       string `json:"scope"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	AppID       string `json:"app_id"`
	ExpiresIn   int64  `json:"expires_in"`
	Nonce       string `json:"nonce"`
}

// experienceContextJSON is payment_source.paypal.experience_context (and
// the legacy application_context, which has the same URL fields).
type experienceContextJSON struct {
	BrandName          string `json:"brand_name,omitempty"`
	Locale             string `json:"locale,omitempty"`
	ShippingPreference string `json:"shipping_preference,omitempty"`
	UserAction         string `json:"user_action,omitempty"`
	ReturnURL          string `json:"return_url,omitempty"`
	CancelURL          string `json:"cancel_url,omitempty"`
}

// createOrderJSON is the body of POST /v2/checkout/orders.
type createOrderJSON struct {
	Intent        string `json:"intent"`
	PurchaseUnits []struct {
		ReferenceID    string      `json:"reference_id"`
		Description    string      `json:"description"`
		CustomID       string      `json:"custom_id"`
		InvoiceID      string      `json:"invoice_id"`
		SoftDescriptor string      `json:"soft_descriptor"`
		Amount         *amountJSON `json:"amount"`
	} `json:"purchase_units"`
	PaymentSource *struct {
		PayPal *struct {
			VaultID           string                 `json:"vault_id"`
			ExperienceContext *experienceContextJSON `json:"experience_context"`
		} `json:"paypal"`
	} `json:"payment_source"`
	ApplicationContext *experienceContextJSON `json:"application_context"`
}

// refundRequestJSON is the body of POST /v2/payments/captures/{id}/refund.
type refundRequestJSON struct {
	Amount      *amountJSON `json:"amount"`
	InvoiceID   string      `json:"invoice_id"`
	CustomID    string      `json:"custom_id"`
	NoteToPayer string      `json:"note_to_payer"`
}

// relatedIDsJSON is supplementary_data.related_ids.
type relatedIDsJSON struct {
	OrderID   string `json:"order_id,omitempty"`
	CaptureID string `json:"capture_id,omitempty"`
}

// supplementaryJSON is a payment resource's supplementary_data.
type supplementaryJSON struct {
	RelatedIDs relatedIDsJSON `json:"related_ids"`
}

// statusDetailsJSON explains a capture's or refund's status.
type statusDetailsJSON struct {
	Reason string `json:"reason"`
}

// sellerReceivableJSON is a capture's seller_receivable_breakdown.
type sellerReceivableJSON struct {
	GrossAmount amountJSON `json:"gross_amount"`
	PayPalFee   amountJSON `json:"paypal_fee"`
	NetAmount   amountJSON `json:"net_amount"`
}

// sellerPayableJSON is a refund's seller_payable_breakdown.
type sellerPayableJSON struct {
	GrossAmount         amountJSON `json:"gross_amount"`
	PayPalFee           amountJSON `json:"paypal_fee"`
	NetAmount           amountJSON `json:"net_amount"`
	TotalRefundedAmount amountJSON `json:"total_refunded_amount"`
}

// captureJSON is a captured payment (Payments v2 capture resource).
type captureJSON struct {
	ID                        string                `json:"id"`
	Status                    string                `json:"status"`
	StatusDetails             *statusDetailsJSON    `json:"status_details,omitempty"`
	Amount                    amountJSON            `json:"amount"`
	InvoiceID                 string                `json:"invoice_id,omitempty"`
	CustomID                  string                `json:"custom_id,omitempty"`
	FinalCapture              bool                  `json:"final_capture"`
	SellerProtection          map[string]string     `json:"seller_protection,omitempty"`
	SellerReceivableBreakdown *sellerReceivableJSON `json:"seller_receivable_breakdown,omitempty"`
	SupplementaryData         *supplementaryJSON    `json:"supplementary_data,omitempty"`
	Links                     []linkJSON            `json:"links"`
	CreateTime                time.Time             `json:"create_time"`
	UpdateTime                time.Time             `json:"update_time"`
}

// refundJSON is a refund (Payments v2 refund resource).
type refundJSON struct {
	ID                     string             `json:"id"`
	Status                 string             `json:"status"`
	StatusDetails          *statusDetailsJSON `json:"status_details,omitempty"`
	Amount                 amountJSON         `json:"amount"`
	InvoiceID              string             `json:"invoice_id,omitempty"`
	CustomID               string             `json:"custom_id,omitempty"`
	NoteToPayer            string             `json:"note_to_payer,omitempty"`
	SellerPayableBreakdown *sellerPayableJSON `json:"seller_payable_breakdown,omitempty"`
	Links                  []linkJSON         `json:"links"`
	CreateTime             time.Time          `json:"create_time"`
	UpdateTime             time.Time          `json:"update_time"`
}

// paymentsJSON is a purchase unit's payments.
type paymentsJSON struct {
	Captures []captureJSON `json:"captures,omitempty"`
	Refunds  []refundJSON  `json:"refunds,omitempty"`
}

// purchaseUnitJSON is one purchase unit of an order.
type purchaseUnitJSON struct {
	ReferenceID string            `json:"reference_id"`
	Amount      amountJSON        `json:"amount"`
	Payee       map[string]string `json:"payee,omitempty"`
	Description string            `json:"description,omitempty"`
	CustomID    string            `json:"custom_id,omitempty"`
	InvoiceID   string            `json:"invoice_id,omitempty"`
	Payments    *paymentsJSON     `json:"payments,omitempty"`
}

// payerJSON is the buyer, known once they approved.
type payerJSON struct {
	Name struct {
		GivenName string `json:"given_name"`
		Surname   string `json:"surname"`
	} `json:"name"`
	EmailAddress string `json:"email_address"`
	PayerID      string `json:"payer_id"`
}

// orderJSON is an Orders v2 order.
type orderJSON struct {
	ID            string             `json:"id"`
	Intent        string             `json:"intent,omitempty"`
	Status        string             `json:"status"`
	PaymentSource map[string]any     `json:"payment_source,omitempty"`
	PurchaseUnits []purchaseUnitJSON `json:"purchase_units,omitempty"`
	Payer         *payerJSON         `json:"payer,omitempty"`
	CreateTime    *time.Time         `json:"create_time,omitempty"`
	UpdateTime    *time.Time         `json:"update_time,omitempty"`
	Links         []linkJSON         `json:"links"`
}

// minimalJSON is a return=minimal answer: id, status and links.
type minimalJSON struct {
	ID     string     `json:"id"`
	Status string     `json:"status"`
	Links  []linkJSON `json:"links"`
}

// verifyRequestJSON is the body of POST /v1/notifications/verify-webhook-signature.
type verifyRequestJSON struct {
	AuthAlgo         string          `json:"auth_algo"`
	CertURL          string          `json:"cert_url"`
	TransmissionID   string          `json:"transmission_id"`
	TransmissionSig  string          `json:"transmission_sig"`
	TransmissionTime string          `json:"transmission_time"`
	WebhookID        string          `json:"webhook_id"`
	WebhookEvent     json.RawMessage `json:"webhook_event"`
}

// eventJSON is a webhook event notification.
type eventJSON struct {
	ID              string     `json:"id"`
	EventVersion    string     `json:"event_version"`
	CreateTime      time.Time  `json:"create_time"`
	ResourceType    string     `json:"resource_type"`
	ResourceVersion string     `json:"resource_version"`
	EventType       string     `json:"event_type"`
	Summary         string     `json:"summary"`
	Resource        any        `json:"resource"`
	Links           []linkJSON `json:"links"`
}

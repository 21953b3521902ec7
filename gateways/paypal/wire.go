package paypal

import (
	"encoding/json"
	"strings"
)

// The SDK's Order, CaptureOrderResponse and webhook Resource types lack
// fields this gateway needs (payment_source, payments.refunds,
// capture status_details, supplementary_data), so orders, captures and
// events are decoded into the types below; the SDK still signs, sends and
// decodes errors for every call.

// amount is PayPal's money object.
type amount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// link is a HATEOAS link.
type link struct {
	Href   string `json:"href"`
	Rel    string `json:"rel"`
	Method string `json:"method,omitempty"`
}

// href returns the first link with one of rels, "" when there is none.
func href(links []link, rels ...string) string {
	for _, rel := range rels {
		for _, l := range links {
			if strings.EqualFold(l.Rel, rel) {
				return l.Href
			}
		}
	}
	return ""
}

// experienceContext is payment_source.paypal.experience_context.
type experienceContext struct {
	BrandName          string `json:"brand_name,omitempty"`
	ShippingPreference string `json:"shipping_preference,omitempty"`
	UserAction         string `json:"user_action,omitempty"`
	ReturnURL          string `json:"return_url,omitempty"`
	CancelURL          string `json:"cancel_url,omitempty"`
}

// createOrderRequest is the body of POST /v2/checkout/orders.
type createOrderRequest struct {
	Intent        string                `json:"intent"`
	PurchaseUnits []purchaseUnitRequest `json:"purchase_units"`
	PaymentSource paymentSourceRequest  `json:"payment_source"`
}

// purchaseUnitRequest is the one purchase unit Tally sends.
type purchaseUnitRequest struct {
	ReferenceID string `json:"reference_id,omitempty"`
	Amount      amount `json:"amount"`
	Description string `json:"description,omitempty"`
	CustomID    string `json:"custom_id,omitempty"`
	InvoiceID   string `json:"invoice_id,omitempty"`
}

// paymentSourceRequest asks for a PayPal-wallet payment.
type paymentSourceRequest struct {
	PayPal struct {
		ExperienceContext experienceContext `json:"experience_context"`
	} `json:"paypal"`
}

// statusDetails explains a capture's or refund's status.
type statusDetails struct {
	Reason string `json:"reason"`
}

// relatedIDs is supplementary_data.related_ids of a payment resource.
type relatedIDs struct {
	OrderID   string `json:"order_id"`
	CaptureID string `json:"capture_id"`
}

// captureResource is a capture (Payments v2), inside an order or alone.
type captureResource struct {
	ID                string         `json:"id"`
	Status            string         `json:"status"`
	StatusDetails     *statusDetails `json:"status_details"`
	Amount            *amount        `json:"amount"`
	CustomID          string         `json:"custom_id"`
	InvoiceID         string         `json:"invoice_id"`
	SupplementaryData struct {
		RelatedIDs relatedIDs `json:"related_ids"`
	} `json:"supplementary_data"`
	Links []link `json:"links"`
}

// refundResource is a refund (Payments v2), inside an order or alone.
type refundResource struct {
	ID                     string         `json:"id"`
	Status                 string         `json:"status"`
	StatusDetails          *statusDetails `json:"status_details"`
	Amount                 *amount        `json:"amount"`
	CustomID               string         `json:"custom_id"`
	InvoiceID              string         `json:"invoice_id"`
	SellerPayableBreakdown *struct {
		TotalRefundedAmount *amount `json:"total_refunded_amount"`
	} `json:"seller_payable_breakdown"`
	SupplementaryData struct {
		RelatedIDs relatedIDs `json:"related_ids"`
	} `json:"supplementary_data"`
	Links []link `json:"links"`
}

// orderResource is an Orders v2 order.
type orderResource struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	PurchaseUnits []struct {
		Amount   *amount `json:"amount"`
		CustomID string  `json:"custom_id"`
		Payments *struct {
			Captures []captureResource `json:"captures"`
			Refunds  []refundResource  `json:"refunds"`
		} `json:"payments"`
	} `json:"purchase_units"`
	Links []link `json:"links"`
}

// webhookEvent is a webhook event notification.
type webhookEvent struct {
	ID           string          `json:"id"`
	CreateTime   string          `json:"create_time"`
	ResourceType string          `json:"resource_type"`
	EventType    string          `json:"event_type"`
	Resource     json.RawMessage `json:"resource"`
}

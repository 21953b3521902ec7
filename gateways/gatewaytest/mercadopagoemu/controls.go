package mercadopagoemu

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// PaymentInfo is a snapshot of an emulated payment, for assertions.
type PaymentInfo struct {
	ID                string
	Status            string
	StatusDetail      string
	AmountMinor       int64
	RefundedMinor     int64
	Installments      int
	PaymentMethodID   string
	IssuerID          string
	Token             string
	PayerEmail        string
	Description       string
	ExternalReference string
	NotificationURL   string
	ThreeDSecureMode  string
	Metadata          map[string]any
	// PreferenceID is set for a payment made on Checkout Pro.
	PreferenceID string
	// IdempotencyKey is the X-Idempotency-Key the payment was created with.
	IdempotencyKey string
	// RefundKeys are the X-Idempotency-Keys of its refunds, in order.
	RefundKeys []string
	// PayerType is "customer" for a payment with a saved card (PayerID the
	// customer, CardID the card), "" for a guest's.
	PayerType, PayerID, CardID string
}

// PreferenceInfo is a snapshot of an emulated Checkout Pro preference.
type PreferenceInfo struct {
	ID                  string
	AmountMinor         int64
	Installments        int
	DefaultInstallments int
	ExternalReference   string
	NotificationURL     string
	SuccessURL          string
	PayerEmail          string
	Metadata            map[string]any
	IdempotencyKey      string
}

// Payment returns a snapshot of payment id.
func (e *Emulator) Payment(id string) (PaymentInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.lookup(id)
	if p == nil {
		return PaymentInfo{}, false
	}
	info := PaymentInfo{
		ID: id, Status: p.status, StatusDetail: p.detail, AmountMinor: p.amount, RefundedMinor: p.refunded,
		Installments: p.installments, PaymentMethodID: p.methodID, IssuerID: p.issuer, Token: p.token,
		PayerEmail: p.email, Description: p.description, ExternalReference: p.externalRef,
		NotificationURL: p.notificationURL, ThreeDSecureMode: p.threeDSMode, Metadata: maps.Clone(p.metadata),
		PreferenceID: p.preferenceID, IdempotencyKey: p.idempotencyKey,
		PayerType: p.payerType, PayerID: p.payerID, CardID: p.cardID,
	}
	for _, rf := range p.refunds {
		info.RefundKeys = append(info.RefundKeys, rf.key)
	}
	return info, true
}

// Preference returns a snapshot of preference id.
func (e *Emulator) Preference(id string) (PreferenceInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.prefs[id]
	if !ok {
		return PreferenceInfo{}, false
	}
	return PreferenceInfo{
		ID: p.id, AmountMinor: p.amount, Installments: p.installments, DefaultInstallments: p.defaultInstallments,
		ExternalReference: p.externalRef, NotificationURL: p.notificationURL, SuccessURL: p.backURLs.Success,
		PayerEmail: p.email, Metadata: maps.Clone(p.metadata), IdempotencyKey: p.idempotencyKey,
	}, true
}

// Approve settles a pending payment (a 3-D Secure challenge, in_process)
// as approved, as the challenge page does.
func (e *Emulator) Approve(paymentID string) error {
	return e.control(paymentID, func(p *payment) error {
		if p.status != "pending" && p.status != "in_process" && p.status != "authorized" {
			return fmt.Errorf("mercadopagoemu: payment %s is %s, not pending", paymentID, p.status)
		}
		e.setStatus(p, "approved", "accredited")
		return nil
	})
}

// SetStatus forces a payment into any Mercado Pago status and status
// detail (approved/accredited, rejected/cc_rejected_other_reason,
// cancelled/by_collector, in_process/pending_review_manual, …).
func (e *Emulator) SetStatus(paymentID, status, detail string) error {
	return e.control(paymentID, func(p *payment) error {
		e.setStatus(p, status, detail)
		return nil
	})
}

// SetRefunded forces a payment's cumulative refunded total to refundedMinor
// centavos: approved/accredited at 0, approved/partially_refunded below the
// amount, refunded/refunded at the amount (more is an error).
func (e *Emulator) SetRefunded(paymentID string, refundedMinor int64) error {
	return e.control(paymentID, func(p *payment) error {
		if refundedMinor < 0 || refundedMinor > p.amount {
			return fmt.Errorf("mercadopagoemu: cannot refund %d of %d", refundedMinor, p.amount)
		}
		p.refunded = 0
		if refundedMinor == 0 {
			e.setStatus(p, "approved", "accredited")
			return nil
		}
		e.refund(p, refundedMinor)
		return nil
	})
}

func (e *Emulator) control(paymentID string, fn func(*payment) error) error {
	e.mu.Lock()
	p := e.lookup(paymentID)
	if p == nil {
		e.mu.Unlock()
		return fmt.Errorf("mercadopagoemu: no payment %q", paymentID)
	}
	err := fn(p)
	deliver := e.takeNotifications()
	e.mu.Unlock()
	deliver()
	return err
}

// challengePage is the 3-D Secure challenge at
// three_ds_info.external_resource_url. A GET (redirect) or POST (the creq
// form) passes the challenge and approves the payment; ?result=fail fails it
// and the payment is rejected with cc_rejected_3ds_challenge.
func (e *Emulator) challengePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fail := r.URL.Query().Get("result") == "fail"
	err := e.control(id, func(p *payment) error {
		if p.status != "pending" || p.detail != "pending_challenge" {
			return fmt.Errorf("payment %s has no challenge pending (%s/%s)", id, p.status, p.detail)
		}
		if fail {
			e.setStatus(p, "rejected", "cc_rejected_3ds_challenge")
		} else {
			e.setStatus(p, "approved", "accredited")
		}
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	result := "approved"
	if fail {
		result = "rejected"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprintf(w, "<!doctype html><title>3-D Secure</title><p>Payment %s %s.</p>\n", id, result)
}

// PaymentIDs lists every payment's id, oldest first.
func (e *Emulator) PaymentIDs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]int64, 0, len(e.payments))
	for id := range e.payments {
		ids = append(ids, id)
	}
	out := make([]string, len(ids))
	slices.Sort(ids)
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

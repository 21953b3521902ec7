package installments

import (
	"math"
	"strings"

	"github.com/mercadopago/sdk-go/pkg/payment"

	"github.com/tallyhq/tally/domain"
)

// Mercado Pago payment statuses and the status details the mapping reads.
const (
	mpApproved      = "approved"
	mpAuthorized    = "authorized"
	mpPending       = "pending"
	mpInProcess     = "in_process"
	mpInMediation   = "in_mediation"
	mpRejected      = "rejected"
	mpCancelled     = "cancelled"
	mpRefunded      = "refunded"
	mpChargedBack   = "charged_back"
	detailChallenge = "pending_challenge"
)

// paymentState is the part of a Mercado Pago payment the mapping reads.
type paymentState struct {
	ID           string
	Status       string
	StatusDetail string
	Amount       int64 // transaction_amount in centavos
	Currency     domain.Currency
	Refunded     int64 // transaction_amount_refunded in centavos
	ChallengeURL string
	Creq         string
}

func stateOf(r *payment.Response) paymentState {
	return paymentState{
		ID:           paymentIDString(r.ID),
		Status:       r.Status,
		StatusDetail: r.StatusDetail,
		Amount:       centavos(r.TransactionAmount),
		Currency:     currencyOf(r.CurrencyID),
		Refunded:     centavos(r.TransactionAmountRefunded),
		ChallengeURL: r.ThreeDSInfo.ExternalResourceURL,
		Creq:         r.ThreeDSInfo.Creq,
	}
}

// normalize maps a Mercado Pago payment to Tally's view:
//
//	approved, in_mediation            SUCCEEDED (Refunded from transaction_amount_refunded)
//	refunded, charged_back            SUCCEEDED, Refunded = the refunded total (the whole amount if MP reports none)
//	rejected                          FAILED, FailureReason = status_detail (cc_rejected_…)
//	cancelled                         CANCELED
//	pending + pending_challenge       REQUIRES_ACTION, redirect to three_ds_info.external_resource_url
//	pending, in_process, authorized   PROCESSING
//
// s has passed checkPayment, which refuses any other status (and a
// payment without an id, with impossible amounts or in a currency Tally
// does not know); should one reach normalize all the same it is
// PROCESSING, never paid on an unknown word.
func normalize(s paymentState) domain.Payment {
	p := domain.Payment{
		ID:       s.ID,
		Amount:   domain.Money{AmountMinor: s.Amount, Currency: s.Currency},
		Refunded: s.Refunded,
	}
	switch s.Status {
	case mpApproved, mpInMediation:
		p.Status = domain.PaymentSucceeded
	case mpRefunded, mpChargedBack:
		p.Status = domain.PaymentSucceeded
		if p.Refunded == 0 {
			p.Refunded = s.Amount
		}
	case mpRejected:
		p.Status = domain.PaymentFailed
		p.FailureReason = s.StatusDetail
		if p.FailureReason == "" {
			p.FailureReason = mpRejected
		}
	case mpCancelled:
		p.Status = domain.PaymentCanceled
	case mpPending:
		p.Status = domain.PaymentProcessing
		if s.StatusDetail == detailChallenge && s.ChallengeURL != "" {
			p.Status = domain.PaymentRequiresAction
			p.NextAction = &domain.NextAction{Kind: domain.NextActionRedirect, URL: s.ChallengeURL, ClientSecret: s.Creq}
		}
	case mpInProcess, mpAuthorized:
		p.Status = domain.PaymentProcessing
	default: // a status this code does not know: never paid on it
		p.Status = domain.PaymentProcessing
	}
	return p
}

// centavos converts a decimal BRL amount from the API to minor units.
func centavos(f float64) int64 { return int64(math.Round(f * 100)) }

// maxCentavos bounds the amounts centavos converts exactly enough: 2^53
// centavos, far above any payment and where float64 still counts units.
const maxCentavos = 1 << 53

// validAmount reports whether an amount from the API is one a payment can
// have: non-negative and small enough for centavos (a larger float would
// convert to an arbitrary, possibly negative, int64).
func validAmount(f float64) bool { return f >= 0 && math.Round(f*100) <= maxCentavos }

// decimalBRL converts minor units to the decimal amount the API takes;
// exact up to maxCentavos, which every amount sent is checked against
// (tooLarge): a larger one would be sent rounded, another amount than asked.
func decimalBRL(minor int64) float64 { return float64(minor) / 100 }

// tooLarge refuses an amount above maxCentavos.
func tooLarge() error {
	return domain.InvalidInput("amount", "the amount must be at most %d centavos", int64(maxCentavos))
}

// currencyOf is the payment's currency_id as Tally spells it: reported as
// is (upper case), so that a payment in another currency than the order's
// is never taken for it (settlement holds such an order for review, and
// checkPayment refuses a currency Tally does not know at all); BRL, the
// only currency of Mercado Pago Brazil, when Mercado Pago leaves it out.
func currencyOf(id string) domain.Currency {
	if id == "" {
		return domain.BRL
	}
	return domain.Currency(strings.ToUpper(id))
}

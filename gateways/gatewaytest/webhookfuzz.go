package gatewaytest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/tallyhq/tally/domain"
)

// webhookKinds are the kinds a parsed event may have.
var webhookKinds = map[domain.WebhookEventKind]bool{
	domain.EventPaymentSucceeded:      true,
	domain.EventPaymentFailed:         true,
	domain.EventPaymentCanceled:       true,
	domain.EventPaymentProcessing:     true,
	domain.EventPaymentRequiresAction: true,
	domain.EventPaymentRefunded:       true,
}

// WebhookAnswer is what one ParseWebhook call gave.
type WebhookAnswer struct {
	Events []domain.WebhookEvent
	Err    error
}

// ParseTwice parses req twice (a redelivery) and fails t unless both calls
// give the same answer: the same events, or errors of the same code and
// message. A redelivery must be recognized by its event IDs, so an ID, or
// anything else, that changes between two parses of one input is a bug.
// It returns the first answer. Each call gets its own copy of the request.
func ParseTwice(t testing.TB, gw domain.Gateway, req domain.WebhookRequest) WebhookAnswer {
	t.Helper()
	parse := func() WebhookAnswer {
		r := domain.WebhookRequest{Header: req.Header.Clone(), Body: append([]byte(nil), req.Body...)}
		evs, err := gw.ParseWebhook(context.Background(), r)
		return WebhookAnswer{Events: evs, Err: err}
	}
	a, b := parse(), parse()
	if !reflect.DeepEqual(a.Events, b.Events) || domain.ErrorCode(a.Err) != domain.ErrorCode(b.Err) || errMessage(a.Err) != errMessage(b.Err) {
		t.Fatalf("the same delivery parsed twice gave different answers:\n first %+v, %v\nsecond %+v, %v", a.Events, a.Err, b.Events, b.Err)
	}
	return a
}

func errMessage(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// CheckWebhookAnswer fails t unless a ParseWebhook answer keeps the
// contract for any input, however malformed: either an error that is a
// *domain.Error with one of codes (never INTERNAL for bad input) and no
// events, or no error and events each with an ID, a PaymentID, a known
// Kind, a non-negative Amount and Refunded, and a supported currency
// whenever an amount is given, unless the event names an order (then an
// amount in a currency Tally does not support is passed on as stated, for
// settlement to hold the order as a mismatch).
func CheckWebhookAnswer(t testing.TB, a WebhookAnswer, codes ...domain.Code) {
	t.Helper()
	if err := webhookContract(a, codes); err != nil {
		t.Fatal(err)
	}
}

func webhookContract(a WebhookAnswer, codes []domain.Code) error {
	if a.Err != nil {
		var de *domain.Error
		if !errors.As(a.Err, &de) {
			return fmt.Errorf("error %v is not a *domain.Error", a.Err)
		}
		if a.Events != nil {
			return fmt.Errorf("error %v came with events %+v", a.Err, a.Events)
		}
		for _, c := range codes {
			if de.Code == c {
				return nil
			}
		}
		return fmt.Errorf("error %v has code %s, want one of %v", a.Err, de.Code, codes)
	}
	for i, ev := range a.Events {
		switch {
		case ev.ID == "":
			return fmt.Errorf("event %d has no ID: %+v", i, ev)
		case ev.PaymentID == "":
			return fmt.Errorf("event %d has no PaymentID: %+v", i, ev)
		case !webhookKinds[ev.Kind]:
			return fmt.Errorf("event %d has kind %q: %+v", i, ev.Kind, ev)
		case ev.Amount.AmountMinor < 0:
			return fmt.Errorf("event %d has a negative amount: %+v", i, ev)
		case ev.Refunded < 0:
			return fmt.Errorf("event %d has a negative refunded total: %+v", i, ev)
		case ev.Amount != (domain.Money{}) && !ev.Amount.Currency.Valid() && ev.OrderID == "":
			return fmt.Errorf("event %d has an amount in currency %q: %+v", i, ev.Amount.Currency, ev)
		}
	}
	return nil
}

// CheckRefused fails t unless a is an INVALID_INPUT error without events:
// what a delivery with a wrong or missing signature must get.
func CheckRefused(t testing.TB, a WebhookAnswer) {
	t.Helper()
	if a.Events != nil || !domain.IsCode(a.Err, domain.CodeInvalidInput) {
		t.Fatalf("a delivery with a wrong signature gave %+v, %v; want INVALID_INPUT", a.Events, a.Err)
	}
}

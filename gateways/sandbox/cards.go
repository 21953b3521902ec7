package sandbox

import (
	"strings"

	"github.com/tallyhq/tally/domain"
)

// Test card numbers (see the package documentation for what each does).
const (
	CardSucceeds          = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
	CardRequiresAction    = "4000002500003155"
	CardProcessing        = "4000000000000259"
)

// card is what a test card does when charged.
type card struct {
	number string
	label  string
	// status is where a payment charged to the card starts.
	status domain.PaymentStatus
	// decline is the decline code of a card that is refused.
	decline string
}

// cards lists the test cards in the order the hosted page offers them.
var cards = []card{
	{number: CardSucceeds, label: "succeeds", status: domain.PaymentSucceeded},
	{number: CardDeclined, label: "declined (generic_decline)", status: domain.PaymentFailed, decline: "generic_decline"},
	{number: CardInsufficientFunds, label: "declined (insufficient_funds)", status: domain.PaymentFailed, decline: "insufficient_funds"},
	{number: CardRequiresAction, label: "requires 3-D Secure", status: domain.PaymentRequiresAction},
	{number: CardProcessing, label: "succeeds asynchronously", status: domain.PaymentProcessing},
}

// lookupCard finds a test card by number, ignoring spaces and dashes.
func lookupCard(number string) (card, bool) {
	n := strings.NewReplacer(" ", "", "-", "").Replace(number)
	for _, c := range cards {
		if c.number == n {
			return c, true
		}
	}
	return card{}, false
}

// declineMessage is the PAYMENT_FAILED message for a decline code.
func declineMessage(code string) string { return "card declined: " + code }

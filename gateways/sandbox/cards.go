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
	// CardAuthRequired always asks for 3-D Secure: on session it is
	// REQUIRES_ACTION like CardRequiresAction; saved, it saves at once but
	// every off-session charge fails with authentication_required
	// (domain.FailureAuthRequired).
	CardAuthRequired = "4000002760003184"
)

// card is what a test card does when charged.
type card struct {
	number string
	label  string
	// status is where a payment charged to the card starts.
	status domain.PaymentStatus
	// decline is the decline code of a card that is refused.
	decline string
	// offStatus and offDecline are what an off-session charge of the card
	// saved through SaveMethod does (see vault.go).
	offStatus  domain.PaymentStatus
	offDecline string
	// saveDecline is the decline code of a card refused while saving; ""
	// when it saves.
	saveDecline string
	// setup3DS: saving waits for 3-D Secure on the setup page.
	setup3DS bool
}

// cards lists the test cards in the order the hosted page offers them.
var cards = []card{
	{number: CardSucceeds, label: "succeeds", status: domain.PaymentSucceeded, offStatus: domain.PaymentSucceeded},
	{number: CardDeclined, label: "declined (generic_decline)", status: domain.PaymentFailed, decline: "generic_decline",
		saveDecline: "generic_decline"},
	{number: CardInsufficientFunds, label: "declined (insufficient_funds)", status: domain.PaymentFailed, decline: "insufficient_funds",
		offStatus: domain.PaymentFailed, offDecline: "insufficient_funds"},
	{number: CardRequiresAction, label: "requires 3-D Secure", status: domain.PaymentRequiresAction,
		offStatus: domain.PaymentSucceeded, setup3DS: true},
	{number: CardProcessing, label: "succeeds asynchronously", status: domain.PaymentProcessing, offStatus: domain.PaymentProcessing},
	{number: CardAuthRequired, label: "always requires 3-D Secure", status: domain.PaymentRequiresAction,
		offStatus: domain.PaymentFailed, offDecline: domain.FailureAuthRequired},
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

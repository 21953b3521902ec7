package mercadopagoemu

// Test card tokens. On Mercado Pago a card token comes from MP.js (the card
// form) and the test outcome from the cardholder name (APRO, FUND, OTHE,
// SECU, CONT); the emulator accepts these fixed tokens instead, any number
// of times. Use them with a known payment_method_id such as "visa".
const (
	// TokenApprove is approved at once (status approved, accredited).
	TokenApprove = "emu-card-APRO"
	// TokenInsufficientAmount is rejected with cc_rejected_insufficient_amount.
	TokenInsufficientAmount = "emu-card-FUND"
	// TokenRejected is rejected with cc_rejected_other_reason.
	TokenRejected = "emu-card-OTHE"
	// TokenBadSecurityCode is rejected with cc_rejected_bad_filled_security_code.
	TokenBadSecurityCode = "emu-card-SECU"
	// TokenPending stays in_process (pending_contingency) until a control
	// (Approve, SetStatus) settles it.
	TokenPending = "emu-card-CONT"
	// TokenChallenge asks for 3-D Secure: with three_d_secure_mode optional
	// or mandatory the payment is pending (pending_challenge) with a
	// challenge page at three_ds_info.external_resource_url; visiting it
	// approves the payment (with ?result=fail it rejects it,
	// cc_rejected_3ds_challenge). Without 3-D Secure the issuer rejects it
	// (cc_rejected_high_risk).
	TokenChallenge = "emu-card-3DS"
)

// cardOutcome is what a test token does to a new payment.
type cardOutcome struct {
	status, detail string
	challenge      bool
	firstSix       string
	lastFour       string
}

var testTokens = map[string]cardOutcome{
	TokenApprove:            {status: "approved", detail: "accredited", firstSix: "423564", lastFour: "5682"},
	TokenInsufficientAmount: {status: "rejected", detail: "cc_rejected_insufficient_amount", firstSix: "503143", lastFour: "6351"},
	TokenRejected:           {status: "rejected", detail: "cc_rejected_other_reason", firstSix: "423564", lastFour: "5682"},
	TokenBadSecurityCode:    {status: "rejected", detail: "cc_rejected_bad_filled_security_code", firstSix: "423564", lastFour: "5682"},
	TokenPending:            {status: "in_process", detail: "pending_contingency", firstSix: "423564", lastFour: "5682"},
	TokenChallenge:          {status: "pending", detail: "pending_challenge", challenge: true, firstSix: "423564", lastFour: "5682"},
}

// brands are the card payment_method_ids the emulator knows, with the
// issuer it reports.
var brands = map[string]string{
	"visa":      "25",
	"master":    "24",
	"amex":      "311",
	"elo":       "687",
	"hipercard": "1043",
}

// brandOfBIN guesses a brand from a card's first digits, as the quote
// endpoint's bin parameter does.
func brandOfBIN(bin string) string {
	switch {
	case len(bin) < 6:
		return ""
	case bin[0] == '4':
		return "visa"
	case bin[0] == '5' || bin[0] == '2':
		return "master"
	case bin[:2] == "34" || bin[:2] == "37":
		return "amex"
	case bin[:4] == "6062":
		return "hipercard"
	default:
		return "elo"
	}
}

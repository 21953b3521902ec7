package graph

import (
	"encoding/base64"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// The GraphQL type names that global IDs carry.
const (
	typeOrg           = "Org"
	typeUser          = "User"
	typeInvitation    = "Invitation"
	typeAPIKey        = "ApiKey"
	typeCreditGrant   = "CreditGrant"
	typeLedgerEntry   = "LedgerEntry"
	typePlan          = "Plan"
	typePack          = "Pack"
	typeOrder         = "Order"
	typeInvoice       = "Invoice"
	typeCreditNote    = "CreditNote"
	typeSubscription  = "Subscription"
	typePaymentMethod = "PaymentMethod"
	// Outbound webhooks.
	typeWebhookEndpoint = "WebhookEndpoint"
	typeWebhookDelivery = "WebhookDelivery"
)

// nodeTypes are the types whose IDs the API hands out and accepts.
var nodeTypes = map[string]bool{
	typeOrg: true, typeUser: true, typeInvitation: true, typeAPIKey: true,
	typeCreditGrant: true, typeLedgerEntry: true, typePlan: true, typePack: true,
	typeOrder: true, typeInvoice: true, typeCreditNote: true, typeSubscription: true, typePaymentMethod: true,
	typeWebhookEndpoint: true, typeWebhookDelivery: true,
}

// EncodeID returns the opaque global ID of the object of GraphQL type typ
// with domain ID id: standard base64 of "Type:id".
func EncodeID(typ, id string) string {
	return base64.StdEncoding.EncodeToString([]byte(typ + ":" + id))
}

// DecodeID splits a global ID into its type and domain ID. A malformed ID or
// one of an unknown type is INVALID_INPUT naming field.
func DecodeID(field, gid string) (typ, id string, err error) {
	raw, decErr := base64.StdEncoding.Strict().DecodeString(gid)
	if decErr != nil || len(gid) > 256 {
		return "", "", domain.InvalidInput(field, "malformed ID")
	}
	typ, id, ok := strings.Cut(string(raw), ":")
	if !ok || id == "" {
		return "", "", domain.InvalidInput(field, "malformed ID")
	}
	if !nodeTypes[typ] {
		return "", "", domain.InvalidInput(field, "unknown ID type")
	}
	return typ, id, nil
}

// decodeIDOf decodes a global ID that must be of type want; an ID of another
// type is INVALID_INPUT naming field.
func decodeIDOf(field, gid, want string) (string, error) {
	typ, id, err := DecodeID(field, gid)
	if err != nil {
		return "", err
	}
	if typ != want {
		return "", domain.InvalidInput(field, "not the ID of a %s", want)
	}
	return id, nil
}

// decodeMemberIDs decodes the orgId and userId arguments that name one
// membership.
func decodeMemberIDs(orgID, userID string) (oid, uid string, err error) {
	if oid, err = decodeIDOf("orgId", orgID, typeOrg); err != nil {
		return "", "", err
	}
	if uid, err = decodeIDOf("userId", userID, typeUser); err != nil {
		return "", "", err
	}
	return oid, uid, nil
}

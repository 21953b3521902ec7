package domain

import (
	"context"
	"strings"
)

// Action is something an actor may or may not do to an org (README, Roles).
type Action string

// Actions of the role table.
const (
	ActionReadOrg       Action = "read org"               // org fields, seats, catalog-facing data
	ActionReadBalance   Action = "read balance"           // balance and grants
	ActionReadOwnUsage  Action = "read own usage"         // own ledger entries
	ActionSpend         Action = "spend credits"          // consumeCredits
	ActionManageMembers Action = "manage members"         // members, invitations, roles
	ActionManageAPIKeys Action = "manage API keys"        // create, list, revoke keys
	ActionBilling       Action = "billing"                // buy, payment methods, invoices, org-wide usage
	ActionOwn           Action = "delete or transfer org" // owner only
	// ActionManageWebhooks: webhook endpoints, their secrets and delivery log.
	ActionManageWebhooks Action = "manage webhooks"
	ActionReportUsage    Action = "report usage" // recordUsage, POST /v1/usage/events
)

// rolePolicy is the role table of README's Roles section (and of the
// schema's Role description): which roles may take each action.
var rolePolicy = map[Action][]Role{
	ActionReadOrg:        {RoleOwner, RoleAdmin, RoleBilling, RoleMember},
	ActionReadBalance:    {RoleOwner, RoleAdmin, RoleBilling, RoleMember},
	ActionReadOwnUsage:   {RoleOwner, RoleAdmin, RoleBilling, RoleMember},
	ActionSpend:          {RoleOwner, RoleAdmin, RoleBilling, RoleMember},
	ActionManageMembers:  {RoleOwner, RoleAdmin},
	ActionManageAPIKeys:  {RoleOwner, RoleAdmin},
	ActionBilling:        {RoleOwner, RoleBilling},
	ActionOwn:            {RoleOwner},
	ActionManageWebhooks: {RoleOwner, RoleAdmin},
	ActionReportUsage:    {RoleOwner, RoleAdmin},
}

// apiKeyPolicy is what an org API key may do on its own org.
var apiKeyPolicy = map[Action]bool{
	ActionReadOrg:     true,
	ActionReadBalance: true,
	ActionSpend:       true,
	ActionReportUsage: true,
}

// actionWords says each action as the end of the sentence "… may not
// <words>" of a FORBIDDEN message, so a refused caller reads what they
// tried in plain words. Every action of rolePolicy has its words
// (TestDenialWording).
var actionWords = map[Action]string{
	ActionReadOrg:        "read this org",
	ActionReadBalance:    "read this org's balance",
	ActionReadOwnUsage:   "read this org's usage or ledger",
	ActionSpend:          "spend this org's credits",
	ActionManageMembers:  "manage this org's members, invitations or roles",
	ActionManageAPIKeys:  "manage this org's API keys",
	ActionBilling:        "buy credits or read this org's orders, invoices, payment methods or org-wide usage",
	ActionOwn:            "delete this org or transfer its ownership",
	ActionManageWebhooks: "manage this org's webhook endpoints",
	ActionReportUsage:    "report this org's usage",
}

// words is the action in plain words (actionWords).
func (a Action) words() string {
	if w, ok := actionWords[a]; ok {
		return w
	}
	return string(a)
}

// allowedRoles names the roles that may take action, as a sentence says
// them: "OWNER", "OWNER or BILLING", "OWNER, ADMIN or BILLING".
func allowedRoles(action Action) string {
	roles := rolePolicy[action]
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// roleDenied is the FORBIDDEN error of a member whose role may not take
// action, e.g. "a member with the MEMBER role may not manage this org's
// API keys; that takes the OWNER or ADMIN role".
func roleDenied(role Role, action Action) *Error {
	return Errorf(CodeForbidden, "a member with the %s role may not %s; that takes the %s role",
		role, action.words(), allowedRoles(action))
}

// apiKeyDenied is the FORBIDDEN error of an org API key refused action,
// e.g. "an API key may not manage this org's API keys; sign in as a member
// with the OWNER or ADMIN role".
func apiKeyDenied(action Action) *Error {
	who := "sign in as a member with the " + allowedRoles(action) + " role"
	if len(rolePolicy[action]) == len(allRoles) {
		who = "sign in as a member of this org"
	}
	return Errorf(CodeForbidden, "an API key may not %s; %s", action.words(), who)
}

// allRoles are the roles of the role table (README, Roles).
var allRoles = []Role{RoleOwner, RoleAdmin, RoleBilling, RoleMember}

// RoleAllows reports whether role may take action.
func RoleAllows(role Role, action Action) bool {
	for _, r := range rolePolicy[action] {
		if r == role {
			return true
		}
	}
	return false
}

// Access is the outcome of an authorization: who, and with what role.
type Access struct {
	Actor Actor
	Role  Role // empty for API keys
}

// authorize checks that the actor in ctx may take action on org orgID.
// Anonymous callers get UNAUTHENTICATED; anyone who is not a member (or an
// API key of another org) gets NOT_FOUND, so an org's existence never leaks;
// members without the right get FORBIDDEN.
func (s *Service) authorize(ctx context.Context, orgID string, action Action) (Access, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return Access{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if !ValidID(orgID) {
		return Access{}, NotFound("org")
	}
	if a.IsAPIKey() {
		return apiKeyAccess(a, orgID, action)
	}
	m, err := s.store.MembershipOf(ctx, orgID, a.UserID)
	return memberAccess(a, m, err, action)
}

// apiKeyAccess is authorize's answer for API key a on a valid org ID: it
// reads nothing, so the balance feed asks it for its key subscribers
// without going through their contexts.
func apiKeyAccess(a Actor, orgID string, action Action) (Access, error) {
	if a.APIKeyOrgID != orgID {
		return Access{}, NotFound("org")
	}
	if !apiKeyPolicy[action] {
		return Access{}, apiKeyDenied(action)
	}
	return Access{Actor: a}, nil
}

// memberAccess is authorize's answer for user a once their membership was
// read (m, or the read's error err): shared with the balance feed, which
// reads the memberships of all its subscribers at once.
func memberAccess(a Actor, m Membership, err error, action Action) (Access, error) {
	if IsCode(err, CodeNotFound) {
		return Access{}, NotFound("org")
	}
	if err != nil {
		return Access{}, Internal(err)
	}
	if !RoleAllows(m.Role, action) {
		return Access{}, roleDenied(m.Role, action)
	}
	return Access{Actor: a, Role: m.Role}, nil
}

// requireUser returns the signed-in user actor; API keys and anonymous
// callers are refused.
func requireUser(ctx context.Context) (Actor, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return Actor{}, Errorf(CodeUnauthenticated, "sign in required")
	}
	if a.IsAPIKey() {
		return Actor{}, Errorf(CodeForbidden, "an API key may not do this; sign in as a user")
	}
	return a, nil
}

// requirePlatformAdmin returns the actor when it is a platform admin.
func requirePlatformAdmin(ctx context.Context) (Actor, error) {
	a, err := requireUser(ctx)
	if err != nil {
		return Actor{}, err
	}
	if !a.PlatformAdmin {
		return Actor{}, Errorf(CodeForbidden, "only a platform admin may do this")
	}
	return a, nil
}

// ledgerScope is the one rule of which ledger entries of an org acc may
// see (every member reads their own usage; org-wide usage is a billing
// right): OWNER and BILLING see every entry, other members only
// the entries they caused, API keys none (they may read the balance, not
// the ledger). ok is false when acc may see no entry; otherwise actorID is
// "" for every entry, or the one actor whose entries acc may see. Ledger
// filters with it, and mayReadEntry applies it to one entry.
func ledgerScope(acc Access) (actorID string, ok bool) {
	switch {
	case acc.Actor.IsAPIKey() || acc.Actor.UserID == "":
		return "", false
	case RoleAllows(acc.Role, ActionBilling):
		return "", true
	case RoleAllows(acc.Role, ActionReadOwnUsage):
		return acc.Actor.UserID, true
	}
	return "", false
}

// mayReadEntry reports whether acc may see ledger entry e (ledgerScope):
// LedgerEntry, balanceUpdated events and idempotent replays ask it.
func mayReadEntry(acc Access, e LedgerEntry) bool {
	actorID, ok := ledgerScope(acc)
	return ok && (actorID == "" || e.ActorID == actorID)
}

// mayReplay reports whether a repeated idempotency key may answer acc with
// the stored result whose ledger entry is e: only when acc caused e (a
// fresh call by acc would have answered with its own entry) or may read it
// anyway. Anyone else gets CONFLICT, as for a key used by another request,
// so a key never shows one principal's entry (reason, metadata, actor) to
// another who may not read it.
func mayReplay(acc Access, e LedgerEntry) bool {
	own := e.ActorKind == acc.Actor.Kind() && e.ActorID == acc.Actor.ID() && e.ActorID != ""
	return own || mayReadEntry(acc, e)
}

// authorizeOrderRead is the one rule of who may read an org's orders and
// invoices (order, invoice, an order's invoice field, the invoice PDF):
// members with the billing right (OWNER, BILLING), and platform admins,
// who read any org's orders for support and to refund them.
// Reading is all a platform admin may do beyond refunds: cancelOrder and
// confirmOrder need billing membership (authorizeOrderChange). Codes as
// authorize.
func (s *Service) authorizeOrderRead(ctx context.Context, orgID string) error {
	a, ok := ActorFrom(ctx)
	if !ok {
		return Errorf(CodeUnauthenticated, "sign in required")
	}
	if a.PlatformAdmin && !a.IsAPIKey() {
		return nil
	}
	_, err := s.authorize(ctx, orgID, ActionBilling)
	return err
}

// authorizeOrderChange is who may act on an org's order (cancelOrder,
// confirmOrder): members with the billing right only. A platform admin
// who is not one may read the order (authorizeOrderRead) but is refused
// with FORBIDDEN rather than NOT_FOUND, since the order is no secret to
// them. Codes as authorize.
func (s *Service) authorizeOrderChange(ctx context.Context, orgID string) error {
	_, err := s.authorize(ctx, orgID, ActionBilling)
	if a, _ := ActorFrom(ctx); IsCode(err, CodeNotFound) && a.PlatformAdmin && !a.IsAPIKey() {
		return Errorf(CodeForbidden, "a platform admin may read and refund any order, but cancel or confirm only those of orgs where they hold the billing role")
	}
	return err
}

// memberOrNotFound keeps FORBIDDEN (a member of the object's org lacking
// the role) and turns every other refusal into NOT_FOUND for the object.
func memberOrNotFound(err error, what string) error {
	if IsCode(err, CodeForbidden) || IsCode(err, CodeUnauthenticated) {
		return err
	}
	return notFoundFor(err, what)
}

// notFoundFor turns an authorization failure on an object's org into
// NOT_FOUND for the object itself, so nothing leaks.
func notFoundFor(err error, what string) error {
	if IsCode(err, CodeNotFound) || IsCode(err, CodeForbidden) {
		return NotFound(what)
	}
	return err
}

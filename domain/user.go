package domain

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// User is a person known from an identity token (subject + email).
type User struct {
	ID        string
	Subject   string // the token's sub claim; unique
	Email     string
	Name      string
	CreatedAt time.Time
}

// EnsureUser returns the user behind a verified identity token, creating it
// on first use and refreshing its email and name. INVALID_INPUT without a
// subject.
func (s *Service) EnsureUser(ctx context.Context, subject, email, name string) (User, error) {
	subject = strings.TrimSpace(subject)
	if subject == "" || len(subject) > 255 {
		return User{}, InvalidInput("sub", "token subject is required")
	}
	u, err := s.store.UpsertUser(ctx, User{
		ID: newID(), Subject: subject, Email: normalizeEmail(email),
		Name: strings.TrimSpace(name), CreatedAt: s.clock.Now(),
	})
	return u, asDomainError(err)
}

// Viewer returns the signed-in user and their memberships. UNAUTHENTICATED
// for anonymous callers, FORBIDDEN for API keys.
func (s *Service) Viewer(ctx context.Context) (User, []Membership, error) {
	a, err := requireUser(ctx)
	if err != nil {
		return User{}, nil, err
	}
	u, err := s.store.UserByID(ctx, a.UserID)
	if err != nil {
		return User{}, nil, asDomainError(err)
	}
	ms, err := s.store.MembershipsOfUser(ctx, a.UserID)
	if err != nil {
		return User{}, nil, asDomainError(err)
	}
	return u, ms, nil
}

// UsersByIDs loads users for relationship fields of objects the caller was
// already authorized to see.
func (s *Service) UsersByIDs(ctx context.Context, ids []string) (map[string]User, error) {
	us, err := s.store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, asDomainError(err)
	}
	m := make(map[string]User, len(us))
	for _, u := range us {
		m[u.ID] = u
	}
	return m, nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// parseEmail validates a bare email address for the named field.
func parseEmail(field, e string) (string, error) {
	e = normalizeEmail(e)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return "", InvalidInput(field, "must be an email address")
	}
	return e, nil
}

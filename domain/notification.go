package domain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"sync"

	"github.com/tallyhq/tally/domain/notice"
)

// Mail is one email as the domain composes it; a Mailer delivers it.
type Mail struct {
	// From is the sender; "" lets the Mailer use its configured one.
	From string
	// To are the recipients' addresses.
	To      []string
	Subject string
	// Text and HTML are the two alternative parts of the body.
	Text string
	HTML string
	// Attachments are files attached to the message (a receipt's invoice).
	Attachments []Attachment
	// MessageID is the Message-ID header without angle brackets. It is
	// derived from the event, so every retry of one event sends the same
	// ID and receivers can drop a duplicate.
	MessageID string
	// Headers are extra headers (X-Tally-Event, …).
	Headers map[string]string
}

// Attachment is a file attached to a Mail.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Mailer delivers mail: SMTP in production, a folder of .eml files in
// development (cmd/tally/internal/mailer). Send returns once the mail
// server accepted the message, or with why it did not.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// InvoiceRenderer writes an invoice's PDF, the same document
// /invoices/{id}.pdf serves (invoicepdf.Render with the configured
// issuer; the domain cannot import invoicepdf, which imports it).
type InvoiceRenderer func(w io.Writer, inv Invoice) error

// notifier is what sending notifications needs.
type notifier struct {
	mailer Mailer
	pdf    InvoiceRenderer
	// sending holds the events this instance is delivering now, so two
	// runs here (two test clock moves, a sweep and a kick) never send one
	// event at once.
	sending sync.Map
}

// WithMailer sets where notification emails go and how a renewal
// receipt's invoice PDF is rendered (nil: no attachment). Without a
// Mailer DeliverNotification fails, and notifications wait in the outbox.
func WithMailer(m Mailer, pdf InvoiceRenderer) Option {
	return func(s *Service) { s.notify = &notifier{mailer: m, pdf: pdf} }
}

// notifyRoles are the roles that receive an org's notifications.
var notifyRoles = []Role{RoleOwner, RoleBilling}

// UnsentNotifications lists up to limit events whose email was not sent
// yet, oldest first: the outbox the notifications sweep works through.
func (s *Service) UnsentNotifications(ctx context.Context, limit int) ([]OrgEvent, error) {
	evs, err := s.store.UnsentNotifications(ctx, limit)
	return evs, asDomainError(err)
}

// errSendingHere reports that this instance is already delivering the
// event; the job is retried later and then finds it sent.
var errSendingHere = errors.New("this notification is being sent by another run on this instance")

// DeliverNotification sends the email of org event eventID to the org's
// OWNER and BILLING members, once: an event already sent (SentAt set) or
// that does not notify returns nil without sending. On success the event
// is marked sent; on failure the attempt and its error are recorded and
// the error returned, for the job queue to retry.
//
// Once, and where it is not: the event's unique key records one
// transition once, the job's unique key (the event's ID) queues one
// delivery at a time, and sent_at ends every later attempt. The one gap
// is a crash (or a lost connection) after the mail server accepted the
// message and before MarkNotificationSent committed: the retry sends it
// again. Its Message-ID is the same (derived from the event ID), so a
// receiver that drops duplicates by Message-ID shows it once.
//
// With no OWNER or BILLING member having an email (an org whose members
// were removed), the event is marked sent with that reason recorded as
// its last error: there is nobody to tell, and retrying would not change
// that.
func (s *Service) DeliverNotification(ctx context.Context, eventID string) error {
	ev, err := s.store.OrgEventByID(ctx, eventID)
	if err != nil {
		return asDomainError(err)
	}
	if ev.SentAt != nil || !ev.Notify {
		return nil
	}
	if s.notify == nil || s.notify.mailer == nil {
		return Internal(errors.New("no mailer configured"))
	}
	if _, busy := s.notify.sending.LoadOrStore(ev.ID, true); busy {
		return errSendingHere
	}
	defer s.notify.sending.Delete(ev.ID)
	// Read again now that this run holds the event: a run that just
	// finished may have sent it.
	if ev, err = s.store.OrgEventByID(ctx, eventID); err != nil {
		return asDomainError(err)
	}
	if ev.SentAt != nil {
		return nil
	}
	m, err := s.composeNotification(ctx, ev)
	if errors.Is(err, errNoRecipients) {
		if ferr := s.store.MarkNotificationFailed(ctx, ev.ID, err.Error()); ferr != nil {
			return asDomainError(ferr)
		}
		return asDomainError(s.store.MarkNotificationSent(ctx, ev.ID, s.clock.Now()))
	}
	if err == nil {
		err = s.notify.mailer.Send(ctx, m)
	}
	if err != nil {
		if ferr := s.store.MarkNotificationFailed(context.WithoutCancel(ctx), ev.ID, err.Error()); ferr != nil {
			s.log.ErrorContext(ctx, "notification failure not recorded", "event", ev.ID, "error", ferr)
		}
		return fmt.Errorf("notification %s (%s): %w", ev.ID, ev.Kind, err)
	}
	// The server has the message: record it even if ctx just ended.
	return asDomainError(s.store.MarkNotificationSent(context.WithoutCancel(ctx), ev.ID, s.clock.Now()))
}

// errNoRecipients: the org has no OWNER or BILLING member with an email.
var errNoRecipients = errors.New("no OWNER or BILLING member with an email address")

// composeNotification builds the email of ev.
func (s *Service) composeNotification(ctx context.Context, ev OrgEvent) (Mail, error) {
	org, err := s.store.OrgByID(ctx, ev.OrgID)
	if err != nil {
		return Mail{}, asDomainError(err)
	}
	to, err := s.notificationRecipients(ctx, ev.OrgID)
	if err != nil {
		return Mail{}, err
	}
	if len(to) == 0 {
		return Mail{}, errNoRecipients
	}
	msg, err := notice.Render(string(ev.Kind), notice.Data{
		OrgName: org.Name, ProductName: s.cfg.Notify.ProductName, BillingURL: s.cfg.Notify.BillingURL,
		Detail: ev.Detail, When: ev.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"),
	})
	if err != nil {
		return Mail{}, Internal(err)
	}
	m := Mail{
		To: to, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML,
		MessageID: ev.ID + "@" + s.mailDomain(),
		Headers:   map[string]string{"X-Tally-Event": string(ev.Kind)},
	}
	if ev.Kind == OrgEventRenewalPaid {
		a, err := s.invoiceAttachment(ctx, ev)
		if err != nil {
			return Mail{}, err
		}
		if a != nil {
			m.Attachments = append(m.Attachments, *a)
		}
	}
	return m, nil
}

// notificationRecipients lists the distinct emails of the org's OWNER and
// BILLING members, sorted.
func (s *Service) notificationRecipients(ctx context.Context, orgID string) ([]string, error) {
	var ids []string
	p := Page{First: MaxPageSize}
	for {
		c, err := s.store.ListMembers(ctx, orgID, p)
		if err != nil {
			return nil, asDomainError(err)
		}
		for _, e := range c.Edges {
			for _, r := range notifyRoles {
				if e.Node.Role == r {
					ids = append(ids, e.Node.UserID)
				}
			}
		}
		if !c.HasNextPage {
			break
		}
		p.After = c.EndCursor()
	}
	users, err := s.store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, asDomainError(err)
	}
	seen := map[string]bool{}
	var to []string
	for _, u := range users {
		if u.Email != "" && !seen[u.Email] {
			seen[u.Email] = true
			to = append(to, u.Email)
		}
	}
	sort.Strings(to)
	return to, nil
}

// invoiceAttachment is the PDF of a renewal receipt's invoice (detail
// invoiceId, or the invoice of orderId); nil when no renderer is
// configured or the event names no invoice (logged).
func (s *Service) invoiceAttachment(ctx context.Context, ev OrgEvent) (*Attachment, error) {
	if s.notify.pdf == nil {
		return nil, nil
	}
	var (
		inv Invoice
		err error
	)
	switch {
	case ev.Detail["invoiceId"] != "":
		inv, err = s.store.InvoiceByID(ctx, ev.Detail["invoiceId"])
	case ev.Detail["orderId"] != "":
		inv, err = s.store.InvoiceByOrder(ctx, ev.Detail["orderId"])
	default:
		s.log.WarnContext(ctx, "renewal receipt without an invoice to attach", "event", ev.ID)
		return nil, nil
	}
	if err != nil {
		return nil, asDomainError(err)
	}
	var buf bytes.Buffer
	if err := s.notify.pdf(&buf, inv); err != nil {
		return nil, Internal(fmt.Errorf("invoice %s pdf: %w", inv.Number, err))
	}
	return &Attachment{Name: inv.Number + ".pdf", ContentType: "application/pdf", Data: buf.Bytes()}, nil
}

// mailDomain is the right-hand side of Message-IDs: the billing page's
// (or public URL's) host, "tally.invalid" without one.
func (s *Service) mailDomain() string {
	for _, raw := range []string{s.cfg.Notify.BillingURL, s.cfg.PublicURL} {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return "tally.invalid"
}

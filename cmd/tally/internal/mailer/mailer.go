// Package mailer delivers the domain's notification emails
// (domain.Mailer): over SMTP with github.com/wneessen/go-mail, or, in
// development without a mail server, into a folder of .eml files.
package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tallyhq/tally/domain"
)

// TLS policies of an SMTP connection (TALLY_SMTP_TLS).
const (
	// TLSOpportunistic upgrades with STARTTLS when the server offers it,
	// and sends in the clear when it does not (the default).
	TLSOpportunistic = "opportunistic"
	// TLSMandatory refuses to send unless STARTTLS succeeds.
	TLSMandatory = "mandatory"
	// TLSNone never upgrades: local test servers only.
	TLSNone = "none"
)

// sendTimeout bounds one delivery (connect, auth, send).
const sendTimeout = 30 * time.Second

// SMTP sends mail through one SMTP server. It is safe for concurrent use:
// each Send opens its own connection.
type SMTP struct {
	host     string
	port     int
	ssl      bool
	user     string
	password string
	policy   gomail.TLSPolicy
	from     string
}

// ParseSMTP checks an SMTP URL, smtp://[user:password@]host[:port] (port
// 587 by default) or smtps://… for TLS from the first byte (port 465), and
// a TLS policy (TLSOpportunistic, TLSMandatory, TLSNone; "" is
// opportunistic). from is the sender of every message.
func ParseSMTP(rawURL, policy, from string) (*SMTP, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return nil, errors.New("TALLY_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…")
	}
	s := &SMTP{host: u.Hostname(), ssl: u.Scheme == "smtps", from: from, port: 587}
	if s.ssl {
		s.port = 465
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("TALLY_SMTP_URL: bad port %q", p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	switch policy {
	case "", TLSOpportunistic:
		s.policy = gomail.TLSOpportunistic
	case TLSMandatory:
		s.policy = gomail.TLSMandatory
	case TLSNone:
		s.policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("TALLY_SMTP_TLS must be %s, %s or %s", TLSOpportunistic, TLSMandatory, TLSNone)
	}
	if _, err := mailAddress(from); err != nil {
		return nil, fmt.Errorf("TALLY_MAIL_FROM: %w", err)
	}
	return s, nil
}

// Loopback reports whether the server is on this machine.
func (s *SMTP) Loopback() bool {
	if s.host == "localhost" {
		return true
	}
	ip := net.ParseIP(s.host)
	return ip != nil && ip.IsLoopback()
}

// String names the server (without credentials) for logs.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.ssl {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(s.host, strconv.Itoa(s.port))
}

// Send delivers m and returns once the server accepted it: a refusal
// (a 4xx or 5xx answer) or a connection failure is an error.
func (s *SMTP) Send(ctx context.Context, m domain.Mail) error {
	msg, err := build(m, s.from)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(sendTimeout)}
	if s.ssl {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(s.policy))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", s, err)
	}
	return nil
}

// Dir writes each message as an .eml file into a folder: the development
// default, which needs no mail server. Open the files with any mail
// program.
type Dir struct {
	dir  string
	from string
	log  *slog.Logger
}

// NewDir makes the folder (if needed) and returns its Mailer.
func NewDir(dir, from string, log *slog.Logger) (*Dir, error) {
	if _, err := mailAddress(from); err != nil {
		return nil, fmt.Errorf("TALLY_MAIL_FROM: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("TALLY_MAIL_DIR: %w", err)
	}
	return &Dir{dir: dir, from: from, log: log}, nil
}

// Path is the folder messages are written to.
func (d *Dir) Path() string { return d.dir }

// unsafeName matches what a file name should not contain.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Send writes m to <dir>/<message id>.eml (the same event overwrites its
// file, as a receiver would drop the duplicate) and logs a line.
func (d *Dir) Send(ctx context.Context, m domain.Mail) error {
	msg, err := build(m, d.from)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	name := unsafeName.ReplaceAllString(m.MessageID, "_")
	if name == "" {
		name = strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	path := filepath.Join(d.dir, name+".eml")
	tmp, err := os.CreateTemp(d.dir, ".mail-*")
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	_, err = tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("mail: %w", err)
	}
	d.log.InfoContext(ctx, "mail written (no TALLY_SMTP_URL)", "to", strings.Join(m.To, ", "), "subject", m.Subject, "file", path)
	return nil
}

// mailAddress checks an address.
func mailAddress(a string) (string, error) {
	msg := gomail.NewMsg()
	if err := msg.From(a); err != nil {
		return "", fmt.Errorf("%q is not a mail address", a)
	}
	return a, nil
}

// build turns m into a go-mail message: a text part with an HTML
// alternative, the attachments, the Message-ID and the extra headers.
func build(m domain.Mail, from string) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if m.From != "" {
		from = m.From
	}
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("mail to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	}
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := gomail.ContentType(a.ContentType)
		if ct == "" {
			ct = gomail.TypeAppOctetStream
		}
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(ct))
	}
	return msg, nil
}

package db

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Cursors are opaque to clients: base64url of a tagged key. A members
// cursor is the keyset (created_at, user_id) of the last member seen; a
// ledger cursor is the last entry's seq; an orders cursor is the last
// order's (created_at, id), an invoices cursor the last invoice's
// (issued_at, id) and a credit notes cursor the last note's (issued_at,
// id).
const (
	memberCursorTag     = "m1"
	ledgerCursorTag     = "l1"
	orderCursorTag      = "o1"
	invoiceCursorTag    = "i1"
	creditNoteCursorTag = "c1"
)

// pageSize applies the defaults and bounds of domain.Page.First.
func pageSize(p domain.Page) (int, error) {
	switch {
	case p.First < 0:
		return 0, domain.InvalidInput("first", "must not be negative")
	case p.First == 0:
		return domain.DefaultPageSize, nil
	case p.First > domain.MaxPageSize:
		return domain.MaxPageSize, nil
	}
	return p.First, nil
}

func encodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "|")))
}

// decodeCursor splits a cursor with the wanted tag into n parts.
func decodeCursor(c, tag string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, badCursor()
	}
	parts := strings.Split(string(b), "|")
	if len(parts) != n+1 || parts[0] != tag {
		return nil, badCursor()
	}
	return parts[1:], nil
}

func badCursor() error { return domain.InvalidInput("after", "malformed cursor") }

func memberCursor(createdAt time.Time, userID string) string {
	return timeIDCursor(memberCursorTag, createdAt, userID)
}

func parseMemberCursor(c string) (time.Time, string, error) {
	return parseTimeIDCursor(c, memberCursorTag)
}

// timeIDCursor encodes a (time, id) keyset under tag.
func timeIDCursor(tag string, at time.Time, id string) string {
	return encodeCursor(tag, strconv.FormatInt(at.UnixMicro(), 10), id)
}

// parseTimeIDCursor decodes a timeIDCursor with the wanted tag.
func parseTimeIDCursor(c, tag string) (time.Time, string, error) {
	parts, err := decodeCursor(c, tag, 2)
	if err != nil {
		return time.Time{}, "", err
	}
	us, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || parts[1] == "" {
		return time.Time{}, "", badCursor()
	}
	return time.UnixMicro(us).UTC(), parts[1], nil
}

func ledgerCursor(seq int64) string {
	return encodeCursor(ledgerCursorTag, strconv.FormatInt(seq, 10))
}

func parseLedgerCursor(c string) (int64, error) {
	parts, err := decodeCursor(c, ledgerCursorTag, 1)
	if err != nil {
		return 0, err
	}
	seq, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || seq <= 0 {
		return 0, badCursor()
	}
	return seq, nil
}

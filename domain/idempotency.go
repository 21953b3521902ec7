package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// IdempotencyRecord remembers the outcome of a credit-moving request so a
// retry with the same key returns the same result and has no second effect.
type IdempotencyRecord struct {
	OrgID       string
	Key         string
	Operation   string // e.g. "consumeCredits"
	RequestHash string // hex SHA-256 of the canonical request
	Response    []byte // JSON of the first result
	CreatedAt   time.Time
}

// duplicateKeyRace reports whether err is a write conflict that a
// concurrent request with the same idempotency key may have caused;
// retrying then finds that request's record and replays it.
func duplicateKeyRace(err error) bool {
	var de *Error
	return errors.As(err, &de) && de.Code == CodeConflict && de.Field != "idempotencyKey"
}

// errKeyReused answers a repeated idempotency key whose request differs.
func errKeyReused() *Error {
	return &Error{Code: CodeConflict, Field: "idempotencyKey",
		Message: "idempotency key already used with a different request"}
}

// replayRecord answers a request whose key is already recorded: the stored
// first result, or CONFLICT when the request differs or its asker may not
// see the stored result (mayReplay).
func replayRecord(rec IdempotencyRecord, o creditOp) opResult {
	if rec.Operation != o.op || rec.RequestHash != o.hash {
		return opResult{err: errKeyReused()}
	}
	var res CreditResult
	if err := json.Unmarshal(rec.Response, &res); err != nil {
		return opResult{err: Internal(err)}
	}
	if !mayReplay(o.by, res.Entry) {
		return opResult{err: errKeyReused()}
	}
	return opResult{res: res, replay: true}
}

// PurgeIdempotencyKeys forgets up to limit idempotency keys older than
// Config.IdempotencyRetention (a background job) and returns how many.
func (s *Service) PurgeIdempotencyKeys(ctx context.Context, limit int) (int, error) {
	n, err := s.store.PurgeIdempotency(ctx, s.clock.Now().Add(-s.cfg.IdempotencyRetention), limit)
	return n, asDomainError(err)
}

func validateKey(k string) error {
	if strings.TrimSpace(k) == "" {
		return InvalidInput("idempotencyKey", "is required")
	}
	if len(k) > maxIdempotencyKeyLen || !utf8.ValidString(k) {
		return InvalidInput("idempotencyKey", "must be valid text of at most %d bytes", maxIdempotencyKeyLen)
	}
	return nil
}

// requestHash fingerprints a request for idempotency checks.
func requestHash(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%v\x1f", p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

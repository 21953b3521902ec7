package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// IdempotencyRecord remembers the outcome of a money mutation so a retry
// with the same key returns the same result and has no second effect.
type IdempotencyRecord struct {
	OrgID       string
	Key         string
	Operation   string // e.g. "consumeCredits"
	RequestHash string // hex SHA-256 of the canonical request
	Response    []byte // the first result, as the operation encodes it
	CreatedAt   time.Time
}

// Every money mutation (spend, grant, purchase, refund, and whatever moves
// money next) is made idempotent by one path, in five steps:
//
//  1. find: look up the org's record of the request's key;
//  2. compare: a record of another operation or another request hash is
//     CONFLICT on "idempotencyKey" (errKeyReused), never a replay;
//  3. replay: a matching record answers with the first result;
//  4. record: otherwise the mutation runs and records the key in the same
//     transaction that makes its effect, so effect and key commit together
//     or not at all;
//  5. retry: when a concurrent request with the same key recorded it first
//     (the insert conflicts: errKeyTaken), start again at 1, which now
//     finds and replays it.
//
// once runs these steps around any mutation. The ledger engine (applyOps)
// runs the same steps for a batch of spends: it does the find under the
// balance lock, in the same round trip, and records every key of the batch
// in the batch's write; it uses the same compare (idemKey.match), record
// (idemKey.record) and retry (retryTaken).

// idemKey is the idempotency identity of one request: the org the key
// belongs to, the key, the operation and the fingerprint of its input.
// The zero idemKey (no key) makes nothing idempotent.
type idemKey struct {
	orgID, key string
	op, hash   string
}

// match refuses a record made by another operation or another request.
func (k idemKey) match(rec IdempotencyRecord) error {
	if rec.Operation != k.op || rec.RequestHash != k.hash {
		return errKeyReused()
	}
	return nil
}

// record is the record of k's first result.
func (k idemKey) record(resp []byte, now time.Time) IdempotencyRecord {
	return IdempotencyRecord{OrgID: k.orgID, Key: k.key, Operation: k.op, RequestHash: k.hash, Response: resp, CreatedAt: now}
}

// errKeyTaken is the cause of a key insert that conflicted: a concurrent
// request with the same key recorded it first, and the request must be
// answered with that one's result (retryTaken).
var errKeyTaken = errors.New("idempotency key recorded by a concurrent request")

// keyTaken turns the CONFLICT of a write that recorded idempotency keys
// into errKeyTaken (other errors pass unchanged).
func keyTaken(err error) error {
	var de *Error
	if errors.As(err, &de) && de.Code == CodeConflict && de.Field != "idempotencyKey" {
		return errTaken()
	}
	return err
}

// errTaken is step 5's signal; it only reaches a caller when a key was
// taken and purged again takenRetries times in a row.
func errTaken() error {
	return &Error{Code: CodeConflict, Field: "idempotencyKey",
		Message: "a concurrent request with this idempotency key finished first; retry", Err: errKeyTaken}
}

// takenRetries bounds the retries of step 5: a retry finds the winner's
// record, so one suffices unless records are purged in between.
const takenRetries = 3

// retryTaken runs attempt again while it fails with errKeyTaken, at most
// takenRetries times in all.
func retryTaken(attempt func() error) error {
	var err error
	for range takenRetries {
		if err = attempt(); !errors.Is(err, errKeyTaken) {
			return err
		}
	}
	return err
}

// recordFunc records the request's key, with resp as its first result,
// inside the transaction tx of the mutation's effect (step 4).
type recordFunc func(ctx context.Context, tx IdempotencyStore, resp []byte) error

// once runs a money mutation at most once per idempotency key k (the five
// steps above). replay answers from a matching record; run makes the
// mutation and must call record inside the transaction of its effect.
// When run is refused with RATE_LIMITED before it recorded anything, a
// concurrent request with the same key may have been counted and recorded
// meanwhile: its replay is answered rather than the refusal, since a
// repeated request is not a new attempt.
func once[T any](ctx context.Context, s *Service, k idemKey,
	replay func(context.Context, IdempotencyRecord) (T, error),
	run func(context.Context, recordFunc) (T, error),
) (T, error) {
	var out T
	err := retryTaken(func() error {
		rec, found, err := s.store.FindIdempotency(ctx, k.orgID, k.key)
		if err != nil {
			return asDomainError(err)
		}
		if found {
			if err := k.match(rec); err != nil {
				return err
			}
			out, err = replay(ctx, rec)
			return err
		}
		recorded := false
		out, err = run(ctx, func(ctx context.Context, tx IdempotencyStore, resp []byte) error {
			recorded = true
			if resp == nil {
				resp = []byte{}
			}
			return keyTaken(tx.CreateIdempotency(ctx, k.record(resp, s.clock.Now())))
		})
		if IsCode(err, CodeRateLimited) && !recorded {
			if _, found, ferr := s.store.FindIdempotency(ctx, k.orgID, k.key); ferr == nil && found {
				return errTaken()
			}
		}
		return err
	})
	return out, err
}

// errKeyReused answers a repeated idempotency key whose request differs.
func errKeyReused() *Error {
	return &Error{Code: CodeConflict, Field: "idempotencyKey",
		Message: "idempotency key already used with a different request"}
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

package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// apiKeyRow is a row of api_keys.
type apiKeyRow struct {
	ID         string `gorm:"primaryKey"`
	OrgID      string
	Name       string
	Prefix     string
	Hash       string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func toDomainAPIKey(r apiKeyRow) domain.APIKey {
	return domain.APIKey{
		ID: r.ID, OrgID: r.OrgID, Name: r.Name, Prefix: r.Prefix, Hash: r.Hash, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt),
	}
}

func fromDomainAPIKey(k domain.APIKey) apiKeyRow {
	return apiKeyRow{
		ID: k.ID, OrgID: k.OrgID, Name: k.Name, Prefix: k.Prefix, Hash: k.Hash, CreatedBy: k.CreatedBy,
		CreatedAt: utc(k.CreatedAt), LastUsedAt: utcPtr(k.LastUsedAt), RevokedAt: utcPtr(k.RevokedAt),
	}
}

// CreateAPIKey inserts a key; CONFLICT on a duplicate ID or hash.
func (d *DB) CreateAPIKey(ctx context.Context, k domain.APIKey) error {
	r := fromDomainAPIKey(k)
	return d.insert(ctx, "API key", &r)
}

// APIKeyByID returns a key or NOT_FOUND.
func (d *DB) APIKeyByID(ctx context.Context, id string) (domain.APIKey, error) {
	return d.apiKeyWhere(ctx, "id = ?", id)
}

// APIKeyByHash returns the key whose secret hashes to hash, or NOT_FOUND.
func (d *DB) APIKeyByHash(ctx context.Context, hash string) (domain.APIKey, error) {
	return d.apiKeyWhere(ctx, "hash = ?", hash)
}

func (d *DB) apiKeyWhere(ctx context.Context, cond, arg string) (domain.APIKey, error) {
	var r apiKeyRow
	if err := d.db(ctx).Where(cond, arg).Take(&r).Error; err != nil {
		return domain.APIKey{}, mapErr(err, "API key")
	}
	return toDomainAPIKey(r), nil
}

// ListAPIKeys lists an org's keys, newest first, revoked ones included.
func (d *DB) ListAPIKeys(ctx context.Context, orgID string) ([]domain.APIKey, error) {
	var rows []apiKeyRow
	if err := d.db(ctx).Where("org_id = ?", orgID).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "API key")
	}
	out := make([]domain.APIKey, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainAPIKey(r))
	}
	return out, nil
}

// UpdateAPIKey saves LastUsedAt and RevokedAt.
func (d *DB) UpdateAPIKey(ctx context.Context, k domain.APIKey) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromDomainAPIKey(k)
	res := d.db(ctx).Model(&apiKeyRow{}).Where("id = ?", r.ID).Updates(map[string]any{
		"last_used_at": nullable(r.LastUsedAt), "revoked_at": nullable(r.RevokedAt),
	})
	return affectedOne(res.Error, res.RowsAffected, "API key")
}

// TouchAPIKeys sets the last_used_at of keys (by ID) to their last use in
// one UPDATE, keeping a later stamp another instance wrote; unknown IDs
// are skipped.
func (d *DB) TouchAPIKeys(ctx context.Context, uses map[string]time.Time) error {
	if len(uses) == 0 {
		return nil
	}
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	ids := make([]string, 0, len(uses))
	for id := range uses {
		ids = append(ids, id)
	}
	slices.Sort(ids) // one row order for every writer
	a := sqlArgs{}
	var when, in strings.Builder
	cast := "" // PostgreSQL would type the CASE's parameters as text
	if d.dialect == DialectPostgres {
		cast = "::timestamptz"
	}
	when.WriteString("CASE id")
	for i, id := range ids {
		p := a.add(id)
		fmt.Fprintf(&when, " WHEN %s THEN %s%s", p, a.add(utc(uses[id])), cast)
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString(p)
	}
	when.WriteString(" END")
	q := "UPDATE api_keys SET last_used_at = " + when.String() + " WHERE id IN (" + in.String() + ")" +
		" AND (last_used_at IS NULL OR last_used_at < " + when.String() + ")"
	_, err = d.conn.ExecContext(ctx, q, a...)
	return mapErr(err, "API key")
}

package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// userRow is a row of users.
type userRow struct {
	ID        string `gorm:"primaryKey"`
	Subject   string
	Email     string
	Name      string
	CreatedAt time.Time
}

func (userRow) TableName() string { return "users" }

func toDomainUser(r userRow) domain.User {
	return domain.User{ID: r.ID, Subject: r.Subject, Email: r.Email, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

func fromDomainUser(u domain.User) userRow {
	return userRow{ID: u.ID, Subject: u.Subject, Email: u.Email, Name: u.Name, CreatedAt: utc(u.CreatedAt)}
}

// UpsertUser creates the user with u.Subject or refreshes its email and name.
func (d *DB) UpsertUser(ctx context.Context, u domain.User) (domain.User, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return domain.User{}, err
	}
	defer unlock()
	r := fromDomainUser(u)
	var out userRow
	err = d.db(ctx).Raw(`INSERT INTO users (id, subject, email, name, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (subject) DO UPDATE SET email = excluded.email, name = excluded.name
		RETURNING id, subject, email, name, created_at`,
		r.ID, r.Subject, r.Email, r.Name, r.CreatedAt).Scan(&out).Error
	if err != nil {
		return domain.User{}, mapErr(err, "user")
	}
	return toDomainUser(out), nil
}

// UserByID returns a user or NOT_FOUND.
func (d *DB) UserByID(ctx context.Context, id string) (domain.User, error) {
	var r userRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.User{}, mapErr(err, "user")
	}
	return toDomainUser(r), nil
}

// UsersByIDs returns the users that exist among ids.
func (d *DB) UsersByIDs(ctx context.Context, ids []string) ([]domain.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []userRow
	if err := d.db(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err, "user")
	}
	out := make([]domain.User, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainUser(r))
	}
	return out, nil
}

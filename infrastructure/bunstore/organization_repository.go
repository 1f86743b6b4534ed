package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/uptrace/bun"
)

// OrganizationRepository stores organizations, their members and their
// invitations in the organizations, members and invitations tables. It
// serves both authn (sign-up) and tenancy (the organization use cases).
type OrganizationRepository struct {
	db *bun.DB
}

var (
	_ authn.OrganizationRepository   = (*OrganizationRepository)(nil)
	_ tenancy.OrganizationRepository = (*OrganizationRepository)(nil)
)

// NewOrganizationRepository returns an OrganizationRepository over db.
func NewOrganizationRepository(db *bun.DB) *OrganizationRepository {
	return &OrganizationRepository{db: db}
}

// Create implements authn.OrganizationRepository. The unique slug index
// decides a race between two creations; an unknown owner is
// identity.ErrUserNotFound.
func (r *OrganizationRepository) Create(ctx context.Context, o organization.Organization) error {
	_, err := idb(ctx, r.db).NewInsert().Model(organizationFromDomain(o)).Exec(ctx)
	switch violated(err) {
	case uniqueKey:
		return organization.ErrSlugTaken.WithCause(err)
	case foreignKey:
		return identity.ErrUserNotFound.WithCause(err)
	}
	return storageError(ctx, "create organization", err)
}

// SlugTaken implements authn.OrganizationRepository.
func (r *OrganizationRepository) SlugTaken(ctx context.Context, slug string) (bool, error) {
	taken, err := idb(ctx, r.db).NewSelect().Model((*organizationRow)(nil)).Where("slug = ?", slug).Exists(ctx)
	if err != nil {
		return false, storageError(ctx, "check organization slug", err)
	}
	return taken, nil
}

// addMemberSQL inserts a member only when its organization exists, so a
// missing organization is told apart from a missing user (which the foreign
// key reports) in one statement on both dialects, whose foreign-key errors
// do not say the same things.
const addMemberSQL = `INSERT INTO members (id, organization_id, user_id, role, status, created_at)
SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM organizations WHERE id = ?)`

// AddMember implements authn.OrganizationRepository. An unknown
// organization is a failure.NotFound with code ORGANIZATION_NOT_FOUND, an
// unknown user identity.ErrUserNotFound.
func (r *OrganizationRepository) AddMember(ctx context.Context, m organization.Member) error {
	row := memberFromDomain(m)
	res, err := idb(ctx, r.db).NewRaw(addMemberSQL,
		row.ID, row.OrganizationID, row.UserID, row.Role, row.Status, row.CreatedAt, row.OrganizationID,
	).Exec(ctx)
	switch violated(err) {
	case uniqueKey:
		return organization.ErrAlreadyMember.WithCause(err)
	case foreignKey:
		return identity.ErrUserNotFound.WithCause(err)
	}
	if err != nil {
		return storageError(ctx, "add member", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, "add member", err)
	}
	if n == 0 {
		return organization.ErrOrganizationNotFound
	}
	return nil
}

// MembershipsOf implements authn.OrganizationRepository and
// tenancy.OrganizationRepository with one query: the user's member rows
// joined to their organizations, oldest first (then by id).
func (r *OrganizationRepository) MembershipsOf(ctx context.Context, userID identity.UserID) ([]organization.Membership, error) {
	var rows []memberRow
	err := idb(ctx, r.db).NewSelect().Model(&rows).
		Relation("Organization").
		Where("m.user_id = ?", string(userID)).
		OrderExpr("m.created_at ASC").
		OrderExpr(r.bytewise("m.id") + " ASC").
		Scan(ctx)
	if err != nil {
		return nil, storageError(ctx, "list memberships", err)
	}
	out := make([]organization.Membership, 0, len(rows))
	for _, row := range rows {
		if row.Organization == nil {
			// The foreign key makes this impossible; say so loudly rather
			// than return a membership of a zero organization.
			return nil, fmt.Errorf("bunstore: member %s has no organization %s", row.ID, row.OrganizationID)
		}
		out = append(out, organization.Membership{Organization: row.Organization.toDomain(), Member: row.toDomain()})
	}
	return out, nil
}

// ownerCountSQL counts the active members holding the owner role among their
// comma-joined roles. The role list, blanks removed, is wrapped in commas
// and the role searched as ",owner,", so "admin,owner" and "admin, owner"
// count and "coowner" does not. replace() rather than LIKE: it is
// case-sensitive on both dialects (SQLite's LIKE is not), as
// organization.Roles.Has is.
const ownerCountSQL = `SELECT count(*) FROM members
WHERE organization_id = ? AND status = 'active'
AND replace(',' || replace(role, ' ', '') || ',', ?, '') <> ',' || replace(role, ' ', '') || ','`

// OwnerCount implements authn.OrganizationRepository.
func (r *OrganizationRepository) OwnerCount(ctx context.Context, orgID organization.ID) (int, error) {
	var n int
	err := idb(ctx, r.db).NewRaw(ownerCountSQL, string(orgID), ","+string(organization.RoleOwner)+",").Scan(ctx, &n)
	if err != nil {
		return 0, storageError(ctx, "count owners", err)
	}
	return n, nil
}

// Delete implements authn.OrganizationRepository. The schema's foreign keys
// do the rest: members and invitations go with the organization (ON DELETE
// CASCADE) and sessions that had it active keep going without one (ON
// DELETE SET NULL).
func (r *OrganizationRepository) Delete(ctx context.Context, orgID organization.ID) error {
	_, err := idb(ctx, r.db).NewDelete().Model((*organizationRow)(nil)).Where("id = ?", string(orgID)).Exec(ctx)
	return storageError(ctx, "delete organization", err)
}

// ByID implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) ByID(ctx context.Context, orgID organization.ID) (organization.Organization, error) {
	return r.one(ctx, "find organization", "id = ?", string(orgID), false)
}

// BySlug implements tenancy.OrganizationRepository. The comparison is exact
// (case-sensitive) on both dialects.
func (r *OrganizationRepository) BySlug(ctx context.Context, slug string) (organization.Organization, error) {
	return r.one(ctx, "find organization by slug", "slug = ?", slug, false)
}

// Lock implements tenancy.OrganizationRepository. On PostgreSQL the row is
// locked (SELECT ... FOR UPDATE) until the transaction ends, which also
// holds back rows that would reference it (new members, invitations,
// sessions made active in it) until then. SQLite's write transactions are
// serial already (one connection, BEGIN IMMEDIATE), so a plain read does.
// Outside a transaction the lock ends with the statement.
func (r *OrganizationRepository) Lock(ctx context.Context, orgID organization.ID) (organization.Organization, error) {
	return r.one(ctx, "lock organization", "id = ?", string(orgID), Dialect(r.db) == DialectPostgres)
}

func (r *OrganizationRepository) one(ctx context.Context, op, where string, arg any, forUpdate bool) (organization.Organization, error) {
	var row organizationRow
	q := idb(ctx, r.db).NewSelect().Model(&row).Where(where, arg).Limit(1)
	if forUpdate {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return organization.Organization{}, organization.ErrOrganizationNotFound
	}
	if err != nil {
		return organization.Organization{}, storageError(ctx, op, err)
	}
	return row.toDomain(), nil
}

// Update implements tenancy.OrganizationRepository. Only the columns a
// client may change are written; the unique slug index decides a race for
// a slug.
func (r *OrganizationRepository) Update(ctx context.Context, o organization.Organization) error {
	res, err := idb(ctx, r.db).NewUpdate().Model(organizationFromDomain(o)).
		Column("name", "slug", "logo", "metadata", "updated_at").
		WherePK().
		Exec(ctx)
	if violated(err) == uniqueKey {
		return organization.ErrSlugTaken.WithCause(err)
	}
	return affectedOne(ctx, "update organization", res, err, organization.ErrOrganizationNotFound)
}

// affectedOne finishes a write addressed to one row: a driver error is
// translated, and when no row matched the result is notFound.
func affectedOne(ctx context.Context, op string, res sql.Result, err error, notFound error) error {
	if err != nil {
		return storageError(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return storageError(ctx, op, err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// bytewise returns a text column as compared and sorted byte by byte (the
// UTF-8 code point order Go's strings use): PostgreSQL otherwise uses the
// database's collation, in which, say, "-" and "_" may not count; SQLite's
// default BINARY collation is byte order already. col is always one of this
// package's constant column names.
func (r *OrganizationRepository) bytewise(col string) string {
	if Dialect(r.db) == DialectPostgres {
		return col + ` COLLATE "C"`
	}
	return col
}

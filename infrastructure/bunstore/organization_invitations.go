package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/uptrace/bun"
)

// pending is the status of an open invitation, bound as a value.
const pending = string(organization.InvitationPending)

// CreateInvitation implements tenancy.OrganizationRepository. The partial
// unique index invitations_pending_key (one pending invitation per
// organization and address) decides a race between two invitations; an
// unknown organization or inviter is a failure.NotFound.
func (r *OrganizationRepository) CreateInvitation(ctx context.Context, inv organization.Invitation) error {
	_, err := idb(ctx, r.db).NewInsert().Model(invitationFromDomain(inv)).Exec(ctx)
	switch violated(err) {
	case uniqueKey:
		return organization.ErrAlreadyInvited.WithCause(err)
	case primaryKey:
		return failure.Wrap(failure.Conflict, err, "duplicate invitation id")
	}
	return storageError(ctx, "create invitation", err)
}

// Invitation implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) Invitation(ctx context.Context, invID organization.InvitationID) (organization.Invitation, error) {
	return r.invitation(ctx, "find invitation", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("i.id = ?", string(invID))
	})
}

// PendingInvitation implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) PendingInvitation(ctx context.Context, orgID organization.ID, email identity.Email) (organization.Invitation, error) {
	return r.invitation(ctx, "find pending invitation", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("i.organization_id = ?", string(orgID)).Where("i.email = ?", string(email)).Where("i.status = ?", pending)
	})
}

func (r *OrganizationRepository) invitation(ctx context.Context, op string, where func(*bun.SelectQuery) *bun.SelectQuery) (organization.Invitation, error) {
	var row invitationRow
	err := idb(ctx, r.db).NewSelect().Model(&row).Apply(where).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return organization.Invitation{}, organization.ErrInvitationNotFound
	}
	if err != nil {
		return organization.Invitation{}, storageError(ctx, op, err)
	}
	return row.toDomain(), nil
}

// Invitations implements tenancy.OrganizationRepository. Invitations
// created in the same instant come in id order.
func (r *OrganizationRepository) Invitations(ctx context.Context, orgID organization.ID) ([]organization.Invitation, error) {
	var rows []invitationRow
	err := idb(ctx, r.db).NewSelect().Model(&rows).
		Where("i.organization_id = ?", string(orgID)).
		OrderExpr("i.created_at ASC").
		OrderExpr(r.bytewise("i.id") + " ASC").
		Scan(ctx)
	if err != nil {
		return nil, storageError(ctx, "list invitations", err)
	}
	out := make([]organization.Invitation, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// PendingInvitationsFor implements tenancy.OrganizationRepository with one
// query joining each invitation to its organization.
func (r *OrganizationRepository) PendingInvitationsFor(ctx context.Context, email identity.Email, now time.Time) ([]tenancy.InvitationWithOrganization, error) {
	var rows []invitationRow
	err := idb(ctx, r.db).NewSelect().Model(&rows).
		Relation("Organization").
		Where("i.email = ?", string(email)).
		Where("i.status = ?", pending).
		Where("i.expires_at > ?", now).
		OrderExpr("i.created_at ASC").
		OrderExpr(r.bytewise("i.id") + " ASC").
		Scan(ctx)
	if err != nil {
		return nil, storageError(ctx, "list pending invitations", err)
	}
	out := make([]tenancy.InvitationWithOrganization, len(rows))
	for i := range rows {
		out[i].Invitation = rows[i].toDomain()
		if rows[i].Organization != nil {
			out[i].OrganizationName = rows[i].Organization.Name
		}
	}
	return out, nil
}

// CountPendingInvitations implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) CountPendingInvitations(ctx context.Context, orgID organization.ID, now time.Time) (int, error) {
	n, err := idb(ctx, r.db).NewSelect().Model((*invitationRow)(nil)).
		Where("i.organization_id = ?", string(orgID)).
		Where("i.status = ?", pending).
		Where("i.expires_at > ?", now).
		Count(ctx)
	if err != nil {
		return 0, storageError(ctx, "count pending invitations", err)
	}
	return n, nil
}

// TransitionInvitation implements tenancy.OrganizationRepository as one
// conditional UPDATE. On PostgreSQL a concurrent answer waits for the row
// and re-checks the status once the first commits (READ COMMITTED), so it
// matches nothing; on SQLite writes are serial. Reopening an invitation
// while another is pending for the address is
// organization.ErrAlreadyInvited.
func (r *OrganizationRepository) TransitionInvitation(ctx context.Context, invID organization.InvitationID, from, to organization.InvitationStatus) (bool, error) {
	res, err := idb(ctx, r.db).NewUpdate().Model((*invitationRow)(nil)).
		Set("status = ?", string(to)).
		Where("id = ?", string(invID)).
		Where("status = ?", string(from)).
		Exec(ctx)
	if violated(err) == uniqueKey {
		return false, organization.ErrAlreadyInvited.WithCause(err)
	}
	if err := affectedOne(ctx, "transition invitation", res, err, errNoRow); err != nil {
		if errors.Is(err, errNoRow) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// errNoRow tells affectedOne's caller that nothing matched.
var errNoRow = errors.New("no row")

// ExtendInvitation implements tenancy.OrganizationRepository;
// organization.ErrInvitationNotFound when the invitation is gone.
func (r *OrganizationRepository) ExtendInvitation(ctx context.Context, invID organization.InvitationID, expiresAt time.Time) error {
	res, err := idb(ctx, r.db).NewUpdate().Model((*invitationRow)(nil)).
		Set("expires_at = ?", expiresAt).
		Where("id = ?", string(invID)).
		Exec(ctx)
	return affectedOne(ctx, "extend invitation", res, err, organization.ErrInvitationNotFound)
}

package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/uptrace/bun"
)

// Member implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) Member(ctx context.Context, orgID organization.ID, userID identity.UserID) (organization.Member, error) {
	return r.member(ctx, "find member", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("m.organization_id = ?", string(orgID)).Where("m.user_id = ?", string(userID))
	})
}

// MemberByID implements tenancy.OrganizationRepository: the organization is
// part of the key, so another organization's member id finds nothing.
func (r *OrganizationRepository) MemberByID(ctx context.Context, orgID organization.ID, memberID organization.MemberID) (organization.Member, error) {
	return r.member(ctx, "find member by id", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("m.organization_id = ?", string(orgID)).Where("m.id = ?", string(memberID))
	})
}

// MemberByEmail implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) MemberByEmail(ctx context.Context, orgID organization.ID, email identity.Email) (organization.Member, error) {
	return r.member(ctx, "find member by email", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN users AS u ON u.id = m.user_id").
			Where("m.organization_id = ?", string(orgID)).
			Where("u.email = ?", string(email))
	})
}

func (r *OrganizationRepository) member(ctx context.Context, op string, where func(*bun.SelectQuery) *bun.SelectQuery) (organization.Member, error) {
	var row memberRow
	err := idb(ctx, r.db).NewSelect().Model(&row).Apply(where).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return organization.Member{}, organization.ErrMemberNotFound
	}
	if err != nil {
		return organization.Member{}, storageError(ctx, op, err)
	}
	return row.toDomain(), nil
}

// CountMembers implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) CountMembers(ctx context.Context, orgID organization.ID) (int, error) {
	n, err := idb(ctx, r.db).NewSelect().Model((*memberRow)(nil)).Where("m.organization_id = ?", string(orgID)).Count(ctx)
	if err != nil {
		return 0, storageError(ctx, "count members", err)
	}
	return n, nil
}

// SetMemberRoles implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) SetMemberRoles(ctx context.Context, memberID organization.MemberID, roles organization.Roles) error {
	res, err := idb(ctx, r.db).NewUpdate().Model((*memberRow)(nil)).
		Set("role = ?", roles.String()).
		Where("id = ?", string(memberID)).
		Exec(ctx)
	return affectedOne(ctx, "set member roles", res, err, organization.ErrMemberNotFound)
}

// RemoveMember implements tenancy.OrganizationRepository.
func (r *OrganizationRepository) RemoveMember(ctx context.Context, memberID organization.MemberID) error {
	res, err := idb(ctx, r.db).NewDelete().Model((*memberRow)(nil)).Where("id = ?", string(memberID)).Exec(ctx)
	return affectedOne(ctx, "remove member", res, err, organization.ErrMemberNotFound)
}

// Members implements tenancy.OrganizationRepository with two statements:
// the count of matching members, then one page of them joined to their
// users (outside a transaction they may see two different moments). Column names come only from memberColumns, never from the query;
// values are bound. Text compares byte-wise and case-sensitively on both
// dialects: the pattern operators use instr/strpos and substr, not LIKE
// (case-insensitive on SQLite, and it would need its wildcards escaped).
// createdAt compares as instants: SQLite keeps them as UTC text of one
// fixed shape, which sorts as time does. A malformed query (see
// tenancytest.RunContract) is a failure.Invalid.
func (r *OrganizationRepository) Members(ctx context.Context, orgID organization.ID, q tenancy.MemberQuery) ([]tenancy.MemberWithUser, int, error) {
	filter, err := r.memberFilter(q)
	if err != nil {
		return nil, 0, err
	}
	inOrg := func(sq *bun.SelectQuery) *bun.SelectQuery {
		return sq.Where("m.organization_id = ?", string(orgID)).Apply(filter)
	}
	total, err := idb(ctx, r.db).NewSelect().Model((*memberRow)(nil)).Apply(inOrg).Count(ctx)
	if err != nil {
		return nil, 0, storageError(ctx, "count members", err)
	}
	if q.Offset >= total {
		return []tenancy.MemberWithUser{}, total, nil
	}
	var rows []memberRow
	sq := idb(ctx, r.db).NewSelect().Model(&rows).Relation("User").Apply(inOrg)
	id := r.bytewise(memberColumns[tenancy.MemberFieldID])
	if q.SortBy == "" {
		sq = sq.OrderExpr("m.created_at ASC").OrderExpr(id + " ASC")
	} else {
		dir := " ASC"
		if q.Desc {
			dir = " DESC"
		}
		sq = sq.OrderExpr(r.memberColumn(q.SortBy) + dir).OrderExpr(id + dir)
	}
	if err := sq.Limit(q.Limit).Offset(q.Offset).Scan(ctx); err != nil {
		return nil, 0, storageError(ctx, "list members", err)
	}
	out := make([]tenancy.MemberWithUser, len(rows))
	for i := range rows {
		out[i].Member = rows[i].toDomain()
		if rows[i].User != nil {
			out[i].User = rows[i].User.toDomain()
		}
	}
	return out, total, nil
}

// memberColumns maps the member fields clients may sort and filter by to
// their columns: the only column names a member list ever puts in SQL.
var memberColumns = map[tenancy.MemberField]string{
	tenancy.MemberFieldID:        "m.id",
	tenancy.MemberFieldUserID:    "m.user_id",
	tenancy.MemberFieldRole:      "m.role",
	tenancy.MemberFieldStatus:    "m.status",
	tenancy.MemberFieldCreatedAt: "m.created_at",
}

// memberColumn returns the column of a known field, text columns in byte
// order.
func (r *OrganizationRepository) memberColumn(f tenancy.MemberField) string {
	if f == tenancy.MemberFieldCreatedAt {
		return memberColumns[f]
	}
	return r.bytewise(memberColumns[f])
}

// memberFilter returns the WHERE clause of a valid q's filter.
func (r *OrganizationRepository) memberFilter(q tenancy.MemberQuery) (func(*bun.SelectQuery) *bun.SelectQuery, error) {
	none := func(sq *bun.SelectQuery) *bun.SelectQuery { return sq }
	if err := q.Validate(); err != nil {
		return nil, err
	}
	f := q.Filter
	if f == nil {
		return none, nil
	}
	values := make([]any, len(f.Values))
	for i, v := range f.Values {
		values[i] = v
		if f.Field == tenancy.MemberFieldCreatedAt {
			t, _ := time.Parse(time.RFC3339Nano, v) // Validate parsed it
			values[i] = t.UTC()
		}
	}
	col := bun.Safe(r.memberColumn(f.Field))
	raw := bun.Safe(memberColumns[f.Field]) // for the functions, which ignore collations
	var (
		expr string
		args []any
	)
	switch f.Operator {
	case tenancy.OpEq, tenancy.OpNe, tenancy.OpLt, tenancy.OpLte, tenancy.OpGt, tenancy.OpGte:
		expr, args = "? "+comparisons[f.Operator]+" ?", []any{col, values[0]}
	case tenancy.OpIn:
		if len(values) == 0 {
			expr = "1 = 0"
		} else {
			expr, args = "? IN (?)", []any{col, bun.In(values)}
		}
	case tenancy.OpNotIn:
		if len(values) == 0 {
			return none, nil
		}
		expr, args = "? NOT IN (?)", []any{col, bun.In(values)}
	case tenancy.OpContains:
		position := "instr"
		if Dialect(r.db) == DialectPostgres {
			position = "strpos"
		}
		expr, args = position+"(?, ?) > 0", []any{raw, values[0]}
	case tenancy.OpStartsWith:
		expr, args = "substr(?, 1, length(?)) = ?", []any{raw, values[0], values[0]}
	case tenancy.OpEndsWith:
		expr, args = "length(?) >= length(?) AND substr(?, length(?) - length(?) + 1) = ?",
			[]any{raw, values[0], raw, raw, values[0], values[0]}
	default:
		return nil, tenancy.ErrInvalidMemberQuery
	}
	return func(sq *bun.SelectQuery) *bun.SelectQuery { return sq.Where(expr, args...) }, nil
}

// comparisons are the SQL operators of the comparison filters.
var comparisons = map[tenancy.FilterOperator]string{
	tenancy.OpEq: "=", tenancy.OpNe: "<>", tenancy.OpLt: "<", tenancy.OpLte: "<=", tenancy.OpGt: ">", tenancy.OpGte: ">=",
}

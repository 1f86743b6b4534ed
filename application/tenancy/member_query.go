package tenancy

import (
	"time"

	"github.com/beep/iam/domain/failure"
)

// MemberField names a member attribute clients may sort and filter by.
type MemberField string

// The member fields of list-members, by their wire names.
const (
	MemberFieldID        MemberField = "id"
	MemberFieldUserID    MemberField = "userId"
	MemberFieldRole      MemberField = "role"
	MemberFieldStatus    MemberField = "status"
	MemberFieldCreatedAt MemberField = "createdAt"
)

// FilterOperator compares a member field with a filter value.
type FilterOperator string

// The operators of list-members (better-auth's whereOperators).
const (
	OpEq         FilterOperator = "eq"
	OpNe         FilterOperator = "ne"
	OpLt         FilterOperator = "lt"
	OpLte        FilterOperator = "lte"
	OpGt         FilterOperator = "gt"
	OpGte        FilterOperator = "gte"
	OpIn         FilterOperator = "in"
	OpNotIn      FilterOperator = "not_in"
	OpContains   FilterOperator = "contains"
	OpStartsWith FilterOperator = "starts_with"
	OpEndsWith   FilterOperator = "ends_with"
)

// MemberFilter keeps the members whose Field compares true with Values
// (one value except for in and not_in). Values of createdAt are RFC 3339
// times, already checked by the use case.
type MemberFilter struct {
	Field    MemberField
	Operator FilterOperator
	Values   []string
}

// MemberQuery selects a page of an organization's members. Without SortBy
// members come oldest first (then by id), so pages are stable.
type MemberQuery struct {
	Limit  int // > 0
	Offset int // >= 0
	SortBy MemberField
	Desc   bool
	Filter *MemberFilter
}

// ErrInvalidMemberQuery refuses a page, sort or filter outside what
// MemberQuery.Validate accepts.
var ErrInvalidMemberQuery = failure.New(failure.Invalid, "INVALID_MEMBER_QUERY", "Invalid sort or filter")

var memberFields = map[MemberField]bool{
	MemberFieldID: true, MemberFieldUserID: true, MemberFieldRole: true, MemberFieldStatus: true, MemberFieldCreatedAt: true,
}

var filterOperators = map[FilterOperator]bool{
	OpEq: true, OpNe: true, OpLt: true, OpLte: true, OpGt: true, OpGte: true, OpIn: true, OpNotIn: true,
	OpContains: true, OpStartsWith: true, OpEndsWith: true,
}

// maxFilterValues bounds an in / not_in list.
const maxFilterValues = 100

// Validate is the one definition of a well-formed member query, applied by
// the use case and by every repository: a positive limit, a non-negative
// offset, known fields and operators, one value (up to maxFilterValues, or
// none, for in and not_in), and RFC 3339 times compared by order only
// for createdAt.
func (q MemberQuery) Validate() error {
	if q.Limit <= 0 || q.Offset < 0 || (q.SortBy != "" && !memberFields[q.SortBy]) {
		return ErrInvalidMemberQuery
	}
	f := q.Filter
	if f == nil {
		return nil
	}
	many := f.Operator == OpIn || f.Operator == OpNotIn
	switch {
	case !memberFields[f.Field] || !filterOperators[f.Operator]:
		return ErrInvalidMemberQuery
	case !many && len(f.Values) != 1, len(f.Values) > maxFilterValues:
		return ErrInvalidMemberQuery
	}
	if f.Field != MemberFieldCreatedAt {
		return nil
	}
	if f.Operator == OpContains || f.Operator == OpStartsWith || f.Operator == OpEndsWith {
		return ErrInvalidMemberQuery
	}
	for _, v := range f.Values {
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return ErrInvalidMemberQuery
		}
	}
	return nil
}

package authntest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// The store also backs the tenancy ports: organizations with their members
// and invitations, and the active organization of sessions.
var (
	_ tenancy.OrganizationRepository = Organizations{}
	_ tenancy.ActiveOrganizations    = Sessions{}
)

// ByID implements tenancy.OrganizationRepository.
func (r Organizations) ByID(ctx context.Context, orgID organization.ID) (organization.Organization, error) {
	defer r.s.lock(ctx)()
	if o, ok := r.s.orgs[orgID]; ok {
		return o, nil
	}
	return organization.Organization{}, organization.ErrOrganizationNotFound
}

// BySlug implements tenancy.OrganizationRepository.
func (r Organizations) BySlug(ctx context.Context, slug string) (organization.Organization, error) {
	defer r.s.lock(ctx)()
	for _, o := range r.s.orgs {
		if o.Slug == slug {
			return o, nil
		}
	}
	return organization.Organization{}, organization.ErrOrganizationNotFound
}

// Lock implements tenancy.OrganizationRepository. The store's transactions
// are serial already, so Lock is ByID.
func (r Organizations) Lock(ctx context.Context, orgID organization.ID) (organization.Organization, error) {
	return r.ByID(ctx, orgID)
}

// Update implements tenancy.OrganizationRepository.
func (r Organizations) Update(ctx context.Context, o organization.Organization) error {
	defer r.s.lock(ctx)()
	old, ok := r.s.orgs[o.ID]
	if !ok {
		return organization.ErrOrganizationNotFound
	}
	for _, x := range r.s.orgs {
		if x.ID != o.ID && x.Slug == o.Slug {
			return organization.ErrSlugTaken
		}
	}
	old.Name, old.Slug, old.Logo, old.Metadata, old.UpdatedAt = o.Name, o.Slug, o.Logo, o.Metadata, o.UpdatedAt
	r.s.orgs[o.ID] = old
	return nil
}

// Member implements tenancy.OrganizationRepository.
func (r Organizations) Member(ctx context.Context, orgID organization.ID, userID identity.UserID) (organization.Member, error) {
	defer r.s.lock(ctx)()
	for _, m := range r.s.members {
		if m.OrganizationID == orgID && m.UserID == userID {
			return m, nil
		}
	}
	return organization.Member{}, organization.ErrMemberNotFound
}

// MemberByID implements tenancy.OrganizationRepository.
func (r Organizations) MemberByID(ctx context.Context, orgID organization.ID, memberID organization.MemberID) (organization.Member, error) {
	defer r.s.lock(ctx)()
	if m, ok := r.s.members[memberID]; ok && m.OrganizationID == orgID {
		return m, nil
	}
	return organization.Member{}, organization.ErrMemberNotFound
}

// MemberByEmail implements tenancy.OrganizationRepository.
func (r Organizations) MemberByEmail(ctx context.Context, orgID organization.ID, email identity.Email) (organization.Member, error) {
	defer r.s.lock(ctx)()
	for _, m := range r.s.members {
		if m.OrganizationID == orgID && r.s.users[m.UserID].Email == email {
			return m, nil
		}
	}
	return organization.Member{}, organization.ErrMemberNotFound
}

// Members implements tenancy.OrganizationRepository.
func (r Organizations) Members(ctx context.Context, orgID organization.ID, q tenancy.MemberQuery) ([]tenancy.MemberWithUser, int, error) {
	match, err := memberMatcher(q)
	if err != nil {
		return nil, 0, err
	}
	defer r.s.lock(ctx)()
	var all []organization.Member
	for _, m := range r.s.members {
		if m.OrganizationID == orgID && match(m) {
			all = append(all, m)
		}
	}
	slices.SortFunc(all, func(a, b organization.Member) int {
		if q.SortBy == "" {
			return compareMembers(a, b)
		}
		c := compareMemberField(a, b, q.SortBy)
		if c == 0 {
			c = strings.Compare(string(a.ID), string(b.ID))
		}
		if q.Desc {
			c = -c
		}
		return c
	})
	page := all[min(q.Offset, len(all)):min(q.Offset+q.Limit, len(all))]
	out := make([]tenancy.MemberWithUser, len(page))
	for i, m := range page {
		out[i] = tenancy.MemberWithUser{Member: m, User: r.s.users[m.UserID]}
	}
	return out, len(all), nil
}

// CountMembers implements tenancy.OrganizationRepository.
func (r Organizations) CountMembers(ctx context.Context, orgID organization.ID) (int, error) {
	defer r.s.lock(ctx)()
	n := 0
	for _, m := range r.s.members {
		if m.OrganizationID == orgID {
			n++
		}
	}
	return n, nil
}

// SetMemberRoles implements tenancy.OrganizationRepository.
func (r Organizations) SetMemberRoles(ctx context.Context, memberID organization.MemberID, roles organization.Roles) error {
	defer r.s.lock(ctx)()
	m, ok := r.s.members[memberID]
	if !ok {
		return organization.ErrMemberNotFound
	}
	m.Roles = slices.Clone(roles)
	r.s.members[memberID] = m
	return nil
}

// RemoveMember implements tenancy.OrganizationRepository.
func (r Organizations) RemoveMember(ctx context.Context, memberID organization.MemberID) error {
	defer r.s.lock(ctx)()
	if _, ok := r.s.members[memberID]; !ok {
		return organization.ErrMemberNotFound
	}
	delete(r.s.members, memberID)
	return nil
}

// CreateInvitation implements tenancy.OrganizationRepository. An unknown
// organization is organization.ErrOrganizationNotFound, as the schema's
// foreign key makes it a not-found.
func (r Organizations) CreateInvitation(ctx context.Context, inv organization.Invitation) error {
	defer r.s.lock(ctx)()
	if _, ok := r.s.orgs[inv.OrganizationID]; !ok {
		return organization.ErrOrganizationNotFound
	}
	if _, ok := r.s.invites[inv.ID]; ok {
		return failure.New(failure.Conflict, "", "duplicate invitation id")
	}
	if inv.Status == organization.InvitationPending && r.pending(inv.OrganizationID, inv.Email) != nil {
		return organization.ErrAlreadyInvited
	}
	inv.Roles = slices.Clone(inv.Roles)
	r.s.invites[inv.ID] = inv
	return nil
}

// pending returns the pending invitation of email to orgID, or nil. The
// caller holds the lock.
func (r Organizations) pending(orgID organization.ID, email identity.Email) *organization.Invitation {
	for _, inv := range r.s.invites {
		if inv.OrganizationID == orgID && inv.Email == email && inv.Status == organization.InvitationPending {
			return &inv
		}
	}
	return nil
}

// Invitation implements tenancy.OrganizationRepository.
func (r Organizations) Invitation(ctx context.Context, invID organization.InvitationID) (organization.Invitation, error) {
	defer r.s.lock(ctx)()
	if inv, ok := r.s.invites[invID]; ok {
		return inv, nil
	}
	return organization.Invitation{}, organization.ErrInvitationNotFound
}

// PendingInvitation implements tenancy.OrganizationRepository.
func (r Organizations) PendingInvitation(ctx context.Context, orgID organization.ID, email identity.Email) (organization.Invitation, error) {
	defer r.s.lock(ctx)()
	if inv := r.pending(orgID, email); inv != nil {
		return *inv, nil
	}
	return organization.Invitation{}, organization.ErrInvitationNotFound
}

// Invitations implements tenancy.OrganizationRepository.
func (r Organizations) Invitations(ctx context.Context, orgID organization.ID) ([]organization.Invitation, error) {
	defer r.s.lock(ctx)()
	var out []organization.Invitation
	for _, inv := range r.s.invites {
		if inv.OrganizationID == orgID {
			out = append(out, inv)
		}
	}
	slices.SortFunc(out, compareInvitations)
	return out, nil
}

// PendingInvitationsFor implements tenancy.OrganizationRepository.
func (r Organizations) PendingInvitationsFor(ctx context.Context, email identity.Email, now time.Time) ([]tenancy.InvitationWithOrganization, error) {
	defer r.s.lock(ctx)()
	var open []organization.Invitation
	for _, inv := range r.s.invites {
		if inv.Email == email && inv.Open(now) {
			open = append(open, inv)
		}
	}
	slices.SortFunc(open, compareInvitations)
	out := make([]tenancy.InvitationWithOrganization, len(open))
	for i, inv := range open {
		out[i] = tenancy.InvitationWithOrganization{Invitation: inv, OrganizationName: r.s.orgs[inv.OrganizationID].Name}
	}
	return out, nil
}

// CountPendingInvitations implements tenancy.OrganizationRepository.
func (r Organizations) CountPendingInvitations(ctx context.Context, orgID organization.ID, now time.Time) (int, error) {
	defer r.s.lock(ctx)()
	n := 0
	for _, inv := range r.s.invites {
		if inv.OrganizationID == orgID && inv.Open(now) {
			n++
		}
	}
	return n, nil
}

// TransitionInvitation implements tenancy.OrganizationRepository.
func (r Organizations) TransitionInvitation(ctx context.Context, invID organization.InvitationID, from, to organization.InvitationStatus) (bool, error) {
	defer r.s.lock(ctx)()
	inv, ok := r.s.invites[invID]
	if !ok || inv.Status != from {
		return false, nil
	}
	if other := r.pending(inv.OrganizationID, inv.Email); to == organization.InvitationPending && other != nil && other.ID != invID {
		return false, organization.ErrAlreadyInvited
	}
	inv.Status = to
	r.s.invites[invID] = inv
	return true, nil
}

// ExtendInvitation implements tenancy.OrganizationRepository;
// organization.ErrInvitationNotFound when the invitation is gone.
func (r Organizations) ExtendInvitation(ctx context.Context, invID organization.InvitationID, expiresAt time.Time) error {
	defer r.s.lock(ctx)()
	inv, ok := r.s.invites[invID]
	if !ok {
		return organization.ErrInvitationNotFound
	}
	inv.ExpiresAt = expiresAt
	r.s.invites[invID] = inv
	return nil
}

// SetActiveOrganization implements tenancy.ActiveOrganizations. An unknown
// organization is organization.ErrOrganizationNotFound, as the schema's
// foreign key makes it.
func (r Sessions) SetActiveOrganization(ctx context.Context, token string, orgID *organization.ID, updatedAt time.Time) error {
	defer r.s.lock(ctx)()
	sess, ok := r.s.sessions[token]
	if !ok {
		return session.ErrSessionNotFound
	}
	if orgID != nil {
		if _, ok := r.s.orgs[*orgID]; !ok {
			return organization.ErrOrganizationNotFound
		}
		active := *orgID
		orgID = &active
	}
	sess.ActiveOrganizationID, sess.UpdatedAt = orgID, updatedAt
	r.s.sessions[token] = sess
	return nil
}

// ReturnToPersonal implements tenancy.ActiveOrganizations.
func (r Sessions) ReturnToPersonal(ctx context.Context, orgID organization.ID, userID identity.UserID, updatedAt time.Time) error {
	defer r.s.lock(ctx)()
	for tok, sess := range r.s.sessions {
		if sess.ActiveOrganizationID == nil || *sess.ActiveOrganizationID != orgID || (userID != "" && sess.UserID != userID) {
			continue
		}
		sess.ActiveOrganizationID, sess.UpdatedAt = r.personal(sess.UserID), updatedAt
		r.s.sessions[tok] = sess
	}
	return nil
}

// personal returns the id of the user's personal organization (the oldest,
// should there be several), or nil. The caller holds the lock.
func (r Sessions) personal(userID identity.UserID) *organization.ID {
	var found *organization.Organization
	for _, o := range r.s.orgs {
		if o.IsPersonal && o.OwnerUserID == userID &&
			(found == nil || o.CreatedAt.Before(found.CreatedAt) || (o.CreatedAt.Equal(found.CreatedAt) && o.ID < found.ID)) {
			found = &o
		}
	}
	if found == nil {
		return nil
	}
	return &found.ID
}

// compareMembers orders members oldest first, then by id.
func compareMembers(a, b organization.Member) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(string(a.ID), string(b.ID))
}

// compareInvitations orders invitations oldest first, then by id.
func compareInvitations(a, b organization.Invitation) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(string(a.ID), string(b.ID))
}

// memberText returns the text of a string member field, as stored.
func memberText(m organization.Member, f tenancy.MemberField) string {
	switch f {
	case tenancy.MemberFieldID:
		return string(m.ID)
	case tenancy.MemberFieldUserID:
		return string(m.UserID)
	case tenancy.MemberFieldRole:
		return m.Roles.String()
	case tenancy.MemberFieldStatus:
		return string(m.Status)
	}
	return ""
}

func compareMemberField(a, b organization.Member, f tenancy.MemberField) int {
	if f == tenancy.MemberFieldCreatedAt {
		return a.CreatedAt.Compare(b.CreatedAt)
	}
	return strings.Compare(memberText(a, f), memberText(b, f))
}

// memberMatcher returns the filter of a valid q: strings compare
// byte-wise and case-sensitively, createdAt values as instants at
// microsecond precision (what the databases keep).
func memberMatcher(q tenancy.MemberQuery) (func(organization.Member) bool, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	f := q.Filter
	if f == nil {
		return func(organization.Member) bool { return true }, nil
	}
	if f.Field == tenancy.MemberFieldCreatedAt {
		return timeMatcher(f)
	}
	var cmp func(s, v string) bool
	switch f.Operator {
	case tenancy.OpEq, tenancy.OpIn, tenancy.OpNe, tenancy.OpNotIn:
		cmp = func(s, v string) bool { return s == v }
	case tenancy.OpLt:
		cmp = func(s, v string) bool { return s < v }
	case tenancy.OpLte:
		cmp = func(s, v string) bool { return s <= v }
	case tenancy.OpGt:
		cmp = func(s, v string) bool { return s > v }
	case tenancy.OpGte:
		cmp = func(s, v string) bool { return s >= v }
	case tenancy.OpContains:
		cmp = strings.Contains
	case tenancy.OpStartsWith:
		cmp = strings.HasPrefix
	case tenancy.OpEndsWith:
		cmp = strings.HasSuffix
	default:
		return nil, tenancy.ErrInvalidMemberQuery
	}
	negate := f.Operator == tenancy.OpNe || f.Operator == tenancy.OpNotIn
	return func(m organization.Member) bool {
		s := memberText(m, f.Field)
		return slices.ContainsFunc(f.Values, func(v string) bool { return cmp(s, v) }) != negate
	}, nil
}

func timeMatcher(f *tenancy.MemberFilter) (func(organization.Member) bool, error) {
	values := make([]time.Time, len(f.Values))
	for i, v := range f.Values {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, tenancy.ErrInvalidMemberQuery
		}
		values[i] = t.Truncate(time.Microsecond)
	}
	var cmp func(c int) bool
	switch f.Operator {
	case tenancy.OpEq, tenancy.OpIn, tenancy.OpNe, tenancy.OpNotIn:
		cmp = func(c int) bool { return c == 0 }
	case tenancy.OpLt:
		cmp = func(c int) bool { return c < 0 }
	case tenancy.OpLte:
		cmp = func(c int) bool { return c <= 0 }
	case tenancy.OpGt:
		cmp = func(c int) bool { return c > 0 }
	case tenancy.OpGte:
		cmp = func(c int) bool { return c >= 0 }
	default:
		return nil, tenancy.ErrInvalidMemberQuery
	}
	negate := f.Operator == tenancy.OpNe || f.Operator == tenancy.OpNotIn
	return func(m organization.Member) bool {
		return slices.ContainsFunc(values, func(v time.Time) bool { return cmp(m.CreatedAt.Compare(v)) }) != negate
	}, nil
}

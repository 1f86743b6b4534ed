package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// Deps are the ports the service calls.
type Deps struct {
	Clock         Clock
	IDs           IDs
	Tx            TxRunner
	Users         UserDirectory
	Organizations OrganizationRepository
	Sessions      ActiveOrganizations
	Outbox        Outbox
	Changes       ContextChanges
}

// Policy holds the organization rules Beep applies; DefaultPolicy is
// better-auth's defaults with Beep's verified-invitee rule.
type Policy struct {
	// Access maps roles to what they may do.
	Access organization.Policy
	// AllowCreate lets users create organizations.
	AllowCreate bool
	// OrganizationLimit is how many organizations (besides their personal
	// one) a user may belong to and still create another; 0 is no limit.
	OrganizationLimit int
	// MembershipLimit is the most members an organization may have.
	MembershipLimit int
	// InvitationLimit is the most pending invitations an organization may
	// have.
	InvitationLimit int
	// InvitationTTL is how long an invitation stays open.
	InvitationTTL time.Duration
	// ResendInterval is how soon after its last email an invitation may be
	// mailed again; a resend before that renews nothing and sends nothing.
	ResendInterval time.Duration
	// RequireVerifiedInvitee refuses to show, accept or reject an
	// invitation until the invitee's address is verified: the invitation
	// is addressed to an email, and only a verified account proves it owns it.
	RequireVerifiedInvitee bool
	// AcceptBase is where invitation links point (the frontend, else the
	// auth server), and AcceptPath the page under it; the link is
	// AcceptBase + AcceptPath + "/" + invitation id.
	AcceptBase *url.URL
	AcceptPath string
}

// DefaultPolicy is Beep's default.
var DefaultPolicy = Policy{
	Access:                 organization.DefaultPolicy,
	AllowCreate:            true,
	OrganizationLimit:      100,
	MembershipLimit:        100,
	InvitationLimit:        100,
	InvitationTTL:          48 * time.Hour,
	ResendInterval:         time.Minute,
	RequireVerifiedInvitee: true,
	AcceptPath:             "/accept-invitation",
}

// maxPage bounds one page of a member listing.
const maxPage = 1000

// Service runs the organization use cases.
type Service struct {
	deps   Deps
	policy Policy
}

// NewService returns a service over deps applying policy.
func NewService(deps Deps, policy Policy) *Service {
	if policy.Access == nil {
		policy.Access = organization.DefaultPolicy
	}
	return &Service{deps: deps, policy: policy}
}

// Caller is the signed-in user making a request, with the session they
// make it from (its active organization is the default target).
type Caller struct {
	User    identity.User
	Session session.Session
}

func (c Caller) active() (organization.ID, bool) {
	if c.Session.ActiveOrganizationID == nil || *c.Session.ActiveOrganizationID == "" {
		return "", false
	}
	return *c.Session.ActiveOrganizationID, true
}

// Ref names an organization by id or slug; the zero Ref means the
// caller's active organization.
type Ref struct {
	ID   organization.ID
	Slug string
}

// resolve finds the organization ref names: by slug first, as better-auth
// does when both are given, then by id, then the active one. found is false
// when ref is zero and no organization is active.
func (s *Service) resolve(ctx context.Context, c Caller, ref Ref) (org organization.Organization, found bool, err error) {
	switch {
	case ref.Slug != "":
		org, err = s.deps.Organizations.BySlug(ctx, ref.Slug)
	case ref.ID != "":
		org, err = s.deps.Organizations.ByID(ctx, ref.ID)
	default:
		active, ok := c.active()
		if !ok {
			return organization.Organization{}, false, nil
		}
		org, err = s.deps.Organizations.ByID(ctx, active)
	}
	if err != nil {
		return organization.Organization{}, false, err
	}
	return org, true, nil
}

// target is ref's organization id without loading it: the explicit id, else
// the active one.
func target(c Caller, orgID organization.ID) (organization.ID, bool) {
	if orgID != "" {
		return orgID, true
	}
	return c.active()
}

// translate replaces a not-found failure from storage by the refusal the
// endpoint answers with (e.g. an unknown organization is "member not found"
// to someone who tries to act in it); other errors pass through.
func translate(err error, notFound *failure.Error) error {
	if errors.Is(err, failure.ErrNotFound) {
		return notFound.WithCause(err)
	}
	return err
}

// changed tells the session cache that users' organization context moved.
// It runs after commit; a failure is reported although the change stands,
// because a cache that may serve a stale role must be looked into.
func (s *Service) changed(ctx context.Context, users ...identity.UserID) error {
	if len(users) == 0 {
		return nil
	}
	if err := s.deps.Changes.Record(ctx, users...); err != nil {
		return fmt.Errorf("record organization context change: %w", err)
	}
	return nil
}

// memberUsers lists the users of every member of an organization.
func (s *Service) memberUsers(ctx context.Context, orgID organization.ID) ([]identity.UserID, error) {
	n, err := s.deps.Organizations.CountMembers(ctx, orgID)
	if err != nil || n == 0 {
		return nil, err
	}
	members, _, err := s.deps.Organizations.Members(ctx, orgID, MemberQuery{Limit: n})
	if err != nil {
		return nil, err
	}
	users := make([]identity.UserID, 0, len(members))
	for _, m := range members {
		users = append(users, m.Member.UserID)
	}
	return users, nil
}

// acceptURL is the link of an invitation email.
func (s *Service) acceptURL(invID organization.InvitationID) string {
	path := strings.TrimRight(s.policy.AcceptPath, "/") + "/" + url.PathEscape(string(invID))
	if s.policy.AcceptBase == nil {
		return path // relative: mail.Message.Validate refuses it, surfacing the misconfiguration
	}
	return strings.TrimRight(s.policy.AcceptBase.String(), "/") + path
}

package module

import (
	"net/url"

	"go.uber.org/fx"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/infrastructure/telemetry"
	"github.com/beep/iam/interfaces/rest"
	"github.com/beep/iam/runtime/config"
)

// Organizations builds the organization use cases (tenancy) over the same
// clock, ids, transactions, users and outbox as authentication, with the
// rules from configuration, and exposes them traced to the edge.
var Organizations = fx.Module("organizations",
	fx.Provide(
		organizationPolicy,
		newTenancyService,
		fx.Annotate(telemetry.TraceTenancy, fx.As(new(rest.Organizations))),
	),
)

func organizationPolicy(c config.Config) tenancy.Policy {
	o := c.Organizations
	base := c.AuthURL
	if c.ClientURL != nil {
		base = c.ClientURL
	}
	return tenancy.Policy{
		Access:                 organization.DefaultPolicy,
		AllowCreate:            o.CreationEnabled,
		OrganizationLimit:      o.Limit,
		MembershipLimit:        o.MembershipLimit,
		InvitationLimit:        o.InvitationLimit,
		InvitationTTL:          o.InvitationExpiresIn,
		RequireVerifiedInvitee: o.RequireVerifiedInvitee,
		AcceptBase:             &url.URL{Scheme: base.Scheme, Host: base.Host, Path: base.Path},
		AcceptPath:             o.AcceptInvitationPath,
	}
}

// tenancyDeps takes the shared ports under their authn names: the same
// adapters satisfy tenancy's narrower ports.
type tenancyDeps struct {
	fx.In
	Clock         authn.Clock
	IDs           authn.IDs
	Tx            authn.TxRunner
	Users         authn.UserRepository
	Outbox        authn.Outbox
	Organizations tenancy.OrganizationRepository
	Sessions      tenancy.ActiveOrganizations
	Changes       tenancy.ContextChanges
}

func newTenancyService(d tenancyDeps, p tenancy.Policy) *tenancy.Service {
	return tenancy.NewService(tenancy.Deps{
		Clock: d.Clock, IDs: d.IDs, Tx: d.Tx, Users: d.Users, Outbox: d.Outbox,
		Organizations: d.Organizations, Sessions: d.Sessions, Changes: d.Changes,
	}, p)
}

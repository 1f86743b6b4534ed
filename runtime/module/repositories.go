package module

import (
	"go.uber.org/fx"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/infrastructure/bunstore"
)

// Repositories binds the bun repositories to the ports the use cases
// declare.
var Repositories = fx.Module("repositories",
	fx.Provide(
		fx.Annotate(bunstore.NewTxRunner, fx.As(new(authn.TxRunner))),
		fx.Annotate(bunstore.NewUserRepository, fx.As(new(authn.UserRepository))),
		fx.Annotate(bunstore.NewAccountRepository, fx.As(new(authn.AccountRepository))),
		fx.Annotate(bunstore.NewSessionRepository, fx.As(new(authn.SessionRepository)), fx.As(new(tenancy.ActiveOrganizations))),
		fx.Annotate(bunstore.NewOrganizationRepository, fx.As(new(authn.OrganizationRepository)), fx.As(new(tenancy.OrganizationRepository))),
		fx.Annotate(bunstore.NewVerificationRepository, fx.As(new(authn.VerificationRepository))),
	),
)

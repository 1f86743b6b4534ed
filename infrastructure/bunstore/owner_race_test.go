package bunstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/infrastructure/outbox"
)

// TestOwnersRaceToStepDown runs the real organization use cases on real
// storage: 50 owners of one organization step down at once, half by
// leaving and half by demoting themselves. The organization lock
// serialises them, so exactly one owner is left: 49 succeed and the last
// is refused as the only owner. Without the lock every owner would read
// "50 owners" and all would go. Each dialect runs it several times.
func TestOwnersRaceToStepDown(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		const owners, runs = 50, 3
		for run := range runs {
			raceOnce(t, db, run, owners)
		}
	})
}

func raceOnce(t *testing.T, db *bun.DB, run, owners int) {
	t.Helper()
	ctx := context.Background()
	r := repos(db)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	ids := &authntest.IDs{}
	org := organization.NewTeam(organization.ID(fmt.Sprintf("organization__race-%d", run)), "Race", fmt.Sprintf("race-%d", run), nil, nil, "", now)
	must(t, r.Organizations.Create(ctx, org))
	callers := make([]tenancy.Caller, owners)
	members := make([]organization.Member, owners)
	for i := range owners {
		u := identity.NewUser(identity.UserID(fmt.Sprintf("user__race-%d-%d", run, i)), "Owner", identity.Email(fmt.Sprintf("o%d-%d@example.com", run, i)), nil, now)
		must(t, r.Users.Create(ctx, u))
		members[i] = organization.Member{ID: organization.MemberID(fmt.Sprintf("member__race-%d-%d", run, i)), OrganizationID: org.ID,
			UserID: u.ID, Roles: organization.Roles{organization.RoleOwner}, Status: organization.MemberActive, CreatedAt: now}
		must(t, r.Organizations.AddMember(ctx, members[i]))
		callers[i] = tenancy.Caller{User: u}
	}
	orgs := bunstore.NewOrganizationRepository(db)
	svc := tenancy.NewService(tenancy.Deps{
		Clock: authntest.NewClock(now), IDs: ids, Tx: r.Tx, Users: r.Users, Organizations: orgs,
		Sessions: bunstore.NewSessionRepository(db), Outbox: outbox.NewQueue(bunstore.NewOutboxStore(db), nil),
		Changes: &authntest.Changes{Clock: authntest.NewClock(now)},
	}, tenancy.DefaultPolicy)

	errs := make([]error, owners)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range owners {
		wg.Go(func() {
			<-gate
			if i%2 == 0 {
				_, errs[i] = svc.Leave(ctx, callers[i], org.ID)
			} else {
				_, errs[i] = svc.UpdateMemberRole(ctx, callers[i], org.ID, members[i].ID, organization.Roles{organization.RoleMember})
			}
		})
	}
	close(gate)
	wg.Wait()

	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, organization.ErrOnlyOwnerCannotLeave), errors.Is(err, organization.ErrWouldHaveNoOwner):
		default:
			t.Errorf("run %d, owner %d: %v", run, i, err)
		}
	}
	left, err := orgs.OwnerCount(ctx, org.ID)
	must(t, err)
	if left != 1 || ok != owners-1 {
		t.Fatalf("run %d: %d owners left after %d of %d stepped down, want exactly 1 left and %d steps", run, left, ok, owners, owners-1)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package bunstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn/authntest"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/uptrace/bun"
)

// Broken constraints reach the application as failures it can test with
// errors.Is, never as driver errors.
func TestConstraintFailures(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r, ids := repos(db), &authntest.IDs{}
		u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Ann", "ann@example.com", nil, testTime)
		if err := r.Users.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		org := organization.Organization{ID: organization.NewID(ids.NewUUID()), Name: "Org", Slug: "org", Type: organization.TypeTeam,
			OwnerUserID: u.ID, SubscriptionTier: organization.TierFree, SubscriptionStatus: organization.SubscriptionActive,
			CreatedAt: testTime, UpdatedAt: testTime}
		if err := r.Organizations.Create(ctx, org); err != nil {
			t.Fatal(err)
		}
		sess := session.Session{ID: session.NewID(ids.NewUUID()), Token: token(ids), UserID: u.ID,
			ExpiresAt: testTime.Add(time.Hour), CreatedAt: testTime, UpdatedAt: testTime}
		if err := r.Sessions.Create(ctx, sess); err != nil {
			t.Fatal(err)
		}
		unknownUser := identity.NewUserID(ids.NewUUID())

		tests := []struct {
			name string
			do   func() error
			want error
			not  error // an error it must not match
		}{
			{"duplicate user id is a conflict, not a taken email", func() error {
				dup := u
				dup.Email = "other@example.com"
				return r.Users.Create(ctx, dup)
			}, failure.ErrConflict, identity.ErrUserAlreadyExists},
			{"account of an unknown user", func() error {
				return r.Accounts.Create(ctx, identity.NewCredentialAccount(identity.NewAccountID(ids.NewUUID()), unknownUser, "h", testTime))
			}, identity.ErrUserNotFound, nil},
			{"session of an unknown user", func() error {
				s := sess
				s.ID, s.Token, s.UserID = session.NewID(ids.NewUUID()), token(ids), unknownUser
				return r.Sessions.Create(ctx, s)
			}, failure.ErrNotFound, nil},
			{"session expiring before it starts", func() error {
				s := sess
				s.ID, s.Token, s.ExpiresAt = session.NewID(ids.NewUUID()), token(ids), testTime.Add(-time.Second)
				return r.Sessions.Create(ctx, s)
			}, failure.ErrInvalid, nil},
			{"extend to before creation", func() error {
				return r.Sessions.Extend(ctx, sess.Token, testTime, testTime)
			}, failure.ErrInvalid, nil},
			{"organization of unknown type", func() error {
				o := org
				o.ID, o.Slug, o.Type = organization.NewID(ids.NewUUID()), "other", "galaxy"
				return r.Organizations.Create(ctx, o)
			}, failure.ErrInvalid, nil},
			{"organization of an unknown owner", func() error {
				o := org
				o.ID, o.Slug, o.OwnerUserID = organization.NewID(ids.NewUUID()), "orphan", unknownUser
				return r.Organizations.Create(ctx, o)
			}, identity.ErrUserNotFound, nil},
			{"member of an unknown organization", func() error {
				return r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(ids.NewUUID()),
					OrganizationID: organization.NewID(ids.NewUUID()), UserID: u.ID, Roles: organization.Roles{organization.RoleMember},
					Status: organization.MemberActive, CreatedAt: testTime})
			}, organization.ErrOrganizationNotFound, nil},
			{"unknown user as member", func() error {
				return r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(ids.NewUUID()),
					OrganizationID: org.ID, UserID: unknownUser, Roles: organization.Roles{organization.RoleMember},
					Status: organization.MemberActive, CreatedAt: testTime})
			}, identity.ErrUserNotFound, nil},
		}
		for _, tt := range tests {
			err := tt.do()
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
			if tt.not != nil && errors.Is(err, tt.not) {
				t.Errorf("%s: error = %v, must not be %v", tt.name, err, tt.not)
			}
		}
		if rows := countRows(t, db); rows["members"] != 0 || rows["accounts"] != 0 || rows["sessions"] != 1 || rows["organizations"] != 1 {
			t.Errorf("failed writes left rows behind: %v", rows)
		}
	})
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := repos(db).Users.ByEmail(ctx, "ann@example.com")
		if !errors.Is(err, context.Canceled) || errors.Is(err, identity.ErrUserNotFound) {
			t.Fatalf("ByEmail with a canceled context = %v, want context.Canceled", err)
		}
	})
}

// Instants survive storage exactly at microsecond precision whatever their
// location, and come back in UTC. On SQLite they are stored as UTC text
// (the migration's comment relies on that form sorting chronologically).
func TestTimestampsRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r, ids := repos(db), &authntest.IDs{}
		paris := time.FixedZone("UTC+1", 3600)
		created := time.Date(2026, 3, 29, 2, 30, 0, 123_456_000, paris)
		u := identity.NewUser(identity.NewUserID(ids.NewUUID()), "Zoé 🎉", "zoe@example.com", nil, created)
		if err := r.Users.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := r.Users.ByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(created) || got.CreatedAt.Location() != time.UTC || got.Name != u.Name {
			t.Fatalf("CreatedAt, Name = %v (%v), %q; want %v in UTC, %q", got.CreatedAt, got.CreatedAt.Location(), got.Name, created, u.Name)
		}
		if bunstore.Dialect(db) != bunstore.DialectSQLite {
			return
		}
		var stored string
		if err := db.NewRaw("SELECT created_at FROM users").Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if want := "2026-03-29 01:30:00.123456+00:00"; stored != want {
			t.Fatalf("stored created_at = %q, want %q", stored, want)
		}
	})
}

// queryLog records the statements a database runs.
type queryLog struct{ queries []string }

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (l *queryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.queries = append(l.queries, e.Query)
}

func TestMembershipsOfIsOneQuery(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		r, ids := repos(db), &authntest.IDs{}
		for _, email := range []string{"a@example.com", "b@example.com"} {
			if err := signUp(ctx, r, ids, email, nil); err != nil {
				t.Fatal(err)
			}
		}
		u, err := r.Users.ByEmail(ctx, "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		log := &queryLog{}
		db.AddQueryHook(log)
		ms, err := r.Organizations.MembershipsOf(ctx, u.ID)
		if err != nil || len(ms) != 1 || ms[0].Member.UserID != u.ID || !ms[0].Organization.IsPersonal {
			t.Fatalf("MembershipsOf = %+v, %v; want the one personal membership", ms, err)
		}
		if len(log.queries) != 1 || !strings.Contains(log.queries[0], "JOIN") {
			t.Fatalf("MembershipsOf ran %d queries %q, want one JOIN", len(log.queries), log.queries)
		}
	})
}

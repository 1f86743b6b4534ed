package session_test

import (
	"testing"
	"time"

	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestPolicyRefresh(t *testing.T) {
	p := session.DefaultPolicy
	day := 24 * time.Hour
	fresh := session.Session{CreatedAt: t0, ExpiresAt: p.InitialExpiry(t0, false)}
	tests := []struct {
		name    string
		s       session.Session
		now     time.Time
		want    time.Time
		refresh bool
	}{
		{"just created", fresh, t0.Add(time.Hour), time.Time{}, false},
		{"one day later", fresh, t0.Add(day), t0.Add(day + 30*day), true},
		{"refreshed session waits another day", session.Session{CreatedAt: t0, ExpiresAt: t0.Add(day + 30*day)}, t0.Add(day + 23*time.Hour), time.Time{}, false},
		{"dont remember never refreshes", session.Session{CreatedAt: t0, ExpiresAt: t0.Add(day), DontRemember: true}, t0.Add(23 * time.Hour), time.Time{}, false},
		{"expired is not refreshed", fresh, t0.Add(31 * day), time.Time{}, false},
		{"capped at max lifetime", session.Session{CreatedAt: t0, ExpiresAt: t0.Add(80 * day)}, t0.Add(75 * day), t0.Add(90 * day), true},
		{"at the cap nothing to extend", session.Session{CreatedAt: t0, ExpiresAt: t0.Add(90 * day)}, t0.Add(89 * day), time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Refresh(tt.s, tt.now)
			if ok != tt.refresh || !got.Equal(tt.want) {
				t.Fatalf("Refresh = %v, %v; want %v, %v", got, ok, tt.want, tt.refresh)
			}
		})
	}
	if got := p.InitialExpiry(t0, true); !got.Equal(t0.Add(day)) {
		t.Errorf("dont-remember expiry = %v, want one day", got)
	}
}

func TestContextFor(t *testing.T) {
	team := organization.Organization{ID: "organization__team", Name: "Team", Type: organization.TypeTeam, SubscriptionTier: organization.TierPro}
	personal := organization.Organization{ID: "organization__mine", Name: "Alice's Organization", Type: organization.TypeIndividual, IsPersonal: true, SubscriptionTier: organization.TierFree}
	gone := organization.Organization{ID: "organization__gone", Name: "Gone", Type: organization.TypeTeam}
	m := func(o organization.Organization, roles string, status organization.MemberStatus, at time.Time) organization.Membership {
		return organization.Membership{Organization: o, Member: organization.Member{OrganizationID: o.ID, Roles: organization.ParseRoles(roles), Status: status, CreatedAt: at}}
	}
	tests := []struct {
		name       string
		in         []organization.Membership
		wantActive organization.ID
		wantKeys   int
	}{
		{"none", nil, "", 0},
		{"personal wins even when newer", []organization.Membership{m(team, "admin", organization.MemberActive, t0), m(personal, "owner", organization.MemberActive, t0.Add(time.Hour))}, personal.ID, 2},
		{"oldest team when no personal", []organization.Membership{m(gone, "member", organization.MemberActive, t0.Add(time.Hour)), m(team, "admin", organization.MemberActive, t0)}, team.ID, 2},
		{"inactive memberships are ignored", []organization.Membership{m(gone, "owner", organization.MemberSuspended, t0), m(team, "member", organization.MemberActive, t0.Add(time.Hour))}, team.ID, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, active := session.ContextFor(tt.in)
			if len(ctx) != tt.wantKeys {
				t.Fatalf("context has %d entries, want %d: %v", len(ctx), tt.wantKeys, ctx)
			}
			if tt.wantActive == "" {
				if active != nil {
					t.Fatalf("active = %v, want none", *active)
				}
				return
			}
			if active == nil || *active != tt.wantActive {
				t.Fatalf("active = %v, want %v", active, tt.wantActive)
			}
		})
	}
	ctx, _ := session.ContextFor([]organization.Membership{m(team, "admin,member", organization.MemberActive, t0)})
	if got := ctx[team.ID]; got.Role != "admin,member" || got.Name != "Team" || got.Type != organization.TypeTeam || got.SubscriptionTier != organization.TierPro || got.IsPersonal {
		t.Errorf("summary = %+v", got)
	}
}

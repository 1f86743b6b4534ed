package tenancy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/organization"
)

func TestCreate(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice := h.user(t, "alice@example.com")
	personal := *alice.Session.ActiveOrganizationID
	meta := `{"plan":"x"}`
	got, err := h.svc.Create(ctx, alice, tenancy.CreateInput{Name: "Acme", Slug: "acme", Metadata: &meta})
	if err != nil {
		t.Fatal(err)
	}
	o := got.Organization
	if o.Type != organization.TypeTeam || o.IsPersonal || o.OwnerUserID != alice.User.ID || *o.Metadata != meta ||
		got.Owner.Roles.String() != "owner" || got.Owner.OrganizationID != o.ID {
		t.Fatalf("Create = %+v", got)
	}
	if active := h.again(t, alice).Session.ActiveOrganizationID; active == nil || *active != o.ID {
		t.Fatalf("active organization = %v, want the new one", active)
	}
	if changed, _ := h.changes.ChangedSince(ctx, alice.User.ID, start); !changed {
		t.Fatal("creating an organization did not mark the creator's context changed")
	}
	// keepCurrentActiveOrganization leaves the active one alone.
	if _, err := h.svc.Create(ctx, h.again(t, alice), tenancy.CreateInput{Name: "B", Slug: "b", KeepActive: true}); err != nil {
		t.Fatal(err)
	}
	if active := h.again(t, alice).Session.ActiveOrganizationID; *active != o.ID || *active == personal {
		t.Fatal("KeepActive moved the active organization")
	}
}

func TestCreateRefusals(t *testing.T) {
	h := newHarness(t, func(p *tenancy.Policy) { p.OrganizationLimit = 2 })
	ctx := context.Background()
	alice := h.user(t, "alice@example.com")
	h.team(t, alice, "taken")
	tests := []struct {
		name string
		in   tenancy.CreateInput
		code string
	}{
		{"slug taken", tenancy.CreateInput{Name: "X", Slug: "taken"}, "ORGANIZATION_ALREADY_EXISTS"},
		{"uppercase slug", tenancy.CreateInput{Name: "X", Slug: "Acme"}, "INVALID_SLUG"},
		{"slug with spaces", tenancy.CreateInput{Name: "X", Slug: "my org"}, "INVALID_SLUG"},
		{"unicode slug", tenancy.CreateInput{Name: "X", Slug: "café"}, "INVALID_SLUG"},
		{"200-character slug", tenancy.CreateInput{Name: "X", Slug: strings.Repeat("a", 200)}, "INVALID_SLUG"},
		{"slug with SQL", tenancy.CreateInput{Name: "X", Slug: "x';drop table organizations;--"}, "INVALID_SLUG"},
		{"double hyphen", tenancy.CreateInput{Name: "X", Slug: "a--b"}, "INVALID_SLUG"},
		{"blank name", tenancy.CreateInput{Name: "   ", Slug: "blank"}, "INVALID_ORGANIZATION_NAME"},
		{"name with a line break", tenancy.CreateInput{Name: "A\r\nBcc: x", Slug: "crlf"}, "INVALID_ORGANIZATION_NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.svc.Create(ctx, h.again(t, alice), tt.in)
			if codeOf(err) != tt.code {
				t.Fatalf("Create(%+v) = %v, want %s", tt.in, err, tt.code)
			}
		})
	}
	h.team(t, alice, "second")
	_, err := h.svc.Create(ctx, h.again(t, alice), tenancy.CreateInput{Name: "Third", Slug: "third"})
	wantCode(t, "third organization over a limit of 2", err, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS")

	off := newHarness(t, func(p *tenancy.Policy) { p.AllowCreate = false })
	_, err = off.svc.Create(ctx, off.user(t, "bob@example.com"), tenancy.CreateInput{Name: "X", Slug: "x"})
	wantCode(t, "creation disabled", err, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION")
}

func TestCheckSlug(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.team(t, h.user(t, "alice@example.com"), "acme")
	if err := h.svc.CheckSlug(ctx, "free"); err != nil {
		t.Fatalf("CheckSlug(free) = %v", err)
	}
	wantCode(t, "taken", h.svc.CheckSlug(ctx, "acme"), "ORGANIZATION_SLUG_ALREADY_TAKEN")
	wantCode(t, "invalid", h.svc.CheckSlug(ctx, "Not A Slug"), "INVALID_SLUG")
}

func TestUpdate(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice, bob := h.user(t, "alice@example.com"), h.user(t, "bob@example.com")
	acme := h.team(t, alice, "acme")
	h.team(t, alice, "other")
	h.join(t, h.again(t, alice), acme, bob, organization.RoleMember)

	name, slug := "Acme Inc", "acme-inc"
	h.clock.Advance(time.Second) // so only the rename can mark bob's context changed
	got, err := h.svc.Update(ctx, h.again(t, alice), acme.ID, tenancy.UpdateInput{Name: &name, Slug: &slug, ClearLogo: true})
	if err != nil || got.Name != name || got.Slug != slug {
		t.Fatalf("Update = %+v, %v", got, err)
	}
	if changed, _ := h.changes.ChangedSince(ctx, bob.User.ID, h.clock.Now()); !changed {
		t.Fatal("a rename did not refresh the members' session contexts (they carry the name)")
	}
	taken := "other"
	_, err = h.svc.Update(ctx, h.again(t, alice), acme.ID, tenancy.UpdateInput{Slug: &taken})
	wantCode(t, "slug taken", err, "ORGANIZATION_SLUG_ALREADY_TAKEN")
	bad := "Bad Slug"
	_, err = h.svc.Update(ctx, h.again(t, alice), acme.ID, tenancy.UpdateInput{Slug: &bad})
	wantCode(t, "invalid slug", err, "INVALID_SLUG")
	_, err = h.svc.Update(ctx, h.again(t, bob), acme.ID, tenancy.UpdateInput{Name: &name})
	wantCode(t, "plain member", err, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION")
}

func TestPersonalOrganizationRules(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice, bob := h.user(t, "alice@example.com"), h.user(t, "bob@example.com")
	personal := *alice.Session.ActiveOrganizationID

	_, err := h.svc.Delete(ctx, alice, personal)
	wantCode(t, "delete personal", err, "PERSONAL_ORGANIZATION_CANNOT_BE_DELETED")
	_, err = h.svc.Leave(ctx, alice, personal)
	wantCode(t, "leave personal", err, "PERSONAL_ORGANIZATION_CANNOT_BE_LEFT")
	_, err = h.svc.Invite(ctx, alice, tenancy.InviteInput{OrganizationID: personal, Email: string(bob.User.Email), Roles: organization.Roles{"member"}})
	wantCode(t, "invite into personal", err, "PERSONAL_ORGANIZATION_CANNOT_HAVE_MEMBERS")
	if _, err := h.store.Organizations().ByID(ctx, personal); err != nil {
		t.Fatalf("personal organization gone: %v", err)
	}
}

func TestDeleteReturnsEveryMemberToTheirPersonalOrganization(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice, bob := h.user(t, "alice@example.com"), h.user(t, "bob@example.com")
	bobPersonal := *bob.Session.ActiveOrganizationID
	acme := h.team(t, alice, "acme")
	h.join(t, h.again(t, alice), acme, bob, organization.RoleAdmin)
	if active := h.again(t, bob).Session.ActiveOrganizationID; *active != acme.ID {
		t.Fatal("accepting did not make the organization active")
	}
	_, err := h.svc.Delete(ctx, h.again(t, bob), acme.ID)
	wantCode(t, "admin deletes", err, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION")

	h.clock.Advance(1)
	if _, err := h.svc.Delete(ctx, h.again(t, alice), acme.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Organizations().ByID(ctx, acme.ID); err == nil {
		t.Fatal("organization still there")
	}
	if active := h.again(t, bob).Session.ActiveOrganizationID; active == nil || *active != bobPersonal {
		t.Fatalf("bob's active organization = %v, want his personal %s", active, bobPersonal)
	}
	if changed, _ := h.changes.ChangedSince(ctx, bob.User.ID, h.clock.Now()); !changed {
		t.Fatal("deletion did not refresh a member's session context")
	}
}

func TestSetActiveAndGet(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice, mallory := h.user(t, "alice@example.com"), h.user(t, "mallory@example.com")
	acme := h.team(t, alice, "acme")
	personal := *h.again(t, alice).Session.ActiveOrganizationID

	got, err := h.svc.SetActive(ctx, h.again(t, alice), tenancy.SetActiveInput{Slug: "acme"})
	if err != nil || got.ID != acme.ID {
		t.Fatalf("SetActive(slug) = %v, %v", got, err)
	}
	got, err = h.svc.SetActive(ctx, h.again(t, alice), tenancy.SetActiveInput{Clear: true})
	if err != nil || got != nil || h.again(t, alice).Session.ActiveOrganizationID != nil {
		t.Fatalf("SetActive(null) = %v, %v", got, err)
	}
	if got, err := h.svc.Get(ctx, h.again(t, alice), tenancy.Ref{}); err != nil || got != nil {
		t.Fatalf("Get with no active organization = %v, %v; want null", got, err)
	}
	if got, err := h.svc.SetActive(ctx, h.again(t, alice), tenancy.SetActiveInput{ID: personal}); err != nil || got.ID != personal {
		t.Fatalf("SetActive(personal) = %v, %v", got, err)
	}

	// Mallory cannot make Acme active nor read it, by id or slug.
	before := h.again(t, mallory).Session.ActiveOrganizationID
	_, err = h.svc.SetActive(ctx, mallory, tenancy.SetActiveInput{ID: acme.ID})
	wantCode(t, "set-active foreign", err, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	if after := h.again(t, mallory).Session.ActiveOrganizationID; *after != *before {
		t.Fatal("a refused set-active changed the session")
	}
	for _, ref := range []tenancy.Ref{{ID: acme.ID}, {Slug: "acme"}} {
		_, err = h.svc.Get(ctx, mallory, ref)
		wantCode(t, "get foreign", err, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
		_, err = h.svc.GetFull(ctx, mallory, ref, 0)
		wantCode(t, "get-full foreign", err, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")
	}
	_, err = h.svc.Get(ctx, mallory, tenancy.Ref{Slug: "nope"})
	wantCode(t, "unknown slug", err, "ORGANIZATION_NOT_FOUND")
}

package tenancy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/tenancy"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/domain/organization"
)

func TestInvitationLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice, bob := h.user(t, "alice@example.com"), h.user(t, "bob@example.com")
	acme := h.team(t, alice, "acme")

	inv, err := h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: " Bob@Example.com", Roles: organization.Roles{"admin", "member"}})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Email != "bob@example.com" || inv.Status != organization.InvitationPending || inv.InviterID != alice.User.ID ||
		!inv.ExpiresAt.Equal(start.Add(48*time.Hour)) || inv.Roles.String() != "admin,member" {
		t.Fatalf("invitation = %+v", inv)
	}
	msg, ok := h.store.LastMail(mail.KindInvitation, "bob@example.com")
	if !ok || msg.URL != "https://app.example/accept-invitation/"+string(inv.ID) || msg.Organization != "Team acme" || msg.Inviter != alice.User.Name {
		t.Fatalf("invitation email = %+v (queued: %v)", msg, ok)
	}

	_, err = h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: "bob@example.com", Roles: organization.Roles{"member"}})
	wantCode(t, "duplicate pending", err, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION")
	h.clock.Advance(time.Hour)
	again, err := h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: "bob@example.com", Roles: organization.Roles{"member"}, Resend: true})
	if err != nil || again.ID != inv.ID || !again.ExpiresAt.Equal(h.clock.Now().Add(48*time.Hour)) || h.store.MailCount(mail.KindInvitation) != 2 {
		t.Fatalf("resend = %+v, %v (%d emails)", again, err, h.store.MailCount(mail.KindInvitation))
	}

	// Carol cannot see, accept or reject Bob's invitation.
	carol := h.user(t, "carol@example.com")
	_, err = h.svc.GetInvitation(ctx, carol, inv.ID)
	wantCode(t, "get someone else's", err, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION")
	_, err = h.svc.Accept(ctx, carol, inv.ID)
	wantCode(t, "accept someone else's", err, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION")
	_, err = h.svc.Reject(ctx, carol, inv.ID)
	wantCode(t, "reject someone else's", err, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION")

	list, err := h.svc.ListUserInvitations(ctx, h.again(t, bob))
	if err != nil || len(list) != 1 || list[0].OrganizationName != "Team acme" {
		t.Fatalf("ListUserInvitations = %+v, %v", list, err)
	}
	details, err := h.svc.GetInvitation(ctx, h.again(t, bob), inv.ID)
	if err != nil || details.OrganizationSlug != "acme" || details.InviterEmail != alice.User.Email {
		t.Fatalf("GetInvitation = %+v, %v", details, err)
	}

	h.clock.Advance(time.Second)
	got, err := h.svc.Accept(ctx, h.again(t, bob), inv.ID)
	if err != nil || got.Invitation.Status != organization.InvitationAccepted || got.Member.Roles.String() != "admin,member" {
		t.Fatalf("Accept = %+v, %v", got, err)
	}
	after := h.again(t, bob)
	if *after.Session.ActiveOrganizationID != acme.ID {
		t.Fatal("accepting did not make the organization active")
	}
	if changed, _ := h.changes.ChangedSince(ctx, bob.User.ID, h.clock.Now()); !changed {
		t.Fatal("accepting did not refresh the invitee's session context")
	}
	_, err = h.svc.Accept(ctx, after, inv.ID)
	wantCode(t, "accept twice", err, "INVITATION_NOT_FOUND")
	_, err = h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: "bob@example.com", Roles: organization.Roles{"member"}})
	wantCode(t, "invite a member", err, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION")
}

func TestInvitationRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	owner, admin, member := h.again(t, a.owner), h.again(t, a.admin), h.again(t, a.member)
	invite := func(who tenancy.Caller, email string, roles ...organization.Role) error {
		_, err := h.svc.Invite(ctx, h.again(t, who), tenancy.InviteInput{OrganizationID: a.ID, Email: email, Roles: roles})
		return err
	}
	wantCode(t, "member invites", invite(member, "x@example.com", "member"), "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION")
	wantCode(t, "admin invites an owner", invite(admin, "x@example.com", "owner"), "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE")
	wantCode(t, "malformed address", invite(owner, "not-an-email", "member"), "INVALID_EMAIL")
	wantCode(t, "header injection", invite(owner, "x@example.com\r\nBcc: y@example.com", "member"), "INVALID_EMAIL")
	wantCode(t, "unknown role", invite(owner, "x@example.com", "superuser"), "ROLE_NOT_FOUND")
	wantCode(t, "no role", invite(owner, "x@example.com"), "ROLE_NOT_FOUND")
	if h.store.MailCount(mail.KindInvitation) != 2 { // the two of staffed()
		t.Fatal("a refused invitation queued an email")
	}

	// An unverified invitee can neither list, see nor accept.
	dave := h.signUp(t, "dave@example.com", false)
	inv, err := h.svc.Invite(ctx, admin, tenancy.InviteInput{OrganizationID: a.ID, Email: "dave@example.com", Roles: organization.Roles{"member"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.ListUserInvitations(ctx, dave)
	wantCode(t, "unverified lists", err, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION")
	_, err = h.svc.Accept(ctx, dave, inv.ID)
	wantCode(t, "unverified accepts", err, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION")

	// Canceled, then expired invitations are gone.
	canceled, err := h.svc.Cancel(ctx, admin, inv.ID)
	if err != nil || canceled.Status != organization.InvitationCanceled {
		t.Fatalf("Cancel = %+v, %v", canceled, err)
	}
	verified := h.user(t, "erin@example.com")
	_, err = h.svc.Cancel(ctx, member, inv.ID)
	wantCode(t, "member cancels", err, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION")
	late, err := h.svc.Invite(ctx, admin, tenancy.InviteInput{OrganizationID: a.ID, Email: "erin@example.com", Roles: organization.Roles{"member"}})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(48*time.Hour + time.Second)
	_, err = h.svc.Accept(ctx, h.again(t, verified), late.ID)
	wantCode(t, "expired", err, "INVITATION_NOT_FOUND")
	// An expired invitation does not block a new one.
	if _, err := h.svc.Invite(ctx, h.again(t, a.admin), tenancy.InviteInput{OrganizationID: a.ID, Email: "erin@example.com", Roles: organization.Roles{"member"}}); err != nil {
		t.Fatalf("re-invite after expiry: %v", err)
	}
	rejected, err := h.svc.Reject(ctx, h.again(t, verified), mustPending(t, h, "erin@example.com"))
	if err != nil || rejected.Status != organization.InvitationRejected {
		t.Fatalf("Reject = %+v, %v", rejected, err)
	}
	_, err = h.svc.Accept(ctx, h.again(t, verified), rejected.ID)
	wantCode(t, "accept rejected", err, "INVITATION_NOT_FOUND")
}

func mustPending(t *testing.T, h *harness, email string) organization.InvitationID {
	t.Helper()
	list, err := h.svc.ListUserInvitations(context.Background(), h.again(t, h.userByEmail(t, email)))
	if err != nil || len(list) != 1 {
		t.Fatalf("pending invitations of %s = %+v, %v", email, list, err)
	}
	return list[0].Invitation.ID
}

func TestListInvitationsHidesOwnerInvitationsFromAdmins(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	if _, err := h.svc.Invite(ctx, h.again(t, a.owner), tenancy.InviteInput{OrganizationID: a.ID, Email: "co-owner@example.com", Roles: organization.Roles{"owner"}}); err != nil {
		t.Fatal(err)
	}
	all, err := h.svc.ListInvitations(ctx, h.again(t, a.owner), a.ID)
	if err != nil || len(all) != 3 {
		t.Fatalf("owner sees %d invitations, %v; want 3", len(all), err)
	}
	some, err := h.svc.ListInvitations(ctx, h.again(t, a.admin), a.ID)
	if err != nil || len(some) != 2 {
		t.Fatalf("admin sees %d invitations, %v; want 2 (no owner invitation)", len(some), err)
	}
	for _, inv := range some {
		if strings.Contains(inv.Roles.String(), "owner") {
			t.Fatal("admin sees an owner invitation")
		}
	}
	_, err = h.svc.ListInvitations(ctx, h.again(t, a.member), a.ID)
	wantCode(t, "member lists", err, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS")
	full, err := h.svc.GetFull(ctx, h.again(t, a.member), tenancy.Ref{ID: a.ID}, 0)
	if err != nil || len(full.Invitations) != 0 || len(full.Members) != 3 {
		t.Fatalf("member's full organization = %d invitations, %d members, %v", len(full.Invitations), len(full.Members), err)
	}
}

func TestMembershipAndInvitationLimits(t *testing.T) {
	h := newHarness(t, func(p *tenancy.Policy) { p.MembershipLimit, p.InvitationLimit = 2, 2 })
	ctx := context.Background()
	alice, bob, carol := h.user(t, "alice@example.com"), h.user(t, "bob@example.com"), h.user(t, "carol@example.com")
	acme := h.team(t, alice, "acme")
	invB, _ := h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: "bob@example.com", Roles: organization.Roles{"member"}})
	invC, _ := h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: "carol@example.com", Roles: organization.Roles{"member"}})
	_, err := h.svc.Invite(ctx, h.again(t, alice), tenancy.InviteInput{OrganizationID: acme.ID, Email: "dan@example.com", Roles: organization.Roles{"member"}})
	wantCode(t, "third pending invitation", err, "INVITATION_LIMIT_REACHED")
	if _, err := h.svc.Accept(ctx, h.again(t, bob), invB.ID); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.Accept(ctx, h.again(t, carol), invC.ID)
	wantCode(t, "third member", err, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED")
	if h.roles(t, acme.ID, carol.User.ID) != "(none)" {
		t.Fatal("a refused accept added the member")
	}
}

func TestResendDoesNotFloodAnInbox(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice := h.user(t, "alice@example.com")
	acme := h.team(t, alice, "acme")
	in := tenancy.InviteInput{OrganizationID: acme.ID, Email: "victim@example.com", Roles: organization.Roles{"member"}, Resend: true}
	first, err := h.svc.Invite(ctx, h.again(t, alice), in)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := h.svc.Invite(ctx, h.again(t, alice), in)
		if err != nil || again.ID != first.ID || !again.ExpiresAt.Equal(first.ExpiresAt) {
			t.Fatalf("resend within the interval = %+v, %v", again, err)
		}
	}
	if n := h.store.MailCount(mail.KindInvitation); n != 1 {
		t.Fatalf("%d invitation emails after 21 sends within a minute, want 1", n)
	}
	h.clock.Advance(time.Minute)
	if _, err := h.svc.Invite(ctx, h.again(t, alice), in); err != nil || h.store.MailCount(mail.KindInvitation) != 2 {
		t.Fatalf("resend after the interval: %v, %d emails", err, h.store.MailCount(mail.KindInvitation))
	}
}

// TestInvitationCarriesItsInvitersAuthority: an invitation whose inviter
// has left, or can no longer grant its roles, cannot be accepted.
func TestInvitationCarriesItsInvitersAuthority(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.staffed(t, "acme")
	eve, mallory := h.user(t, "eve@example.com"), h.user(t, "mallory@example.com")
	toEve, err := h.svc.Invite(ctx, h.again(t, a.admin), tenancy.InviteInput{OrganizationID: a.ID, Email: "eve@example.com", Roles: organization.Roles{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	toMallory, err := h.svc.Invite(ctx, h.again(t, a.admin), tenancy.InviteInput{OrganizationID: a.ID, Email: "mallory@example.com", Roles: organization.Roles{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	// Demoted: an admin invitation from a plain member is void.
	if _, err := h.svc.UpdateMemberRole(ctx, h.again(t, a.owner), a.ID, a.adminM.ID, organization.Roles{"member"}); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.Accept(ctx, h.again(t, eve), toEve.ID)
	wantCode(t, "inviter demoted", err, "INVITATION_NOT_FOUND")
	// Removed.
	if _, err := h.svc.RemoveMember(ctx, h.again(t, a.owner), a.ID, string(a.adminM.ID)); err != nil {
		t.Fatal(err)
	}
	_, err = h.svc.Accept(ctx, h.again(t, mallory), toMallory.ID)
	wantCode(t, "inviter removed", err, "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION")
	if h.roles(t, a.ID, eve.User.ID) != "(none)" || h.roles(t, a.ID, mallory.User.ID) != "(none)" {
		t.Fatal("a void invitation made a member")
	}
}

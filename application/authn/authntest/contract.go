package authntest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// Repos is one storage implementation of every authn repository port.
type Repos struct {
	Tx            authn.TxRunner
	Verifications authn.VerificationRepository
	Users         authn.UserRepository
	Accounts      authn.AccountRepository
	Sessions      authn.SessionRepository
	Organizations authn.OrganizationRepository
}

// MemoryRepos returns the in-memory implementation.
func MemoryRepos() Repos {
	s := NewStore()
	return Repos{Tx: s, Users: s.Users(), Accounts: s.Accounts(), Sessions: s.Sessions(), Organizations: s.Organizations(), Verifications: s.Verifications()}
}

// contractTime is a millisecond-precision instant: what the wire carries and
// what every store must keep exactly.
var contractTime = time.Date(2026, 11, 28, 17, 32, 23, 37_000_000, time.UTC)

// RunContract checks that an implementation behaves as the ports document.
// newRepos must return repositories over a fresh, empty, migrated database
// each time it is called.
func RunContract(t *testing.T, newRepos func(t *testing.T) Repos) {
	t.Helper()
	t.Run("users", func(t *testing.T) { userContract(t, newRepos(t)) })
	t.Run("accounts", func(t *testing.T) { accountContract(t, newRepos(t)) })
	t.Run("social accounts", func(t *testing.T) { socialAccountContract(t, newRepos(t)) })
	t.Run("sessions", func(t *testing.T) { sessionContract(t, newRepos(t)) })
	t.Run("organizations", func(t *testing.T) { organizationContract(t, newRepos(t)) })
	t.Run("transactions", func(t *testing.T) { txContract(t, newRepos(t)) })
	t.Run("user updates", func(t *testing.T) { userUpdateContract(t, newRepos(t)) })
	t.Run("user deletion", func(t *testing.T) { userDeleteContract(t, newRepos(t)) })
	t.Run("session lists", func(t *testing.T) { sessionListContract(t, newRepos(t)) })
	t.Run("organization deletion", func(t *testing.T) { organizationDeleteContract(t, newRepos(t)) })
	t.Run("verifications", func(t *testing.T) { verificationContract(t, newRepos(t)) })
}

func verificationContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	v := identity.Verification{ID: identity.NewVerificationID(f.ids.NewUUID()), Identifier: "reset-password:abc' OR '1'='1", Value: "user__x",
		ExpiresAt: contractTime.Add(time.Hour), CreatedAt: contractTime, UpdatedAt: contractTime}
	mustDo(t, "Create", r.Verifications.Create(ctx, v))
	dup := v
	dup.ID = identity.NewVerificationID(f.ids.NewUUID())
	wantErr(t, "Create with a taken identifier", r.Verifications.Create(ctx, dup), failure.ErrConflict)
	got, err := r.Verifications.Find(ctx, v.Identifier)
	mustDo(t, "Find", err)
	if got.ID != v.ID || got.Value != v.Value || got.Identifier != v.Identifier {
		t.Fatalf("Find = %+v, want %+v", got, v)
	}
	sameInstant(t, "ExpiresAt", got.ExpiresAt, v.ExpiresAt)
	if _, err := r.Verifications.Find(ctx, "reset-password:abc"); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("Find of a prefix = %v, want not found", err)
	}
	got, err = r.Verifications.Consume(ctx, v.Identifier)
	mustDo(t, "Consume", err)
	if got.ID != v.ID {
		t.Fatalf("Consume = %+v", got)
	}
	if _, err := r.Verifications.Consume(ctx, v.Identifier); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("second Consume = %v, want not found", err)
	}
	if _, err := r.Verifications.Find(ctx, v.Identifier); !errors.Is(err, failure.ErrNotFound) {
		t.Fatalf("Find after Consume = %v, want not found", err)
	}

	// DeleteFor removes one purpose's rows of one value, nothing else.
	for i, id := range []string{"reset-password:a", "reset-password:b", "reset-password:c", "delete-account:a"} {
		value := "user__z"
		if i == 2 {
			value = "user__other"
		}
		mustDo(t, "Create "+id, r.Verifications.Create(ctx, identity.Verification{ID: identity.NewVerificationID(f.ids.NewUUID()),
			Identifier: id, Value: value, ExpiresAt: contractTime.Add(time.Hour), CreatedAt: contractTime, UpdatedAt: contractTime}))
	}
	mustDo(t, "DeleteFor", r.Verifications.DeleteFor(ctx, "reset-password", "user__z"))
	for id, kept := range map[string]bool{"reset-password:a": false, "reset-password:b": false, "reset-password:c": true, "delete-account:a": true} {
		if _, err := r.Verifications.Find(ctx, id); (err == nil) != kept {
			t.Fatalf("after DeleteFor, Find(%s) = %v; want kept=%v", id, err, kept)
		}
	}

	// Of many concurrent consumers exactly one wins.
	race := identity.Verification{ID: identity.NewVerificationID(f.ids.NewUUID()), Identifier: "reset-password:race", Value: "user__y",
		ExpiresAt: contractTime.Add(time.Hour), CreatedAt: contractTime, UpdatedAt: contractTime}
	mustDo(t, "Create race", r.Verifications.Create(ctx, race))
	const n = 20
	wins := make(chan error, n)
	for range n {
		go func() {
			_, err := r.Verifications.Consume(ctx, race.Identifier)
			wins <- err
		}()
	}
	won := 0
	for range n {
		err := <-wins
		switch {
		case err == nil:
			won++
		case !errors.Is(err, failure.ErrNotFound):
			t.Errorf("Consume race error = %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent Consume calls won, want exactly 1", won)
	}
}

type fixture struct {
	ids IDs
}

func (f *fixture) user(email string) identity.User {
	img := "https://img.example/a.png"
	return identity.NewUser(identity.NewUserID(f.ids.NewUUID()), "Robert'); DROP TABLE \"user\";--", identity.Email(email), &img, contractTime)
}

func (f *fixture) org(owner identity.UserID, slug string) organization.Organization {
	meta := `{"plan":"x"}`
	return organization.Organization{
		ID: organization.NewID(f.ids.NewUUID()), Name: "Acme ' OR '1'='1", Slug: slug, Metadata: &meta,
		Type: organization.TypeTeam, OwnerUserID: owner, SubscriptionTier: organization.TierPro,
		SubscriptionStatus: organization.SubscriptionActive, CreatedAt: contractTime, UpdatedAt: contractTime,
	}
}

func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Fatalf("%s: error = %v, want %v", what, got, want)
	}
}

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func userContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("alice@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))

	got, err := r.Users.ByEmail(ctx, "alice@example.com")
	mustDo(t, "ByEmail", err)
	if got.ID != u.ID || got.Name != u.Name || got.Email != u.Email || got.EmailVerified || got.Image == nil || *got.Image != *u.Image {
		t.Fatalf("ByEmail = %+v, want %+v", got, u)
	}
	sameInstant(t, "CreatedAt", got.CreatedAt, u.CreatedAt)
	sameInstant(t, "UpdatedAt", got.UpdatedAt, u.UpdatedAt)
	if byID, err := r.Users.ByID(ctx, u.ID); err != nil || byID.Email != u.Email {
		t.Fatalf("ByID = %+v, %v", byID, err)
	}

	noImage := f.user("bob@example.com")
	noImage.Image = nil
	mustDo(t, "create user without image", r.Users.Create(ctx, noImage))
	if got, _ := r.Users.ByID(ctx, noImage.ID); got.Image != nil {
		t.Fatalf("Image = %q, want nil", *got.Image)
	}

	dup := f.user("alice@example.com")
	wantErr(t, "duplicate email", r.Users.Create(ctx, dup), identity.ErrUserAlreadyExists)
	_, err = r.Users.ByEmail(ctx, "nobody@example.com")
	wantErr(t, "ByEmail unknown", err, identity.ErrUserNotFound)
	_, err = r.Users.ByID(ctx, "user__missing")
	wantErr(t, "ByID unknown", err, identity.ErrUserNotFound)
	_, err = r.Users.ByEmail(ctx, "' OR '1'='1")
	wantErr(t, "ByEmail injection", err, identity.ErrUserNotFound)
}

func accountContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("carol@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))
	_, err := r.Accounts.Credential(ctx, u.ID)
	wantErr(t, "Credential before create", err, identity.ErrAccountNotFound)

	a := identity.NewCredentialAccount(identity.NewAccountID(f.ids.NewUUID()), u.ID, "salt:key", contractTime)
	mustDo(t, "create account", r.Accounts.Create(ctx, a))
	got, err := r.Accounts.Credential(ctx, u.ID)
	mustDo(t, "Credential", err)
	if got.ID != a.ID || got.PasswordHash != "salt:key" || got.ProviderID != identity.CredentialProvider || got.ProviderAccountID != string(u.ID) {
		t.Fatalf("Credential = %+v, want %+v", got, a)
	}
	sameInstant(t, "CreatedAt", got.CreatedAt, a.CreatedAt)

	mustDo(t, "CredentialForUpdate in a transaction", r.Tx.InTx(ctx, func(ctx context.Context) error {
		locked, err := r.Accounts.CredentialForUpdate(ctx, u.ID)
		if err == nil && (locked.ID != a.ID || locked.PasswordHash != "salt:key") {
			t.Errorf("CredentialForUpdate = %+v, want %+v", locked, a)
		}
		return err
	}))
	again := identity.NewCredentialAccount(identity.NewAccountID(f.ids.NewUUID()), u.ID, "other", contractTime)
	wantErr(t, "duplicate provider account", r.Accounts.Create(ctx, again), failure.ErrConflict)
}

// socialAccountContract checks the accounts of providers: every field
// round-trips (tokens and expiries included, absent ones as "" and the zero
// time), lookups by id and by provider, uniqueness of a provider account
// across users, token updates that touch nothing else, and deletion.
func socialAccountContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	alice, bob := f.user("social-alice@example.com"), f.user("social-bob@example.com")
	for _, u := range []identity.User{alice, bob} {
		mustDo(t, "create user", r.Users.Create(ctx, u))
	}
	cred := identity.NewCredentialAccount(identity.NewAccountID(f.ids.NewUUID()), alice.ID, "salt:key", contractTime)
	mustDo(t, "create credential account", r.Accounts.Create(ctx, cred))

	// Sealed tokens are opaque text: keep every byte, quotes and $ included.
	google := identity.Account{
		ID: identity.NewAccountID(f.ids.NewUUID()), UserID: alice.ID, ProviderID: "google", ProviderAccountID: "sub-1098' or '1'='1",
		Scope: "openid,email,profile", AccessToken: "$ba$2$0a1b2c", RefreshToken: "1//refresh'\"token", IDToken: "eyJhbGciOiJSUzI1NiJ9.e30.sig",
		AccessTokenExpiresAt: contractTime.Add(time.Hour + 999*time.Millisecond), RefreshTokenExpiresAt: contractTime.Add(180 * 24 * time.Hour).In(time.FixedZone("UTC+5", 5*3600)),
		CreatedAt: contractTime.Add(time.Second), UpdatedAt: contractTime.Add(2 * time.Second),
	}
	mustDo(t, "Create social account", r.Accounts.Create(ctx, google))
	got, err := r.Accounts.ByID(ctx, google.ID)
	mustDo(t, "ByID", err)
	sameAccount(t, "ByID", got, google)
	got, err = r.Accounts.ByProvider(ctx, google.ProviderID, google.ProviderAccountID)
	mustDo(t, "ByProvider", err)
	sameAccount(t, "ByProvider", got, google)

	// An account without tokens, expiries or scope reads back empty.
	bare := identity.Account{ID: identity.NewAccountID(f.ids.NewUUID()), UserID: bob.ID, ProviderID: "github", ProviderAccountID: "sub-1098' or '1'='1",
		CreatedAt: contractTime, UpdatedAt: contractTime}
	mustDo(t, "Create account without tokens", r.Accounts.Create(ctx, bare))
	got, err = r.Accounts.ByProvider(ctx, "github", bare.ProviderAccountID)
	mustDo(t, "ByProvider of the same account id at another provider", err)
	sameAccount(t, "ByProvider without tokens", got, bare)
	if _, err := r.Accounts.Credential(ctx, bob.ID); !errors.Is(err, identity.ErrAccountNotFound) {
		t.Fatalf("Credential of a user with only a social account = %v, want identity.ErrAccountNotFound", err)
	}

	for _, c := range []struct{ name, provider, accountID string }{
		{"unknown account id", "google", "someone-else"},
		{"unknown provider", "gitlab", google.ProviderAccountID},
		{"account id in another case", "google", strings.ToUpper(google.ProviderAccountID)},
		{"provider in another case", "Google", google.ProviderAccountID},
		{"empty", "", ""},
	} {
		_, err := r.Accounts.ByProvider(ctx, c.provider, c.accountID)
		wantErr(t, "ByProvider of "+c.name, err, identity.ErrAccountNotFound)
	}
	_, err = r.Accounts.ByID(ctx, "account__missing")
	wantErr(t, "ByID unknown", err, identity.ErrAccountNotFound)

	// One provider account belongs to one user: another user cannot link it,
	// nor can its owner twice; the existing row is left as it was.
	stolen := google
	stolen.ID, stolen.UserID, stolen.AccessToken = identity.NewAccountID(f.ids.NewUUID()), bob.ID, "bob's"
	wantErr(t, "Create of a provider account owned by another user", r.Accounts.Create(ctx, stolen), failure.ErrConflict)
	twice := google
	twice.ID = identity.NewAccountID(f.ids.NewUUID())
	wantErr(t, "Create of a provider account its user already has", r.Accounts.Create(ctx, twice), failure.ErrConflict)
	_, err = r.Accounts.ByID(ctx, stolen.ID)
	wantErr(t, "ByID of the refused account", err, identity.ErrAccountNotFound)
	got, _ = r.Accounts.ByProvider(ctx, google.ProviderID, google.ProviderAccountID)
	sameAccount(t, "ByProvider after the refused Creates", got, google)
	orphan := identity.Account{ID: identity.NewAccountID(f.ids.NewUUID()), UserID: "user__missing", ProviderID: "google", ProviderAccountID: "orphan",
		CreatedAt: contractTime, UpdatedAt: contractTime}
	wantErr(t, "Create for an unknown user", r.Accounts.Create(ctx, orphan), failure.ErrNotFound)

	// ListByUser holds the social accounts with their tokens, oldest first.
	list, err := r.Accounts.ListByUser(ctx, alice.ID)
	mustDo(t, "ListByUser", err)
	if len(list) != 2 {
		t.Fatalf("ListByUser returned %d accounts, want the credential then google: %+v", len(list), list)
	}
	sameAccount(t, "ListByUser[0]", list[0], cred)
	sameAccount(t, "ListByUser[1]", list[1], google)
	mustDo(t, "ListByUserForUpdate in a transaction", r.Tx.InTx(ctx, func(ctx context.Context) error {
		locked, err := r.Accounts.ListByUserForUpdate(ctx, alice.ID)
		if err != nil {
			return err
		}
		if len(locked) != 2 || locked[0].ID != cred.ID || locked[1].ID != google.ID {
			t.Errorf("ListByUserForUpdate = %+v, want the credential then google", locked)
		}
		return nil
	}))

	// UpdateTokens writes the tokens, expiries, scope and updatedAt, and
	// nothing else; clearing a token or an expiry stores its absence.
	refreshed := google
	refreshed.AccessToken, refreshed.RefreshToken, refreshed.IDToken = "new-access", "", "new.id.token"
	refreshed.AccessTokenExpiresAt, refreshed.RefreshTokenExpiresAt = contractTime.Add(2*time.Hour+1*time.Millisecond), time.Time{}
	refreshed.Scope, refreshed.UpdatedAt = "openid,email", contractTime.Add(time.Hour)
	ignored := refreshed
	ignored.UserID, ignored.ProviderID, ignored.ProviderAccountID = bob.ID, "gitlab", "hijack"
	ignored.PasswordHash, ignored.CreatedAt = "not:mine", contractTime.Add(48*time.Hour)
	mustDo(t, "UpdateTokens", r.Accounts.UpdateTokens(ctx, ignored))
	got, err = r.Accounts.ByID(ctx, google.ID)
	mustDo(t, "ByID after UpdateTokens", err)
	sameAccount(t, "after UpdateTokens", got, refreshed)
	got, err = r.Accounts.ByProvider(ctx, "google", google.ProviderAccountID)
	mustDo(t, "ByProvider after UpdateTokens", err)
	sameAccount(t, "ByProvider after UpdateTokens", got, refreshed)
	got, _ = r.Accounts.ByID(ctx, bare.ID)
	sameAccount(t, "another account after UpdateTokens", got, bare)
	got, _ = r.Accounts.Credential(ctx, alice.ID)
	sameAccount(t, "the credential after UpdateTokens", got, cred)

	cleared := refreshed
	cleared.AccessToken, cleared.IDToken, cleared.Scope, cleared.AccessTokenExpiresAt = "", "", "", time.Time{}
	cleared.UpdatedAt = contractTime.Add(3 * time.Hour)
	mustDo(t, "UpdateTokens clearing everything", r.Accounts.UpdateTokens(ctx, cleared))
	got, _ = r.Accounts.ByID(ctx, google.ID)
	sameAccount(t, "after clearing UpdateTokens", got, cleared)
	unknown := google
	unknown.ID = "account__missing"
	wantErr(t, "UpdateTokens unknown", r.Accounts.UpdateTokens(ctx, unknown), identity.ErrAccountNotFound)

	// Delete removes one account; the provider account can then be linked
	// again, by anyone.
	mustDo(t, "Delete", r.Accounts.Delete(ctx, google.ID))
	_, err = r.Accounts.ByID(ctx, google.ID)
	wantErr(t, "ByID after Delete", err, identity.ErrAccountNotFound)
	_, err = r.Accounts.ByProvider(ctx, google.ProviderID, google.ProviderAccountID)
	wantErr(t, "ByProvider after Delete", err, identity.ErrAccountNotFound)
	wantErr(t, "Delete again", r.Accounts.Delete(ctx, google.ID), identity.ErrAccountNotFound)
	wantErr(t, "Delete unknown", r.Accounts.Delete(ctx, "account__missing"), identity.ErrAccountNotFound)
	wantErr(t, "UpdateTokens after Delete", r.Accounts.UpdateTokens(ctx, refreshed), identity.ErrAccountNotFound)
	if list, err := r.Accounts.ListByUser(ctx, alice.ID); err != nil || len(list) != 1 || list[0].ID != cred.ID {
		t.Fatalf("ListByUser after Delete = %+v, %v; want only the credential", list, err)
	}
	if _, err := r.Accounts.ByID(ctx, bare.ID); err != nil {
		t.Fatalf("Delete removed another account: %v", err)
	}
	relinked := stolen
	mustDo(t, "Create of the unlinked provider account by another user", r.Accounts.Create(ctx, relinked))
	got, _ = r.Accounts.ByProvider(ctx, google.ProviderID, google.ProviderAccountID)
	sameAccount(t, "ByProvider after relinking", got, relinked)

	// Deleting the user takes their social accounts along.
	mustDo(t, "delete user", r.Users.Delete(ctx, bob.ID))
	for _, id := range []identity.AccountID{bare.ID, relinked.ID} {
		_, err := r.Accounts.ByID(ctx, id)
		wantErr(t, "ByID of a deleted user's account", err, identity.ErrAccountNotFound)
	}
	_, err = r.Accounts.ByProvider(ctx, relinked.ProviderID, relinked.ProviderAccountID)
	wantErr(t, "ByProvider of a deleted user's account", err, identity.ErrAccountNotFound)
}

// sameAccount fails unless got holds every field of want, instants compared
// as instants and absent expiries as zero.
func sameAccount(t *testing.T, what string, got, want identity.Account) {
	t.Helper()
	type text struct{ ID, User, Provider, AccountID, Password, Scope, Access, Refresh, IDToken string }
	textOf := func(a identity.Account) text {
		return text{string(a.ID), string(a.UserID), a.ProviderID, a.ProviderAccountID, a.PasswordHash, a.Scope, a.AccessToken, a.RefreshToken, a.IDToken}
	}
	if g, w := textOf(got), textOf(want); g != w {
		t.Fatalf("%s = %+v, want %+v", what, g, w)
	}
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{
		{"AccessTokenExpiresAt", got.AccessTokenExpiresAt, want.AccessTokenExpiresAt},
		{"RefreshTokenExpiresAt", got.RefreshTokenExpiresAt, want.RefreshTokenExpiresAt},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
	} {
		if !tm.got.Equal(tm.want) || tm.got.IsZero() != tm.want.IsZero() {
			t.Fatalf("%s: %s = %v, want %v", what, tm.name, tm.got, tm.want)
		}
	}
}

func sessionContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("dave@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))
	o := f.org(u.ID, "dave-team")
	mustDo(t, "create org", r.Organizations.Create(ctx, o))

	active := o.ID
	s := session.Session{
		ID: session.NewID(f.ids.NewUUID()), Token: "AbCdEfGhIjKlMnOpQrStUvWxYz012345", UserID: u.ID,
		ExpiresAt: contractTime.Add(30 * 24 * time.Hour), IPAddress: "203.0.113.7", UserAgent: "Mozilla/5.0 '\"<>",
		ActiveOrganizationID: &active, CreatedAt: contractTime, UpdatedAt: contractTime,
	}
	mustDo(t, "create session", r.Sessions.Create(ctx, s))
	got, err := r.Sessions.ByToken(ctx, s.Token)
	mustDo(t, "ByToken", err)
	if got.ID != s.ID || got.UserID != u.ID || got.IPAddress != s.IPAddress || got.UserAgent != s.UserAgent ||
		got.ActiveOrganizationID == nil || *got.ActiveOrganizationID != o.ID || got.DontRemember {
		t.Fatalf("ByToken = %+v, want %+v", got, s)
	}
	sameInstant(t, "ExpiresAt", got.ExpiresAt, s.ExpiresAt)
	sameInstant(t, "CreatedAt", got.CreatedAt, s.CreatedAt)

	_, err = r.Sessions.ByToken(ctx, "abcdefghijklmnopqrstuvwxyz012345") // case matters
	wantErr(t, "ByToken other case", err, session.ErrSessionNotFound)

	later := contractTime.Add(31 * 24 * time.Hour)
	mustDo(t, "Extend", r.Sessions.Extend(ctx, s.Token, later, contractTime.Add(24*time.Hour)))
	got, _ = r.Sessions.ByToken(ctx, s.Token)
	sameInstant(t, "extended ExpiresAt", got.ExpiresAt, later)
	sameInstant(t, "extended UpdatedAt", got.UpdatedAt, contractTime.Add(24*time.Hour))

	wantErr(t, "duplicate token", r.Sessions.Create(ctx, session.Session{
		ID: session.NewID(f.ids.NewUUID()), Token: s.Token, UserID: u.ID, ExpiresAt: later, CreatedAt: contractTime, UpdatedAt: contractTime,
	}), failure.ErrConflict)

	plain := session.Session{ID: session.NewID(f.ids.NewUUID()), Token: "dontremember0000000000000000000000"[:32], UserID: u.ID,
		ExpiresAt: contractTime.Add(24 * time.Hour), DontRemember: true, CreatedAt: contractTime, UpdatedAt: contractTime}
	mustDo(t, "create dont-remember session", r.Sessions.Create(ctx, plain))
	if got, _ := r.Sessions.ByToken(ctx, plain.Token); got.ActiveOrganizationID != nil || !got.DontRemember || got.IPAddress != "" {
		t.Fatalf("dont-remember session = %+v", got)
	}

	mustDo(t, "Delete", r.Sessions.Delete(ctx, s.Token))
	mustDo(t, "Delete again (idempotent)", r.Sessions.Delete(ctx, s.Token))
	_, err = r.Sessions.ByToken(ctx, s.Token)
	wantErr(t, "ByToken after delete", err, session.ErrSessionNotFound)
	wantErr(t, "Extend after delete", r.Sessions.Extend(ctx, s.Token, later, later), session.ErrSessionNotFound)
}

func organizationContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("erin@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))

	taken, err := r.Organizations.SlugTaken(ctx, "acme")
	mustDo(t, "SlugTaken", err)
	if taken {
		t.Fatal("SlugTaken(acme) = true on an empty store")
	}
	o := f.org(u.ID, "acme")
	mustDo(t, "create org", r.Organizations.Create(ctx, o))
	if taken, _ := r.Organizations.SlugTaken(ctx, "acme"); !taken {
		t.Fatal("SlugTaken(acme) = false after create")
	}
	wantErr(t, "duplicate slug", r.Organizations.Create(ctx, f.org(u.ID, "acme")), organization.ErrSlugTaken)

	personal, owner := organization.NewPersonal(organization.NewID(f.ids.NewUUID()), organization.NewMemberID(f.ids.NewUUID()), u, "erin-000001", contractTime)
	mustDo(t, "create personal org", r.Organizations.Create(ctx, personal))
	mustDo(t, "add owner", r.Organizations.AddMember(ctx, owner))
	admin := organization.Member{ID: organization.NewMemberID(f.ids.NewUUID()), OrganizationID: o.ID, UserID: u.ID,
		Roles: organization.Roles{organization.RoleAdmin, organization.RoleMember}, Status: organization.MemberActive, CreatedAt: contractTime.Add(time.Second)}
	mustDo(t, "add admin", r.Organizations.AddMember(ctx, admin))
	dup := admin
	dup.ID = organization.NewMemberID(f.ids.NewUUID())
	wantErr(t, "duplicate membership", r.Organizations.AddMember(ctx, dup), failure.ErrConflict)

	ms, err := r.Organizations.MembershipsOf(ctx, u.ID)
	mustDo(t, "MembershipsOf", err)
	if len(ms) != 2 {
		t.Fatalf("MembershipsOf returned %d memberships, want 2: %+v", len(ms), ms)
	}
	for _, m := range ms {
		switch m.Organization.ID {
		case personal.ID:
			if !m.Organization.IsPersonal || m.Organization.Type != organization.TypeIndividual || m.Member.Roles.String() != "owner" ||
				m.Organization.Name != personal.Name || m.Organization.OwnerUserID != u.ID || m.Organization.SubscriptionTier != organization.TierFree {
				t.Fatalf("personal membership = %+v", m)
			}
		case o.ID:
			if m.Member.Roles.String() != "admin,member" || m.Member.ID != admin.ID || m.Member.Status != organization.MemberActive ||
				m.Organization.Name != o.Name || m.Organization.Metadata == nil || *m.Organization.Metadata != *o.Metadata ||
				m.Organization.SubscriptionTier != organization.TierPro || m.Organization.Slug != "acme" {
				t.Fatalf("team membership = %+v", m)
			}
			sameInstant(t, "member CreatedAt", m.Member.CreatedAt, admin.CreatedAt)
		default:
			t.Fatalf("unexpected membership %+v", m)
		}
	}
	none, err := r.Organizations.MembershipsOf(ctx, "user__nobody")
	if err != nil || len(none) != 0 {
		t.Fatalf("MembershipsOf(unknown) = %v, %v; want empty", none, err)
	}
}

func txContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	boom := errors.New("boom")

	rolledBack := f.user("rollback@example.com")
	err := r.Tx.InTx(ctx, func(ctx context.Context) error {
		mustDo(t, "create in tx", r.Users.Create(ctx, rolledBack))
		if _, err := r.Users.ByEmail(ctx, rolledBack.Email); err != nil {
			t.Errorf("a transaction does not see its own write: %v", err)
		}
		mustDo(t, "org in tx", r.Organizations.Create(ctx, f.org(rolledBack.ID, "rolled-back")))
		return boom
	})
	wantErr(t, "InTx returns fn's error", err, boom)
	_, err = r.Users.ByEmail(ctx, rolledBack.Email)
	wantErr(t, "user after rollback", err, identity.ErrUserNotFound)
	if taken, _ := r.Organizations.SlugTaken(ctx, "rolled-back"); taken {
		t.Fatal("organization survived a rollback")
	}

	committed := f.user("commit@example.com")
	mustDo(t, "InTx commit", r.Tx.InTx(ctx, func(ctx context.Context) error {
		return r.Users.Create(ctx, committed)
	}))
	if _, err := r.Users.ByEmail(ctx, committed.Email); err != nil {
		t.Fatalf("user after commit: %v", err)
	}

	// A failed statement inside a transaction surfaces and rolls back the rest.
	err = r.Tx.InTx(ctx, func(ctx context.Context) error {
		mustDo(t, "first insert", r.Users.Create(ctx, f.user("first@example.com")))
		return r.Users.Create(ctx, f.user("commit@example.com"))
	})
	wantErr(t, "conflict inside tx", err, identity.ErrUserAlreadyExists)
	_, err = r.Users.ByEmail(ctx, "first@example.com")
	wantErr(t, "first insert after failed tx", err, identity.ErrUserNotFound)
}

func (f *fixture) session(userID identity.UserID, token string, created time.Time) session.Session {
	return session.Session{ID: session.NewID(f.ids.NewUUID()), Token: token, UserID: userID,
		ExpiresAt: created.Add(time.Hour), CreatedAt: created, UpdatedAt: created}
}

func userUpdateContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("frank@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))
	other := f.user("grace@example.com")
	mustDo(t, "create other", r.Users.Create(ctx, other))

	u.Name = "Frank ' \" <b>"
	u.Image = nil
	u.EmailVerified = true
	u.UpdatedAt = contractTime.Add(time.Hour)
	mustDo(t, "Update", r.Users.Update(ctx, u))
	got, err := r.Users.ByID(ctx, u.ID)
	mustDo(t, "ByID", err)
	if got.Name != u.Name || got.Image != nil || !got.EmailVerified {
		t.Fatalf("after Update = %+v, want %+v", got, u)
	}
	sameInstant(t, "UpdatedAt", got.UpdatedAt, u.UpdatedAt)
	sameInstant(t, "CreatedAt kept", got.CreatedAt, contractTime)

	u.Email = other.Email
	wantErr(t, "Update to a taken email", r.Users.Update(ctx, u), identity.ErrUserAlreadyExists)
	missing := f.user("nobody@example.com")
	wantErr(t, "Update unknown", r.Users.Update(ctx, missing), identity.ErrUserNotFound)
}

func userDeleteContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("henry@example.com")
	keep := f.user("ivy@example.com")
	for _, x := range []identity.User{u, keep} {
		mustDo(t, "create user", r.Users.Create(ctx, x))
		mustDo(t, "create account", r.Accounts.Create(ctx, identity.NewCredentialAccount(identity.NewAccountID(f.ids.NewUUID()), x.ID, "h", contractTime)))
	}
	o := f.org(keep.ID, "shared-org")
	mustDo(t, "create org", r.Organizations.Create(ctx, o))
	for _, x := range []identity.User{u, keep} {
		mustDo(t, "add member", r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(f.ids.NewUUID()),
			OrganizationID: o.ID, UserID: x.ID, Roles: organization.Roles{organization.RoleOwner}, Status: organization.MemberActive, CreatedAt: contractTime}))
	}
	mustDo(t, "create session", r.Sessions.Create(ctx, f.session(u.ID, "henrytoken0000000000000000000000", contractTime)))
	mustDo(t, "create kept session", r.Sessions.Create(ctx, f.session(keep.ID, "ivytoken000000000000000000000000", contractTime)))

	mustDo(t, "Delete", r.Users.Delete(ctx, u.ID))
	mustDo(t, "Delete again (idempotent)", r.Users.Delete(ctx, u.ID))
	_, err := r.Users.ByID(ctx, u.ID)
	wantErr(t, "ByID after delete", err, identity.ErrUserNotFound)
	_, err = r.Accounts.Credential(ctx, u.ID)
	wantErr(t, "account after delete", err, identity.ErrAccountNotFound)
	_, err = r.Sessions.ByToken(ctx, "henrytoken0000000000000000000000")
	wantErr(t, "session after delete", err, session.ErrSessionNotFound)
	if ms, _ := r.Organizations.MembershipsOf(ctx, u.ID); len(ms) != 0 {
		t.Fatalf("memberships survive the user: %+v", ms)
	}
	if n, err := r.Organizations.OwnerCount(ctx, o.ID); err != nil || n != 1 {
		t.Fatalf("OwnerCount after deleting one owner = %d, %v; want 1", n, err)
	}
	henry2 := f.user("henry2@example.com")
	mustDo(t, "create creator", r.Users.Create(ctx, henry2))
	team := f.org(henry2.ID, "team-of-henry2")
	mustDo(t, "create team", r.Organizations.Create(ctx, team))
	mustDo(t, "delete creator", r.Users.Delete(ctx, henry2.ID))
	if taken, _ := r.Organizations.SlugTaken(ctx, "team-of-henry2"); !taken {
		t.Fatal("deleting a user deleted the organization they created")
	}
	if _, err := r.Sessions.ByToken(ctx, "ivytoken000000000000000000000000"); err != nil {
		t.Fatalf("another user's session was deleted: %v", err)
	}
	if _, err := r.Accounts.Credential(ctx, keep.ID); err != nil {
		t.Fatalf("another user's account was deleted: %v", err)
	}
}

func sessionListContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("jack@example.com")
	other := f.user("kim@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))
	mustDo(t, "create other", r.Users.Create(ctx, other))
	tokens := []string{"jack1000000000000000000000000000", "jack2000000000000000000000000000", "jack3000000000000000000000000000"}
	for i, tok := range tokens {
		mustDo(t, "create session", r.Sessions.Create(ctx, f.session(u.ID, tok, contractTime.Add(time.Duration(i)*time.Minute))))
	}
	mustDo(t, "create other session", r.Sessions.Create(ctx, f.session(other.ID, "kim00000000000000000000000000000", contractTime)))

	list, err := r.Sessions.ListByUser(ctx, u.ID)
	mustDo(t, "ListByUser", err)
	if len(list) != 3 || list[0].Token != tokens[2] || list[2].Token != tokens[0] {
		t.Fatalf("ListByUser = %v, want the 3 sessions newest first", tokensOf(list))
	}

	gone, err := r.Sessions.DeleteByUser(ctx, u.ID, tokens[1])
	mustDo(t, "DeleteByUser keeping one", err)
	if len(gone) != 2 || !containsAll(gone, tokens[0], tokens[2]) {
		t.Fatalf("DeleteByUser returned %v, want %v and %v", gone, tokens[0], tokens[2])
	}
	list, _ = r.Sessions.ListByUser(ctx, u.ID)
	if len(list) != 1 || list[0].Token != tokens[1] {
		t.Fatalf("after DeleteByUser = %v, want only %s", tokensOf(list), tokens[1])
	}
	gone, err = r.Sessions.DeleteByUser(ctx, u.ID, "")
	mustDo(t, "DeleteByUser all", err)
	if len(gone) != 1 || gone[0] != tokens[1] {
		t.Fatalf("DeleteByUser all returned %v", gone)
	}
	if _, err := r.Sessions.ByToken(ctx, "kim00000000000000000000000000000"); err != nil {
		t.Fatalf("another user's session was deleted: %v", err)
	}
	if list, err := r.Sessions.ListByUser(ctx, "user__nobody"); err != nil || len(list) != 0 {
		t.Fatalf("ListByUser(unknown) = %v, %v", list, err)
	}

	a1 := identity.NewCredentialAccount(identity.NewAccountID(f.ids.NewUUID()), u.ID, "old", contractTime)
	mustDo(t, "create account", r.Accounts.Create(ctx, a1))
	oauth := identity.Account{ID: identity.NewAccountID(f.ids.NewUUID()), UserID: u.ID, ProviderID: "github", ProviderAccountID: "12345",
		Scope: "read:user,user:email", CreatedAt: contractTime.Add(time.Minute), UpdatedAt: contractTime.Add(time.Minute)}
	mustDo(t, "create oauth account", r.Accounts.Create(ctx, oauth))
	accts, err := r.Accounts.ListByUser(ctx, u.ID)
	mustDo(t, "Accounts.ListByUser", err)
	if len(accts) != 2 || accts[0].ID != a1.ID || accts[1].ProviderID != "github" || accts[1].Scope != oauth.Scope {
		t.Fatalf("Accounts.ListByUser = %+v", accts)
	}
	mustDo(t, "UpdatePassword", r.Accounts.UpdatePassword(ctx, a1.ID, "new", contractTime.Add(time.Hour)))
	got, _ := r.Accounts.Credential(ctx, u.ID)
	if got.PasswordHash != "new" {
		t.Fatalf("PasswordHash = %q after UpdatePassword", got.PasswordHash)
	}
	sameInstant(t, "account UpdatedAt", got.UpdatedAt, contractTime.Add(time.Hour))
	wantErr(t, "UpdatePassword unknown", r.Accounts.UpdatePassword(ctx, "account__missing", "x", contractTime), identity.ErrAccountNotFound)
}

func organizationDeleteContract(t *testing.T, r Repos) {
	ctx := context.Background()
	var f fixture
	u := f.user("lena@example.com")
	mustDo(t, "create user", r.Users.Create(ctx, u))
	o := f.org(u.ID, "doomed")
	mustDo(t, "create org", r.Organizations.Create(ctx, o))
	mustDo(t, "add owner", r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(f.ids.NewUUID()),
		OrganizationID: o.ID, UserID: u.ID, Roles: organization.Roles{organization.RoleAdmin, organization.RoleOwner}, Status: organization.MemberActive, CreatedAt: contractTime}))
	if n, err := r.Organizations.OwnerCount(ctx, o.ID); err != nil || n != 1 {
		t.Fatalf("OwnerCount = %d, %v; want 1 (a multi-role member counts)", n, err)
	}
	suspended := f.user("suspended-owner@example.com")
	mustDo(t, "create suspended owner", r.Users.Create(ctx, suspended))
	mustDo(t, "add suspended owner", r.Organizations.AddMember(ctx, organization.Member{ID: organization.NewMemberID(f.ids.NewUUID()),
		OrganizationID: o.ID, UserID: suspended.ID, Roles: organization.Roles{organization.RoleOwner}, Status: organization.MemberSuspended, CreatedAt: contractTime}))
	if n, _ := r.Organizations.OwnerCount(ctx, o.ID); n != 1 {
		t.Fatalf("OwnerCount = %d with a suspended owner; want 1 (only active owners count)", n)
	}
	active := o.ID
	s := f.session(u.ID, "lenatoken0000000000000000000000x", contractTime)
	s.ActiveOrganizationID = &active
	mustDo(t, "create session", r.Sessions.Create(ctx, s))

	mustDo(t, "Delete", r.Organizations.Delete(ctx, o.ID))
	mustDo(t, "Delete again (idempotent)", r.Organizations.Delete(ctx, o.ID))
	if taken, _ := r.Organizations.SlugTaken(ctx, "doomed"); taken {
		t.Fatal("slug still taken after Delete")
	}
	if ms, _ := r.Organizations.MembershipsOf(ctx, u.ID); len(ms) != 0 {
		t.Fatalf("memberships survive their organization: %+v", ms)
	}
	got, err := r.Sessions.ByToken(ctx, s.Token)
	mustDo(t, "session after org delete", err)
	if got.ActiveOrganizationID != nil {
		t.Fatalf("session still points at the deleted organization %v", *got.ActiveOrganizationID)
	}
	if _, err := r.Users.ByID(ctx, u.ID); err != nil {
		t.Fatalf("deleting an organization deleted its owner: %v", err)
	}
}

func tokensOf(list []session.Session) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Token
	}
	return out
}

func containsAll(got []string, want ...string) bool {
	set := map[string]bool{}
	for _, g := range got {
		set[g] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

package authntest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/failure"
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/domain/organization"
	"github.com/beep/iam/domain/session"
)

// Store is an in-memory database behind every authn repository port (and
// the tenancy ones, see tenancy.go). InTx
// holds the store's lock for the whole function and restores a snapshot if
// it fails, so transactions are serialisable and really roll back.
type Store struct {
	mu       sync.Mutex
	users    map[identity.UserID]identity.User
	accounts map[identity.AccountID]identity.Account
	sessions map[string]session.Session
	orgs     map[organization.ID]organization.Organization
	members  map[organization.MemberID]organization.Member
	invites  map[organization.InvitationID]organization.Invitation
	verifs   map[string]identity.Verification // by identifier
	outbox   []mail.Message
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		users:    map[identity.UserID]identity.User{},
		accounts: map[identity.AccountID]identity.Account{},
		sessions: map[string]session.Session{},
		orgs:     map[organization.ID]organization.Organization{},
		members:  map[organization.MemberID]organization.Member{},
		invites:  map[organization.InvitationID]organization.Invitation{},
		verifs:   map[string]identity.Verification{},
	}
}

var (
	_ authn.TxRunner               = (*Store)(nil)
	_ authn.UserRepository         = Users{}
	_ authn.AccountRepository      = Accounts{}
	_ authn.SessionRepository      = Sessions{}
	_ authn.OrganizationRepository = Organizations{}
	_ authn.VerificationRepository = Verifications{}
	_ authn.Outbox                 = Outbox{}
)

type txKey struct{}

// InTx runs fn atomically.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if ctx.Value(txKey{}) == s {
		return fn(ctx) // already inside: join
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snapshot := s.clone()
	if err := fn(context.WithValue(ctx, txKey{}, s)); err != nil {
		s.users, s.accounts, s.sessions, s.orgs, s.members = snapshot.users, snapshot.accounts, snapshot.sessions, snapshot.orgs, snapshot.members
		s.invites, s.verifs, s.outbox = snapshot.invites, snapshot.verifs, snapshot.outbox
		return err
	}
	return nil
}

func (s *Store) clone() *Store {
	return &Store{
		users: maps.Clone(s.users), accounts: maps.Clone(s.accounts), sessions: maps.Clone(s.sessions),
		orgs: maps.Clone(s.orgs), members: maps.Clone(s.members), invites: maps.Clone(s.invites), verifs: maps.Clone(s.verifs),
		outbox: slices.Clone(s.outbox),
	}
}

// lock takes the store lock unless ctx is inside this store's transaction,
// which already holds it. The returned function releases what was taken.
func (s *Store) lock(ctx context.Context) func() {
	if ctx.Value(txKey{}) == s {
		return func() {}
	}
	s.mu.Lock()
	return s.mu.Unlock
}

// Users returns the store's user repository.
func (s *Store) Users() Users { return Users{s} }

// Accounts returns the store's account repository.
func (s *Store) Accounts() Accounts { return Accounts{s} }

// Sessions returns the store's session repository.
func (s *Store) Sessions() Sessions { return Sessions{s} }

// Organizations returns the store's organization repository.
func (s *Store) Organizations() Organizations { return Organizations{s} }

// Users is the in-memory authn.UserRepository.
type Users struct{ s *Store }

// Create implements authn.UserRepository.
func (r Users) Create(ctx context.Context, u identity.User) error {
	defer r.s.lock(ctx)()
	for _, x := range r.s.users {
		if x.Email == u.Email {
			return identity.ErrUserAlreadyExists
		}
	}
	if _, ok := r.s.users[u.ID]; ok {
		return failure.New(failure.Conflict, "", "duplicate user id")
	}
	r.s.users[u.ID] = u
	return nil
}

// ByEmail implements authn.UserRepository.
func (r Users) ByEmail(ctx context.Context, email identity.Email) (identity.User, error) {
	defer r.s.lock(ctx)()
	for _, u := range r.s.users {
		if u.Email == email {
			return u, nil
		}
	}
	return identity.User{}, identity.ErrUserNotFound
}

// ByID implements authn.UserRepository.
func (r Users) ByID(ctx context.Context, userID identity.UserID) (identity.User, error) {
	defer r.s.lock(ctx)()
	if u, ok := r.s.users[userID]; ok {
		return u, nil
	}
	return identity.User{}, identity.ErrUserNotFound
}

// Update implements authn.UserRepository.
func (r Users) Update(ctx context.Context, u identity.User) error {
	defer r.s.lock(ctx)()
	old, ok := r.s.users[u.ID]
	if !ok {
		return identity.ErrUserNotFound
	}
	for _, x := range r.s.users {
		if x.ID != u.ID && x.Email == u.Email {
			return identity.ErrUserAlreadyExists
		}
	}
	u.CreatedAt = old.CreatedAt
	r.s.users[u.ID] = u
	return nil
}

// Delete implements authn.UserRepository, cascading as the schema does.
func (r Users) Delete(ctx context.Context, userID identity.UserID) error {
	defer r.s.lock(ctx)()
	delete(r.s.users, userID)
	for id, a := range r.s.accounts {
		if a.UserID == userID {
			delete(r.s.accounts, id)
		}
	}
	for tok, sess := range r.s.sessions {
		if sess.UserID == userID {
			delete(r.s.sessions, tok)
		}
	}
	for id, m := range r.s.members {
		if m.UserID == userID {
			delete(r.s.members, id)
		}
	}
	for id, inv := range r.s.invites {
		if inv.InviterID == userID {
			delete(r.s.invites, id)
		}
	}
	for id, o := range r.s.orgs {
		if o.OwnerUserID == userID {
			o.OwnerUserID = ""
			r.s.orgs[id] = o
		}
	}
	return nil
}

// Accounts is the in-memory authn.AccountRepository.
type Accounts struct{ s *Store }

// Create implements authn.AccountRepository, checking what the schema's
// keys do: the (provider, provider account id) pair and the id are unique,
// and the user must exist.
func (r Accounts) Create(ctx context.Context, a identity.Account) error {
	defer r.s.lock(ctx)()
	for _, x := range r.s.accounts {
		if x.ProviderID == a.ProviderID && x.ProviderAccountID == a.ProviderAccountID {
			return failure.New(failure.Conflict, "", "account already linked")
		}
	}
	if _, ok := r.s.accounts[a.ID]; ok {
		return failure.New(failure.Conflict, "", "duplicate account id")
	}
	if _, ok := r.s.users[a.UserID]; !ok {
		return identity.ErrUserNotFound
	}
	r.s.accounts[a.ID] = a
	return nil
}

// Credential implements authn.AccountRepository.
func (r Accounts) Credential(ctx context.Context, userID identity.UserID) (identity.Account, error) {
	defer r.s.lock(ctx)()
	for _, a := range r.s.accounts {
		if a.UserID == userID && a.ProviderID == identity.CredentialProvider {
			return a, nil
		}
	}
	return identity.Account{}, identity.ErrAccountNotFound
}

// CredentialForUpdate implements authn.AccountRepository; the store's
// transactions are serial, so there is nothing more to lock.
func (r Accounts) CredentialForUpdate(ctx context.Context, userID identity.UserID) (identity.Account, error) {
	return r.Credential(ctx, userID)
}

// ByID implements authn.AccountRepository.
func (r Accounts) ByID(ctx context.Context, accountID identity.AccountID) (identity.Account, error) {
	defer r.s.lock(ctx)()
	if a, ok := r.s.accounts[accountID]; ok {
		return a, nil
	}
	return identity.Account{}, identity.ErrAccountNotFound
}

// ByProvider implements authn.AccountRepository.
func (r Accounts) ByProvider(ctx context.Context, providerID, providerAccountID string) (identity.Account, error) {
	defer r.s.lock(ctx)()
	for _, a := range r.s.accounts {
		if a.ProviderID == providerID && a.ProviderAccountID == providerAccountID {
			return a, nil
		}
	}
	return identity.Account{}, identity.ErrAccountNotFound
}

// ListByUser implements authn.AccountRepository, oldest first and in id
// order within one instant, as the SQL stores sort.
func (r Accounts) ListByUser(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	defer r.s.lock(ctx)()
	var out []identity.Account
	for _, a := range r.s.accounts {
		if a.UserID == userID {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b identity.Account) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out, nil
}

// ListByUserForUpdate implements authn.AccountRepository; the store's
// transactions are serial, so there is nothing more to lock.
func (r Accounts) ListByUserForUpdate(ctx context.Context, userID identity.UserID) ([]identity.Account, error) {
	return r.ListByUser(ctx, userID)
}

// UpdatePassword implements authn.AccountRepository.
func (r Accounts) UpdatePassword(ctx context.Context, accountID identity.AccountID, hash string, updatedAt time.Time) error {
	defer r.s.lock(ctx)()
	a, ok := r.s.accounts[accountID]
	if !ok {
		return identity.ErrAccountNotFound
	}
	a.PasswordHash, a.UpdatedAt = hash, updatedAt
	r.s.accounts[accountID] = a
	return nil
}

// UpdateTokens implements authn.AccountRepository: only the tokens, their
// expiries, the scope and updatedAt change.
func (r Accounts) UpdateTokens(ctx context.Context, a identity.Account) error {
	defer r.s.lock(ctx)()
	old, ok := r.s.accounts[a.ID]
	if !ok {
		return identity.ErrAccountNotFound
	}
	old.AccessToken, old.RefreshToken, old.IDToken = a.AccessToken, a.RefreshToken, a.IDToken
	old.AccessTokenExpiresAt, old.RefreshTokenExpiresAt = a.AccessTokenExpiresAt, a.RefreshTokenExpiresAt
	old.Scope, old.UpdatedAt = a.Scope, a.UpdatedAt
	r.s.accounts[a.ID] = old
	return nil
}

// Delete implements authn.AccountRepository.
func (r Accounts) Delete(ctx context.Context, accountID identity.AccountID) error {
	defer r.s.lock(ctx)()
	if _, ok := r.s.accounts[accountID]; !ok {
		return identity.ErrAccountNotFound
	}
	delete(r.s.accounts, accountID)
	return nil
}

// Sessions is the in-memory authn.SessionRepository.
type Sessions struct{ s *Store }

// Create implements authn.SessionRepository.
func (r Sessions) Create(ctx context.Context, sess session.Session) error {
	defer r.s.lock(ctx)()
	if _, ok := r.s.sessions[sess.Token]; ok {
		return failure.New(failure.Conflict, "", "duplicate session token")
	}
	r.s.sessions[sess.Token] = sess
	return nil
}

// ByToken implements authn.SessionRepository.
func (r Sessions) ByToken(ctx context.Context, token string) (session.Session, error) {
	defer r.s.lock(ctx)()
	if sess, ok := r.s.sessions[token]; ok {
		return sess, nil
	}
	return session.Session{}, session.ErrSessionNotFound
}

// Extend implements authn.SessionRepository.
func (r Sessions) Extend(ctx context.Context, token string, expiresAt, updatedAt time.Time) error {
	defer r.s.lock(ctx)()
	sess, ok := r.s.sessions[token]
	if !ok {
		return session.ErrSessionNotFound
	}
	sess.ExpiresAt, sess.UpdatedAt = expiresAt, updatedAt
	r.s.sessions[token] = sess
	return nil
}

// Delete implements authn.SessionRepository.
func (r Sessions) Delete(ctx context.Context, token string) error {
	defer r.s.lock(ctx)()
	delete(r.s.sessions, token)
	return nil
}

// ListByUser implements authn.SessionRepository.
func (r Sessions) ListByUser(ctx context.Context, userID identity.UserID) ([]session.Session, error) {
	defer r.s.lock(ctx)()
	var out []session.Session
	for _, sess := range r.s.sessions {
		if sess.UserID == userID {
			out = append(out, sess)
		}
	}
	slices.SortFunc(out, func(a, b session.Session) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// DeleteByUser implements authn.SessionRepository.
func (r Sessions) DeleteByUser(ctx context.Context, userID identity.UserID, keep string) ([]string, error) {
	defer r.s.lock(ctx)()
	var gone []string
	for tok, sess := range r.s.sessions {
		if sess.UserID == userID && tok != keep {
			delete(r.s.sessions, tok)
			gone = append(gone, tok)
		}
	}
	return gone, nil
}

// Organizations is the in-memory authn.OrganizationRepository.
type Organizations struct{ s *Store }

// Create implements authn.OrganizationRepository.
func (r Organizations) Create(ctx context.Context, o organization.Organization) error {
	defer r.s.lock(ctx)()
	for _, x := range r.s.orgs {
		if x.Slug == o.Slug {
			return organization.ErrSlugTaken
		}
	}
	r.s.orgs[o.ID] = o
	return nil
}

// SlugTaken implements authn.OrganizationRepository.
func (r Organizations) SlugTaken(ctx context.Context, slug string) (bool, error) {
	defer r.s.lock(ctx)()
	for _, x := range r.s.orgs {
		if x.Slug == slug {
			return true, nil
		}
	}
	return false, nil
}

// AddMember implements authn.OrganizationRepository.
func (r Organizations) AddMember(ctx context.Context, m organization.Member) error {
	defer r.s.lock(ctx)()
	if _, ok := r.s.orgs[m.OrganizationID]; !ok {
		return organization.ErrOrganizationNotFound
	}
	for _, x := range r.s.members {
		if x.OrganizationID == m.OrganizationID && x.UserID == m.UserID {
			return organization.ErrAlreadyMember
		}
	}
	r.s.members[m.ID] = m
	return nil
}

// MembershipsOf implements authn.OrganizationRepository, oldest first as
// tenancy.OrganizationRepository requires.
func (r Organizations) MembershipsOf(ctx context.Context, userID identity.UserID) ([]organization.Membership, error) {
	defer r.s.lock(ctx)()
	var out []organization.Membership
	for _, m := range r.s.members {
		if m.UserID == userID {
			out = append(out, organization.Membership{Organization: r.s.orgs[m.OrganizationID], Member: m})
		}
	}
	slices.SortFunc(out, func(a, b organization.Membership) int { return compareMembers(a.Member, b.Member) })
	return out, nil
}

// OwnerCount implements authn.OrganizationRepository.
func (r Organizations) OwnerCount(ctx context.Context, orgID organization.ID) (int, error) {
	defer r.s.lock(ctx)()
	n := 0
	for _, m := range r.s.members {
		if m.OrganizationID == orgID && m.Status == organization.MemberActive && m.Roles.Has(organization.RoleOwner) {
			n++
		}
	}
	return n, nil
}

// Delete implements authn.OrganizationRepository.
func (r Organizations) Delete(ctx context.Context, orgID organization.ID) error {
	defer r.s.lock(ctx)()
	delete(r.s.orgs, orgID)
	for id, m := range r.s.members {
		if m.OrganizationID == orgID {
			delete(r.s.members, id)
		}
	}
	for id, inv := range r.s.invites {
		if inv.OrganizationID == orgID {
			delete(r.s.invites, id)
		}
	}
	for tok, sess := range r.s.sessions {
		if sess.ActiveOrganizationID != nil && *sess.ActiveOrganizationID == orgID {
			sess.ActiveOrganizationID = nil
			r.s.sessions[tok] = sess
		}
	}
	return nil
}

// Verifications returns the store's verification repository.
func (s *Store) Verifications() Verifications { return Verifications{s} }

// Verifications is the in-memory authn.VerificationRepository.
type Verifications struct{ s *Store }

// Create implements authn.VerificationRepository.
func (r Verifications) Create(ctx context.Context, v identity.Verification) error {
	defer r.s.lock(ctx)()
	if _, ok := r.s.verifs[v.Identifier]; ok {
		return failure.New(failure.Conflict, "", "duplicate verification identifier")
	}
	r.s.verifs[v.Identifier] = v
	return nil
}

// Find implements authn.VerificationRepository.
func (r Verifications) Find(ctx context.Context, identifier string) (identity.Verification, error) {
	defer r.s.lock(ctx)()
	if v, ok := r.s.verifs[identifier]; ok {
		return v, nil
	}
	return identity.Verification{}, authn.ErrVerificationNotFound
}

// DeleteFor implements authn.VerificationRepository.
func (r Verifications) DeleteFor(ctx context.Context, purpose, value string) error {
	defer r.s.lock(ctx)()
	for identifier, v := range r.s.verifs {
		if strings.HasPrefix(identifier, purpose+":") && v.Value == value {
			delete(r.s.verifs, identifier)
		}
	}
	return nil
}

// Consume implements authn.VerificationRepository.
func (r Verifications) Consume(ctx context.Context, identifier string) (identity.Verification, error) {
	defer r.s.lock(ctx)()
	v, ok := r.s.verifs[identifier]
	if !ok {
		return identity.Verification{}, authn.ErrVerificationNotFound
	}
	delete(r.s.verifs, identifier)
	return v, nil
}

// Outbox returns the store's outbox: queued mail lives in the store, so it
// rolls back with the transaction that queued it.
func (s *Store) Outbox() Outbox { return Outbox{s} }

// Outbox is the in-memory authn.Outbox.
type Outbox struct{ s *Store }

// Enqueue implements authn.Outbox.
func (o Outbox) Enqueue(ctx context.Context, msg mail.Message) error {
	defer o.s.lock(ctx)()
	o.s.outbox = append(o.s.outbox, msg)
	return nil
}

// Wake implements authn.Outbox; there is no dispatcher to wake.
func (Outbox) Wake() {}

// Mail returns the queued messages.
func (s *Store) Mail() []mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.outbox)
}

// LastMail returns the newest queued email of kind to whom.
func (s *Store) LastMail(kind mail.Kind, to identity.Email) (mail.Message, bool) {
	all := s.Mail()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Kind == kind && all[i].To == to {
			return all[i], true
		}
	}
	return mail.Message{}, false
}

// MailCount counts the queued emails of kind.
func (s *Store) MailCount(kind mail.Kind) int {
	n := 0
	for _, m := range s.Mail() {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

// Counts reports how many rows each table holds, for atomicity tests.
func (s *Store) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]int{
		"users": len(s.users), "accounts": len(s.accounts), "sessions": len(s.sessions),
		"organizations": len(s.orgs), "members": len(s.members), "invitations": len(s.invites),
		"verifications": len(s.verifs), "outbox": len(s.outbox),
	}
}

package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/beep/iam/application/authn"
)

// New builds the provider of kind under id from cfg. A built-in kind's id
// is its name ("google"); an OIDC provider takes any id of lower-case
// letters, digits, _ and -. It makes no request (see OIDCProvider for
// discovery).
func New(id string, kind Kind, cfg Config, opts ...Option) (authn.OAuthProvider, error) {
	if kind != OIDC && id != string(kind) {
		return nil, fmt.Errorf("oauth provider %q: a %s provider has the id %q", id, kind, kind)
	}
	var (
		p   authn.OAuthProvider
		err error
	)
	switch kind {
	case Google:
		p, err = asProvider(NewGoogle(cfg, opts...))
	case Microsoft:
		p, err = asProvider(NewMicrosoft(cfg, opts...))
	case GitHub:
		p, err = asProvider(NewGitHub(cfg, opts...))
	case Discord:
		p, err = asProvider(NewDiscord(cfg, opts...))
	case LinkedIn:
		p, err = asProvider(NewLinkedIn(cfg, opts...))
	case Twitter:
		p, err = asProvider(NewTwitter(cfg, opts...))
	case OIDC:
		p, err = asProvider(NewOIDC(id, cfg, opts...))
	default:
		err = fmt.Errorf("oauth provider %q: unknown kind %q", id, kind)
	}
	return p, err
}

// asProvider keeps a failed constructor's nil pointer out of the
// interface.
func asProvider[P authn.OAuthProvider](p P, err error) (authn.OAuthProvider, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Registry is the configured providers by id; it is the
// authn.OAuthProviders of the use cases.
type Registry map[string]authn.OAuthProvider

var _ authn.OAuthProviders = Registry(nil)

// Provider returns the provider with id.
func (r Registry) Provider(id string) (authn.OAuthProvider, bool) {
	p, ok := r[id]
	return p, ok
}

// NewRegistry indexes providers by id; two with one id are an error.
func NewRegistry(providers ...authn.OAuthProvider) (Registry, error) {
	r := make(Registry, len(providers))
	for _, p := range providers {
		if _, dup := r[p.ID()]; dup {
			return nil, fmt.Errorf("oauth: two providers with the id %q", p.ID())
		}
		r[p.ID()] = p
	}
	return r, nil
}

// Spec is one provider to build: its id (a built-in name, or any other id
// for a generic OpenID Connect issuer) and settings.
type Spec struct {
	ID     string
	Config Config
}

// Build builds the registry of specs, each of kind KindOf(ID), and
// reports every bad spec at once. It makes no request.
func Build(specs []Spec, opts ...Option) (Registry, error) {
	var (
		providers []authn.OAuthProvider
		errs      []error
	)
	for _, s := range specs {
		p, err := New(s.ID, KindOf(s.ID), s.Config, opts...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		providers = append(providers, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewRegistry(providers...)
}

// Discover fetches the discovery documents of the registry's generic
// OpenID Connect providers that have not been fetched yet, reporting
// every failure. A failure is not fatal (they retry on use); the runtime
// calls this at start-up to warm them and to log an issuer that is down.
func (r Registry) Discover(ctx context.Context) error {
	var errs []error
	ids := make([]string, 0, len(r))
	for id := range r {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if d, ok := r[id].(interface{ Discover(context.Context) error }); ok {
			if err := d.Discover(ctx); err != nil {
				errs = append(errs, fmt.Errorf("oauth provider %q: %w", id, err))
			}
		}
	}
	return errors.Join(errs...)
}

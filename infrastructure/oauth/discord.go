package oauth

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/beep/iam/application/authn"
	"golang.org/x/oauth2"
)

var discordScopes = []string{"identify", "email"}

// DiscordProvider is Discord sign-in: OAuth 2.0 without PKCE, with
// prompt=none. The user is /users/@me; accountId is its id.
type DiscordProvider struct {
	core
	scopes []string
	ep     Endpoints
}

var _ authn.OAuthProvider = (*DiscordProvider)(nil)

// NewDiscord returns the Discord provider.
func NewDiscord(cfg Config, opts ...Option) (*DiscordProvider, error) {
	if err := cfg.validate(string(Discord), Discord); err != nil {
		return nil, err
	}
	return &DiscordProvider{core: newCore(string(Discord), cfg, buildOptions(opts)), scopes: cfg.Scopes,
		ep: cfg.Endpoints.withDefaults(defaultEndpoints[Discord])}, nil
}

// AuthorizationURL sends the default scopes, then the request's, then the
// configured ones (Discord's order in better-auth), and prompt=none; no
// PKCE and no login_hint.
func (p *DiscordProvider) AuthorizationURL(req authn.AuthorizationRequest) (string, error) {
	return p.authCodeURL(p.ep.AuthURL, req, joinScopes(discordScopes, req.Scopes, p.scopes), false,
		oauth2.SetAuthURLParam("prompt", "none"))
}

// Exchange trades the code; no code_verifier is sent.
func (p *DiscordProvider) Exchange(ctx context.Context, code, _, redirectURI string) (authn.OAuthTokens, error) {
	return p.exchange(ctx, p.ep.TokenURL, code, "", redirectURI, false)
}

// Refresh trades a refresh token.
func (p *DiscordProvider) Refresh(ctx context.Context, refreshToken string) (authn.OAuthTokens, error) {
	return p.refresh(ctx, p.ep.TokenURL, refreshToken, nil)
}

// UserInfo reads /users/@me: name is global_name or username,
// EmailVerified the verified flag, and the image Discord's CDN avatar
// (image_url in Data, as better-auth adds it).
func (p *DiscordProvider) UserInfo(ctx context.Context, tokens authn.OAuthTokens, _ string) (authn.ProviderUser, error) {
	var profile map[string]any
	if err := getJSON(ctx, p.http.api, "fetch discord user", p.ep.UserInfoURL, tokens.AccessToken, nil, &profile); err != nil {
		return authn.ProviderUser{}, err
	}
	id := idString(profile, "id")
	if id == "" {
		return authn.ProviderUser{}, rejected("fetch discord user", errors.New("no id"))
	}
	image := discordAvatar(id, str(profile, "avatar"), str(profile, "discriminator"))
	if image != "" {
		profile["image_url"] = image
	}
	name := str(profile, "global_name")
	if name == "" {
		name = str(profile, "username")
	}
	return authn.ProviderUser{AccountID: id, Email: str(profile, "email"), EmailVerified: truthy(profile["verified"]),
		Name: name, Image: image, Data: profile}, nil
}

// discordAvatar is the avatar URL as Discord's clients (and better-auth)
// build it: the uploaded avatar (gif when animated), else the default
// avatar, numbered (id >> 22) % 6 for users without a discriminator
// ("0") and discriminator % 5 for the others. An id or discriminator that
// is not a number gives no image (better-auth fails with a 500).
func discordAvatar(id, avatar, discriminator string) string {
	if avatar != "" {
		ext := "png"
		if strings.HasPrefix(avatar, "a_") {
			ext = "gif"
		}
		return "https://cdn.discordapp.com/avatars/" + id + "/" + avatar + "." + ext
	}
	var n uint64
	if discriminator == "0" || discriminator == "" {
		snowflake, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return ""
		}
		n = (snowflake >> 22) % 6
	} else {
		d, err := strconv.ParseUint(discriminator, 10, 64)
		if err != nil {
			return ""
		}
		n = d % 5
	}
	return "https://cdn.discordapp.com/embed/avatars/" + strconv.FormatUint(n, 10) + ".png"
}

// VerifyIDToken is not supported: Discord issues no id tokens.
func (p *DiscordProvider) VerifyIDToken(context.Context, string, string) (authn.ProviderUser, error) {
	return authn.ProviderUser{}, authn.ErrIDTokenNotSupported
}

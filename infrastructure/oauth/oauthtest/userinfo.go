package oauthtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/beep/iam/infrastructure/oauth"
)

// bearer returns the grant of the request's access token, or answers 401
// and returns nil. GitHub also takes "token <t>".
func (s *Server) bearer(w http.ResponseWriter, r *http.Request, kind oauth.Kind) *grant {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok && kind == oauth.GitHub {
		tok, ok = strings.CutPrefix(h, "token ")
	}
	s.mu.Lock()
	g, known := s.access[tok]
	s.mu.Unlock()
	if !ok || !known || g.kind != kind {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "message": "Bad credentials"})
		return nil
	}
	return g
}

// githubUser is GitHub's /user. GitHub refuses requests without a
// User-Agent.
func (s *Server) githubUser(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("User-Agent") == "" {
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"})
		return
	}
	g := s.bearer(w, r, oauth.GitHub)
	if g == nil {
		return
	}
	u := g.user
	var email, name any
	if u.GitHubPublicEmail && u.Email != "" {
		email = u.Email
	}
	if u.Name != "" {
		name = u.Name
	}
	var id any = json.Number(u.ID)
	if !isDigits(u.ID) {
		id = u.ID
	}
	writeJSON(w, http.StatusOK, merge(map[string]any{
		"login": u.Login, "id": id, "avatar_url": u.Picture, "type": "User", "name": name, "email": email,
	}, u.Profile))
}

// githubEmails is GitHub's /user/emails.
func (s *Server) githubEmails(w http.ResponseWriter, r *http.Request) {
	g := s.bearer(w, r, oauth.GitHub)
	if g == nil {
		return
	}
	u := g.user
	emails := u.GitHubEmails
	if emails == nil {
		emails = []GitHubEmail{}
		if u.Email != "" {
			private := "private"
			emails = append(emails, GitHubEmail{Email: u.Email, Primary: true, Verified: u.EmailVerified, Visibility: &private})
		}
	}
	writeJSON(w, http.StatusOK, emails)
}

// discordUser is Discord's /users/@me.
func (s *Server) discordUser(w http.ResponseWriter, r *http.Request) {
	g := s.bearer(w, r, oauth.Discord)
	if g == nil {
		return
	}
	u := g.user
	var avatar, email, global any
	if u.Picture != "" {
		avatar = u.Picture
	}
	if u.Email != "" {
		email = u.Email
	}
	if u.Name != "" {
		global = u.Name
	}
	disc := u.Discriminator
	if disc == "" {
		disc = "0"
	}
	writeJSON(w, http.StatusOK, merge(map[string]any{
		"id": u.ID, "username": u.Login, "global_name": global, "discriminator": disc, "avatar": avatar,
		"email": email, "verified": u.EmailVerified, "mfa_enabled": false, "locale": "en-US",
	}, u.Profile))
}

// twitterUser is X's /2/users/me: data.id, name and username, plus the
// user.fields asked for. confirmed_email needs the users.email grant (403
// without it) and is absent for a user without a confirmed email.
func (s *Server) twitterUser(w http.ResponseWriter, r *http.Request) {
	g := s.bearer(w, r, oauth.Twitter)
	if g == nil {
		return
	}
	u := g.user
	data := map[string]any{"id": u.ID, "name": u.Name, "username": u.Login}
	if wantsField(r, "profile_image_url") {
		data["profile_image_url"] = u.Picture
	}
	if wantsField(r, "confirmed_email") {
		if !slices.Contains(g.scopes, "users.email") {
			writeJSON(w, http.StatusForbidden, map[string]any{"title": "Forbidden", "detail": "users.email scope required", "status": 403})
			return
		}
		if u.Email != "" && u.EmailVerified {
			data["confirmed_email"] = u.Email
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": merge(data, u.Profile)})
}

// wantsField reports whether X's user.fields asks for field.
func wantsField(r *http.Request, field string) bool {
	return slices.Contains(strings.Split(r.URL.Query().Get("user.fields"), ","), field)
}

// userinfo is an OpenID Connect userinfo endpoint (LinkedIn's, the OIDC
// issuer's).
func (s *Server) userinfo(kind oauth.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		g := s.bearer(w, r, kind)
		if g == nil {
			return
		}
		u := g.user
		info := map[string]any{"sub": u.ID, "name": u.Name, "picture": u.Picture}
		if u.Email != "" {
			info["email"], info["email_verified"] = u.Email, u.EmailVerified
		}
		if kind == oauth.LinkedIn {
			first, last, _ := strings.Cut(u.Name, " ")
			info["given_name"], info["family_name"], info["locale"] = first, last, map[string]any{"country": "US", "language": "en"}
		}
		writeJSON(w, http.StatusOK, merge(info, u.Profile))
	}
}

// photo is Microsoft Graph's /me/photos/48x48/$value.
func (s *Server) photo(w http.ResponseWriter, r *http.Request) {
	g := s.bearer(w, r, oauth.Microsoft)
	if g == nil {
		return
	}
	if g.user.Photo == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": "ImageNotFound", "message": "The photo wasn't found."}})
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	_, _ = w.Write(g.user.Photo)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

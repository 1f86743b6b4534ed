package rest

import (
	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/session"
)

// The JSON bodies of the auth endpoints. Field order is the wire's key
// order, as recorded from better-auth (JSON.stringify keeps insertion
// order, and clients and snapshot tests may see it).

type userJSON struct {
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"emailVerified"`
	Image         *string  `json:"image"`
	CreatedAt     jsonTime `json:"createdAt"`
	UpdatedAt     jsonTime `json:"updatedAt"`
	ID            string   `json:"id"`
}

func newUserJSON(u identity.User) userJSON {
	return userJSON{
		Name:          u.Name,
		Email:         u.Email.String(),
		EmailVerified: u.EmailVerified,
		Image:         u.Image,
		CreatedAt:     jsonTime(u.CreatedAt),
		UpdatedAt:     jsonTime(u.UpdatedAt),
		ID:            string(u.ID),
	}
}

// sessionJSON is better-auth's session output plus Beep's
// organizationContext, which sits with the other plugin fields before id.
type sessionJSON struct {
	ExpiresAt            jsonTime                  `json:"expiresAt"`
	Token                string                    `json:"token"`
	CreatedAt            jsonTime                  `json:"createdAt"`
	UpdatedAt            jsonTime                  `json:"updatedAt"`
	IPAddress            string                    `json:"ipAddress"`
	UserAgent            string                    `json:"userAgent"`
	UserID               string                    `json:"userId"`
	ActiveOrganizationID *string                   `json:"activeOrganizationId"`
	OrganizationContext  map[string]orgContextJSON `json:"organizationContext"`
	ID                   string                    `json:"id"`
}

// orgContextJSON is one organizationContext entry.
type orgContextJSON struct {
	Name             string `json:"name"`
	Type             string `json:"type"`
	Role             string `json:"role"`
	IsPersonal       bool   `json:"isPersonal"`
	SubscriptionTier string `json:"subscriptionTier"`
}

func newSessionJSON(s session.Session, orgs session.OrganizationContext) sessionJSON {
	var active *string
	if s.ActiveOrganizationID != nil {
		id := string(*s.ActiveOrganizationID)
		active = &id
	}
	ctx := make(map[string]orgContextJSON, len(orgs))
	for id, o := range orgs {
		ctx[string(id)] = orgContextJSON{
			Name:             o.Name,
			Type:             string(o.Type),
			Role:             o.Role,
			IsPersonal:       o.IsPersonal,
			SubscriptionTier: string(o.SubscriptionTier),
		}
	}
	return sessionJSON{
		ExpiresAt:            jsonTime(s.ExpiresAt),
		Token:                s.Token,
		CreatedAt:            jsonTime(s.CreatedAt),
		UpdatedAt:            jsonTime(s.UpdatedAt),
		IPAddress:            s.IPAddress,
		UserAgent:            s.UserAgent,
		UserID:               string(s.UserID),
		ActiveOrganizationID: active,
		OrganizationContext:  ctx,
		ID:                   string(s.ID),
	}
}

// signUpResponse has a null token when no session was opened.
type signUpResponse struct {
	Token *string  `json:"token"`
	User  userJSON `json:"user"`
}

// signInResponse has url only when the request had a callbackURL.
type signInResponse struct {
	Redirect bool     `json:"redirect"`
	Token    string   `json:"token"`
	URL      *string  `json:"url,omitempty"`
	User     userJSON `json:"user"`
}

type sessionResponse struct {
	Session sessionJSON `json:"session"`
	User    userJSON    `json:"user"`
}

type successResponse struct {
	Success bool `json:"success"`
}

type okResponse struct {
	OK bool `json:"ok"`
}

type statusResponse struct {
	Status bool `json:"status"`
}

// changePasswordResponse has a null token unless the session was rotated.
type changePasswordResponse struct {
	Token *string  `json:"token"`
	User  userJSON `json:"user"`
}

type deleteUserResponse struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// passwordResetRequested is request-password-reset's one answer, whether or
// not the address has an account.
type passwordResetRequested struct {
	Status  bool   `json:"status"`
	Message string `json:"message"`
}

// emailVerifiedResponse is verify-email's JSON answer: user is null unless
// the token completed an email change.
type emailVerifiedResponse struct {
	Status bool      `json:"status"`
	User   *userJSON `json:"user"`
}

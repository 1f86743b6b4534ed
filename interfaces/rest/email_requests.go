package rest

import (
	"net/url"

	"github.com/beep/iam/domain/identity"
)

// The bodies and queries of the email verification, password reset and
// email change endpoints, validated as better-auth's zod schemas are.
// Optional strings are "" when absent: better-auth tests them for
// truthiness.

// emailWithCallback is a body naming an address and where its link leads.
type emailWithCallback struct {
	email       identity.Email
	callbackURL string
}

// parseSendVerification applies z.object({email: z.email(), callbackURL:
// z.string().optional()}) (api/routes/email-verification.mjs).
func parseSendVerification(b requestBody) (emailWithCallback, error) {
	v := newValidator(b, objectSchema{})
	req := emailWithCallback{email: v.email("email"), callbackURL: deref(v.optionalString("callbackURL"))}
	return req, v.err()
}

// parseChangeEmail applies z.object({newEmail: z.email(), callbackURL:
// z.string().optional()}) (api/routes/update-user.mjs).
func parseChangeEmail(b requestBody) (emailWithCallback, error) {
	v := newValidator(b, objectSchema{})
	req := emailWithCallback{email: v.email("newEmail"), callbackURL: deref(v.optionalString("callbackURL"))}
	return req, v.err()
}

// parseRequestPasswordReset applies z.object({email: z.email(), redirectTo:
// z.string().optional()}) (api/routes/password.mjs); a malformed address
// is a VALIDATION_ERROR, which says nothing about accounts.
func parseRequestPasswordReset(b requestBody) (emailWithCallback, error) {
	v := newValidator(b, objectSchema{})
	req := emailWithCallback{email: v.email("email"), callbackURL: deref(v.optionalString("redirectTo"))}
	return req, v.err()
}

// resetPasswordRequest is POST /reset-password: the token comes from the
// body, else from the query (better-auth: ctx.body.token || ctx.query.token).
type resetPasswordRequest struct {
	newPassword string
	token       string
}

// parseResetPassword applies the body schema z.object({newPassword:
// z.string(), token: z.string().optional()}) and then, as better-call
// validates the body before the query, z.object({token:
// z.string().optional()}).optional() on the query.
func parseResetPassword(b requestBody, query url.Values) (resetPasswordRequest, error) {
	v := newValidator(b, objectSchema{})
	var req resetPasswordRequest
	req.newPassword, _ = v.requiredString("newPassword")
	req.token = deref(v.optionalString("token"))
	if err := v.err(); err != nil {
		return resetPasswordRequest{}, err
	}
	qv := newQueryValidator(query)
	queryToken, _ := qv.optionalString("token")
	if err := qv.err(); err != nil {
		return resetPasswordRequest{}, err
	}
	if req.token == "" {
		req.token = queryToken
	}
	return req, nil
}

// linkQuery is the query of a link a mail carried: its token and where the
// browser goes afterwards.
type linkQuery struct {
	token       string
	callbackURL string
}

// parseLinkQuery applies z.object({token: z.string(), callbackURL:
// z.string().optional()}), verify-email's and delete-user/callback's query.
func parseLinkQuery(query url.Values) (linkQuery, error) {
	qv := newQueryValidator(query)
	q := linkQuery{token: qv.requiredString("token")}
	q.callbackURL, _ = qv.optionalString("callbackURL")
	return q, qv.err()
}

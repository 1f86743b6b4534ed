package rest

import "github.com/beep/iam/domain/identity"

// signUpRequest is the body of POST /sign-up/email. Fields the server owns
// (id, emailVerified, createdAt, ...) and unknown fields are ignored.
type signUpRequest struct {
	name        string
	email       identity.Email
	password    string
	image       *string
	callbackURL *string
	rememberMe  bool
}

// parseSignUp applies better-auth's schema: z.object({name: z.string(),
// email: z.email(), password: z.string().nonempty(), image, callbackURL:
// z.string().optional(), rememberMe: z.boolean().optional()}).and(z.record(...)).
func parseSignUp(b requestBody) (signUpRequest, error) {
	v := newValidator(b, objectSchema{record: true})
	name, _ := v.requiredString("name")
	req := signUpRequest{
		name:        name,
		email:       v.email("email"),
		password:    v.nonEmptyString("password"),
		image:       v.optionalString("image"),
		callbackURL: v.optionalString("callbackURL"),
		rememberMe:  remember(v.optionalBool("rememberMe")),
	}
	return req, v.err()
}

// signInRequest is the body of POST /sign-in/email. The email is checked by
// the use case, which answers INVALID_EMAIL rather than a validation error.
type signInRequest struct {
	email       string
	password    string
	callbackURL *string
	rememberMe  bool
}

// parseSignIn applies z.object({email: z.string(), password: z.string(),
// callbackURL: z.string().optional(), rememberMe: z.boolean().default(true)}).
func parseSignIn(b requestBody) (signInRequest, error) {
	v := newValidator(b, objectSchema{})
	email, _ := v.requiredString("email")
	password, _ := v.requiredString("password")
	req := signInRequest{
		email:       email,
		password:    password,
		callbackURL: v.optionalString("callbackURL"),
		rememberMe:  remember(v.optionalBool("rememberMe")),
	}
	return req, v.err()
}

// parseSignOut applies z.object({callbackURL, disableRedirect, state}).optional();
// none of them changes what sign-out does without social providers.
func parseSignOut(b requestBody) error {
	v := newValidator(b, objectSchema{optional: true})
	v.optionalString("callbackURL")
	v.optionalBool("disableRedirect")
	v.optionalString("state")
	return v.err()
}

// remember reads rememberMe: only an explicit false forgets the session.
func remember(b *bool) bool { return b == nil || *b }

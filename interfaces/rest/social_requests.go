package rest

import (
	"encoding/json"
	"strconv"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/identity"
)

// Bounds of what a flow stores in its state row: every anonymous
// sign-in/social writes one, so none may carry a huge value.
const (
	maxFlowField = 2048
	maxScopes    = 20
)

// socialRequest is the body of sign-in/social and link-social.
type socialRequest struct {
	start           authn.StartSocialInput
	disableRedirect bool
	// idToken is set for the id-token flow.
	idToken *authn.SignInWithIDTokenInput
}

// stringList is z.array(z.string()).optional().
func (v *validator) stringList(field string) []string {
	f, ok := v.lookup(field)
	if !ok {
		return nil
	}
	var list []string
	if f.kind != kindArray || json.Unmarshal(f.raw, &list) != nil {
		v.typeIssue(field, "array", f.kind)
		return nil
	}
	return list
}

// parseSocial applies the sign-in/social schema (link-social's is the same
// without newUserCallbackURL). Unknown fields (additionalData,
// additionalParams, ...) are ignored: the authorization URL carries only
// what Beep sets.
func parseSocial(b requestBody) (socialRequest, error) {
	v := newValidator(b, objectSchema{})
	var req socialRequest
	provider, _ := v.requiredString("provider")
	req.start = authn.StartSocialInput{
		ProviderID:         provider,
		CallbackURL:        deref(v.optionalString("callbackURL")),
		ErrorCallbackURL:   deref(v.optionalString("errorCallbackURL")),
		NewUserCallbackURL: deref(v.optionalString("newUserCallbackURL")),
		Scopes:             v.stringList("scopes"),
		LoginHint:          deref(v.optionalString("loginHint")),
	}
	for field, value := range map[string]string{"callbackURL": req.start.CallbackURL, "errorCallbackURL": req.start.ErrorCallbackURL,
		"newUserCallbackURL": req.start.NewUserCallbackURL, "loginHint": req.start.LoginHint} {
		if len(value) > maxFlowField {
			v.add(field, "Too big: expected string to have <="+strconv.Itoa(maxFlowField)+" characters")
		}
	}
	if len(req.start.Scopes) > maxScopes {
		v.add("scopes", "Too big: expected array to have <="+strconv.Itoa(maxScopes)+" items")
	}
	if b := v.optionalBool("requestSignUp"); b != nil {
		req.start.RequestSignUp = *b
	}
	if b := v.optionalBool("disableRedirect"); b != nil {
		req.disableRedirect = *b
	}
	if tok, ok := v.object("idToken", "object"); ok {
		t := newValidator(tok, objectSchema{})
		token, _ := t.requiredString("token")
		req.idToken = &authn.SignInWithIDTokenInput{
			ProviderID: provider, IDToken: token,
			Nonce: deref(t.optionalString("nonce")), AccessToken: deref(t.optionalString("accessToken")),
		}
		for _, issue := range t.issues {
			v.issues = append(v.issues, "[body.idToken."+issue[len("[body."):])
		}
	}
	return req, v.err()
}

// parseAccountID is {accountId: string}: the account row's id.
func parseAccountID(b requestBody) (identity.AccountID, error) {
	v := newValidator(b, objectSchema{})
	id, _ := v.requiredString("accountId")
	return identity.AccountID(id), v.err()
}

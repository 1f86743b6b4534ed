package rest_test

import (
	"net/http"
	"testing"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/domain/mail"
)

// requireVerification is a deployment that refuses unverified sign-ins.
var requireVerification = withPolicy(func(p *authn.Policy) { p.Email.RequireVerification = true })

func TestSignUpRequiringVerification(t *testing.T) {
	s := newServer(t, requireVerification)
	body := `{"name":"User One","email":"u1@example.com","password":"password123","callbackURL":"/welcome"}`
	res := s.post(t, "/sign-up/email", body)
	if res.status != http.StatusOK {
		t.Fatalf("sign-up = %d %s", res.status, res.body)
	}
	equal(t, "keys", keysOf(t, res.body), []string{"token", "user"})
	var v struct{ Token *string }
	decode(t, res.body, &v)
	if v.Token != nil {
		t.Fatalf("token = %q, want null", *v.Token)
	}
	if sc := res.header.Values("Set-Cookie"); len(sc) != 0 || res.header.Get("Set-Auth-Token") != "" {
		t.Fatalf("sign-up without a session set %q / %q", sc, res.header.Get("Set-Auth-Token"))
	}
	if got := linkQuery(t, s.lastMail(t, mail.KindVerification, "u1@example.com").URL, "callbackURL"); got != "/welcome" {
		t.Fatalf("verification link leads to %q", got)
	}
	// A taken address answers the same way (better-auth's generic
	// duplicate response).
	res = s.post(t, "/sign-up/email", body)
	if res.status != http.StatusOK || keysOf(t, res.body)[0] != "token" || len(res.header.Values("Set-Cookie")) != 0 {
		t.Fatalf("sign-up on a taken address = %d %s", res.status, res.body)
	}
}

func TestSignInRequiringVerification(t *testing.T) {
	s := newServer(t, requireVerification)
	s.post(t, "/sign-up/email", `{"name":"User One","email":"u1@example.com","password":"password123"}`)
	before := s.mailCount(mail.KindVerification)
	res := s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"password123","callbackURL":"/again"}`)
	wantError(t, res, http.StatusForbidden, `{"message":"Email not verified","code":"EMAIL_NOT_VERIFIED"}`)
	if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("refused sign-in set %q", sc)
	}
	if s.mailCount(mail.KindVerification) != before+1 {
		t.Fatal("no new verification link on the refused sign-in")
	}
	if got := linkQuery(t, s.lastMail(t, mail.KindVerification, "u1@example.com").URL, "callbackURL"); got != "/again" {
		t.Fatalf("re-sent link leads to %q", got)
	}
	// A wrong password says nothing about verification.
	res = s.post(t, "/sign-in/email", `{"email":"u1@example.com","password":"wrong-password"}`)
	wantError(t, res, http.StatusUnauthorized, `{"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}`)
	s.verify(t, "u1@example.com")
	s.signIn(t, "u1@example.com")
}

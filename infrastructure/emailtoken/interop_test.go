package emailtoken_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/beep/iam/application/authn"
	"github.com/beep/iam/infrastructure/emailtoken"
)

// The interop tests run better-auth 1.7.25's own code (installed for the
// e2e harness in e2e/node_modules) against ours. Without node or those
// modules they skip, unless IAM_TEST_REQUIRE_NODE=1, so a CI that means to
// check interop cannot pass by skipping.
const requireNodeEnv = "IAM_TEST_REQUIRE_NODE"

// e2eDir holds the harness's package.json and node_modules.
var e2eDir = filepath.Join("..", "..", "e2e")

// betterAuth runs testdata/betterauth.mjs in mode with req on stdin and
// decodes its JSON answer into out.
func betterAuth(t *testing.T, mode string, req, out any) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(e2eDir, "node_modules", "better-auth", "package.json"))
	}
	if err != nil {
		if os.Getenv(requireNodeEnv) == "1" {
			t.Fatalf("better-auth interop cannot run (%v) but %s=1: install node and run npm ci in e2e", err, requireNodeEnv)
		}
		t.Skipf("better-auth interop skipped (%v): install node and run npm ci in e2e, or set %s=1 to make this fatal", err, requireNodeEnv)
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs(e2eDir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, filepath.Join("testdata", "betterauth.mjs"), dir, mode)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node betterauth.mjs %s: %v\n%s", mode, err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("node betterauth.mjs %s printed %q: %v", mode, stdout, err)
	}
}

type verifyRequest struct {
	Secret string `json:"secret"`
	Token  string `json:"token"`
	NowMs  int64  `json:"nowMs"`
}

type verifyAnswer struct {
	Header    map[string]any `json:"header"`
	RawHeader string         `json:"rawHeader"`
	Payload   map[string]any `json:"payload"`
	Error     string         `json:"error"`
}

type signRequest struct {
	Secret    string `json:"secret"`
	Email     string `json:"email"`
	UpdateTo  string `json:"updateTo,omitempty"`
	ExpiresIn int64  `json:"expiresIn"`
	// ExtraPayload is raw so its keys keep the order better-auth's
	// routes write them in, which decides the token's bytes.
	ExtraPayload json.RawMessage `json:"extraPayload"`
	NowMs        int64           `json:"nowMs"`
}

// signRequestFor asks better-auth for the token its routes mint for c: the
// email-change routes pass {requestType, userId}, the others {userId}.
func signRequestFor(c authn.EmailClaims, secret []byte, now time.Time) signRequest {
	userID, _ := json.Marshal(string(c.UserID))
	extra := `{"userId":` + string(userID) + `}`
	if c.RequestType != "" {
		requestType, _ := json.Marshal(c.RequestType)
		extra = `{"requestType":` + string(requestType) + `,"userId":` + string(userID) + `}`
	}
	return signRequest{Secret: string(secret), Email: string(c.Email), UpdateTo: string(c.UpdateTo), ExpiresIn: 3600,
		ExtraPayload: json.RawMessage(extra), NowMs: now.UnixMilli()}
}

// betterAuthPayload is the payload better-auth's jose returns for c.
func betterAuthPayload(c authn.EmailClaims) map[string]any {
	p := map[string]any{"email": string(c.Email), "userId": string(c.UserID)}
	if c.UpdateTo != "" {
		p["updateTo"] = string(c.UpdateTo)
	}
	if c.RequestType != "" {
		p["requestType"] = c.RequestType
	}
	return p
}

// interopCases are the tokens better-auth 1.7.25 mails.
var interopCases = []struct {
	name   string
	claims authn.EmailClaims
}{
	{"verification", authn.EmailClaims{Email: alice, UserID: userID}},
	{"legacy one-step change", authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob}},
	{"change confirmation", authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailConfirmation}},
	{"change verification", authn.EmailClaims{Email: alice, UserID: userID, UpdateTo: bob, RequestType: authn.ChangeEmailVerification}},
}

// better-auth's /verify-email accepts our tokens: jose's jwtVerify, HS256
// only, keyed by the secret, sees exactly our header and claims.
func TestBetterAuthVerifiesOurTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range interopCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.claims
			token, err := emailtoken.New([][]byte{newSecret, oldSecret}, at(t0)).Issue(c, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			var got verifyAnswer
			betterAuth(t, "verify", verifyRequest{Secret: string(newSecret), Token: token, NowMs: t0.UnixMilli()}, &got)
			if got.Error != "" {
				t.Fatalf("jose rejected our token: %s", got.Error)
			}
			if got.RawHeader != `{"alg":"HS256"}` {
				t.Errorf("header = %s, want {\"alg\":\"HS256\"}", got.RawHeader)
			}
			want := betterAuthPayload(c)
			want["iat"] = float64(t0.Unix())
			want["exp"] = float64(t0.Add(time.Hour).Unix())
			gotJSON, _ := json.Marshal(got.Payload)
			wantJSON, _ := json.Marshal(want)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("payload = %s, want %s", gotJSON, wantJSON)
			}
		})
	}

	// jose tells expiry and forgery apart as we do.
	token, err := emailtoken.New([][]byte{newSecret}, at(t0)).Issue(interopCases[0].claims, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, secret string
		now          time.Time
		want         string
	}{
		{"expired", string(newSecret), t0.Add(2 * time.Hour), "ERR_JWT_EXPIRED"},
		{"wrong secret", string(oldSecret), t0, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"},
	} {
		var got verifyAnswer
		betterAuth(t, "verify", verifyRequest{Secret: tt.secret, Token: token, NowMs: tt.now.UnixMilli()}, &got)
		if got.Error != tt.want {
			t.Errorf("%s: jose answered %+v, want error %s", tt.name, got, tt.want)
		}
	}
}

// We accept better-auth's tokens, and for the same claims, secret and
// instant mint the very same string.
func TestWeVerifyBetterAuthTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range interopCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.claims
			var signed struct{ Token string }
			betterAuth(t, "sign", signRequestFor(c, oldSecret, t0), &signed)

			// Signed by what is now the old secret: rotation keeps it valid.
			got, err := emailtoken.New([][]byte{newSecret, oldSecret}, at(t0.Add(59*time.Minute))).Parse(signed.Token)
			if err != nil {
				t.Fatalf("Parse of better-auth's token: %v", err)
			}
			if got != c {
				t.Errorf("Parse = %+v, want %+v", got, c)
			}
			if _, err := emailtoken.New([][]byte{oldSecret}, at(t0.Add(time.Hour))).Parse(signed.Token); !errors.Is(err, authn.ErrTokenExpired) {
				t.Errorf("Parse of better-auth's token after its exp = %v, want ErrTokenExpired", err)
			}

			ours, err := emailtoken.New([][]byte{oldSecret}, at(t0)).Issue(c, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if ours != signed.Token {
				t.Errorf("tokens differ for the same input:\nours        %s\nbetter-auth %s", ours, signed.Token)
			}
		})
	}
}

// Package mail describes the emails Beep IAM sends, as data: what kind of
// email, to whom, and the values its template needs. A Message is checked
// before it is queued (Validate), so the outbox never holds an email that
// cannot be rendered or that could inject a header.
package mail

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/beep/iam/domain/identity"
)

// Kind names an email; each has a template and required fields.
type Kind string

// The kinds of email.
const (
	// KindVerification asks the owner of an address to confirm it: URL.
	KindVerification Kind = "verification"
	// KindPasswordReset carries a reset link: Username, URL.
	KindPasswordReset Kind = "password-reset"
	// KindChangeEmailConfirmation asks the current address to approve a
	// change to NewEmail: URL, NewEmail.
	KindChangeEmailConfirmation Kind = "change-email-confirmation"
	// KindDeleteAccount confirms an account deletion: URL.
	KindDeleteAccount Kind = "delete-account"
	// KindPasswordChanged tells the owner their password changed: Username.
	KindPasswordChanged Kind = "password-changed"
	// KindEmailChanged tells the old address the account moved to NewEmail.
	KindEmailChanged Kind = "email-changed"
	// KindInvitation invites the address to an organization: URL,
	// Inviter, Organization.
	KindInvitation Kind = "invitation"
)

// Message is one email to send.
type Message struct {
	Kind Kind
	To   identity.Email
	// Username is the recipient's display name, when known.
	Username string
	// URL is the action link, absolute http(s).
	URL string
	// NewEmail is the address an account is moving to.
	NewEmail identity.Email
	// Inviter and Organization name who invites where.
	Inviter      string
	Organization string
}

// ErrInvalidMessage wraps every reason a message is refused.
var ErrInvalidMessage = errors.New("invalid email message")

// required lists the fields each kind must carry besides To.
var required = map[Kind][]string{
	KindVerification:            {"URL"},
	KindPasswordReset:           {"URL"},
	KindChangeEmailConfirmation: {"URL", "NewEmail"},
	KindDeleteAccount:           {"URL"},
	KindPasswordChanged:         {},
	KindEmailChanged:            {"NewEmail"},
	KindInvitation:              {"URL", "Inviter", "Organization"},
}

// Validate checks that m is a known kind with its required fields, an
// absolute http(s) URL, and no line breaks or NUL in any field (a name
// like "Eve\r\nBcc: x" must never reach a header).
func (m Message) Validate() error {
	need, ok := required[m.Kind]
	if !ok {
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidMessage, m.Kind)
	}
	if _, err := identity.ParseEmail(string(m.To)); err != nil || string(m.To) != strings.ToLower(string(m.To)) {
		return fmt.Errorf("%w: recipient %q", ErrInvalidMessage, m.To)
	}
	fields := map[string]string{
		"Username": m.Username, "URL": m.URL, "NewEmail": string(m.NewEmail),
		"Inviter": m.Inviter, "Organization": m.Organization,
	}
	for _, name := range need {
		if fields[name] == "" {
			return fmt.Errorf("%w: %s email needs %s", ErrInvalidMessage, m.Kind, name)
		}
	}
	for name, v := range fields {
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("%w: %s contains a line break or NUL", ErrInvalidMessage, name)
		}
	}
	if m.URL != "" {
		u, err := url.Parse(m.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: URL %q is not absolute http(s)", ErrInvalidMessage, m.URL)
		}
	}
	if m.NewEmail != "" {
		if _, err := identity.ParseEmail(string(m.NewEmail)); err != nil {
			return fmt.Errorf("%w: new email %q", ErrInvalidMessage, m.NewEmail)
		}
	}
	return nil
}

package mail_test

import (
	"errors"
	"testing"

	"github.com/beep/iam/domain/mail"
)

func TestValidate(t *testing.T) {
	ok := mail.Message{Kind: mail.KindVerification, To: "a@example.com", URL: "https://auth.example/api/auth/verify-email?token=x"}
	tests := []struct {
		name   string
		mutate func(*mail.Message)
		valid  bool
	}{
		{"verification", func(*mail.Message) {}, true},
		{"unknown kind", func(m *mail.Message) { m.Kind = "spam" }, false},
		{"missing URL", func(m *mail.Message) { m.URL = "" }, false},
		{"relative URL", func(m *mail.Message) { m.URL = "/verify" }, false},
		{"javascript URL", func(m *mail.Message) { m.URL = "javascript:alert(1)" }, false},
		{"bad recipient", func(m *mail.Message) { m.To = "a@x.io\r\nBcc: v@x.io" }, false},
		{"upper-case recipient is not canonical", func(m *mail.Message) { m.To = "A@example.com" }, false},
		{"CRLF in the name", func(m *mail.Message) { m.Username = "Eve\r\nBcc: v@x.io" }, false},
		{"HTML in the name is data, fine here", func(m *mail.Message) { m.Username = "<script>x</script>" }, true},
		{"password changed needs no URL", func(m *mail.Message) { m.Kind, m.URL = mail.KindPasswordChanged, "" }, true},
		{"email changed needs the new address", func(m *mail.Message) { m.Kind, m.URL = mail.KindEmailChanged, "" }, false},
		{"email changed", func(m *mail.Message) { m.Kind, m.URL, m.NewEmail = mail.KindEmailChanged, "", "b@example.com" }, true},
		{"invitation needs inviter and organization", func(m *mail.Message) { m.Kind = mail.KindInvitation }, false},
		{"invitation", func(m *mail.Message) { m.Kind, m.Inviter, m.Organization = mail.KindInvitation, "Alice", "Acme <b>" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.mutate(&m)
			err := m.Validate()
			if (err == nil) != tt.valid {
				t.Fatalf("Validate(%+v) = %v, want valid=%v", m, err, tt.valid)
			}
			if err != nil && !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("error %v does not wrap ErrInvalidMessage", err)
			}
		})
	}
}

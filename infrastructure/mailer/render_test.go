package mailer_test

import (
	"errors"
	"html"
	"strings"
	"testing"

	"github.com/beep/iam/domain/mail"
	"github.com/beep/iam/infrastructure/mailer"
)

const link = "https://auth.example/api/auth/verify?token=abc&callbackURL=%2Fhome"

func TestRenderEveryKind(t *testing.T) {
	tests := []struct {
		msg         mail.Message
		wantSubject string
		// wantInBoth must appear in the text part and in the HTML part
		// (once HTML entities are decoded).
		wantInBoth []string
	}{
		{
			msg:         mail.Message{Kind: mail.KindVerification, To: "alice@example.com", URL: link},
			wantSubject: "Verify your email address",
			wantInBoth:  []string{"alice@example.com", "Hi,"},
		},
		{
			msg:         mail.Message{Kind: mail.KindPasswordReset, To: "alice@example.com", Username: "Alice", URL: link},
			wantSubject: "Reset your password",
			wantInBoth:  []string{"Hi Alice,"},
		},
		{
			msg:         mail.Message{Kind: mail.KindChangeEmailConfirmation, To: "alice@example.com", NewEmail: "alice@new.example", URL: link},
			wantSubject: "Approve your email address change",
			wantInBoth:  []string{"from alice@example.com to alice@new.example"},
		},
		{
			msg:         mail.Message{Kind: mail.KindDeleteAccount, To: "alice@example.com", URL: link},
			wantSubject: "Confirm your account deletion",
			wantInBoth:  []string{"delete your Beep account"},
		},
		{
			msg:         mail.Message{Kind: mail.KindPasswordChanged, To: "alice@example.com", Username: "Alice"},
			wantSubject: "Your password was changed",
			wantInBoth:  []string{"Hi Alice,", "If it was not you, reset your password"},
		},
		{
			msg:         mail.Message{Kind: mail.KindEmailChanged, To: "alice@example.com", NewEmail: "alice@new.example"},
			wantSubject: "Your email address was changed",
			wantInBoth:  []string{"now uses alice@new.example instead of alice@example.com"},
		},
		{
			msg:         mail.Message{Kind: mail.KindInvitation, To: "bob@example.com", Inviter: "Alice", Organization: "Acme", URL: link},
			wantSubject: "Alice invited you to join Acme",
			wantInBoth:  []string{"Alice invited you (bob@example.com) to join the organization Acme on Beep"},
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.msg.Kind), func(t *testing.T) {
			c, err := mailer.Render(tt.msg)
			if err != nil {
				t.Fatalf("Render(%+v) = %v, want no error", tt.msg, err)
			}
			if c.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", c.Subject, tt.wantSubject)
			}
			decoded := html.UnescapeString(c.HTML)
			if !strings.Contains(decoded, "<title>"+c.Subject+"</title>") {
				t.Errorf("HTML part's title is not the subject %q", c.Subject)
			}
			for _, want := range append(tt.wantInBoth, "Beep") {
				if !strings.Contains(c.Text, want) {
					t.Errorf("text part lacks %q:\n%s", want, c.Text)
				}
				if !strings.Contains(decoded, want) {
					t.Errorf("HTML part lacks %q:\n%s", want, c.HTML)
				}
			}
			if !strings.HasPrefix(c.HTML, "<!DOCTYPE html>") || !strings.Contains(c.HTML, `<html lang="en">`) {
				t.Errorf("HTML part is not a full document with a language:\n%s", c.HTML)
			}
			// The action link: a button and the raw link in HTML, the raw
			// link in text. Kinds without a URL have no link at all.
			wantLinks := 0
			if tt.msg.URL != "" {
				wantLinks = 2
				if !strings.Contains(c.Text, "\n"+tt.msg.URL+"\n") {
					t.Errorf("text part lacks the link %q on its own line:\n%s", tt.msg.URL, c.Text)
				}
			}
			if got := strings.Count(decoded, `href="`+tt.msg.URL+`"`); tt.msg.URL != "" && got != wantLinks {
				t.Errorf("HTML part has %d links to %q, want %d:\n%s", got, tt.msg.URL, wantLinks, c.HTML)
			}
			if got := strings.Count(c.HTML, "<a "); got != wantLinks {
				t.Errorf("HTML part has %d anchors, want %d", got, wantLinks)
			}
			if got := strings.Count(c.HTML, "<h1"); got != 1 {
				t.Errorf("HTML part has %d h1 headings, want 1", got)
			}
		})
	}
}

func TestRenderEscapesUserValues(t *testing.T) {
	const hostile = `<a href=//evil>x</a><script>alert(1)</script>`
	tests := []struct {
		name string
		msg  mail.Message
	}{
		{"username", mail.Message{Kind: mail.KindPasswordReset, To: "alice@example.com", Username: hostile, URL: link}},
		{"inviter", mail.Message{Kind: mail.KindInvitation, To: "bob@example.com", Inviter: hostile, Organization: "Acme", URL: link}},
		{"organization", mail.Message{Kind: mail.KindInvitation, To: "bob@example.com", Inviter: "Alice", Organization: hostile, URL: link}},
		{"attribute break-out in the URL", mail.Message{Kind: mail.KindVerification, To: "alice@example.com", URL: `https://auth.example/v?t="><script>alert(1)</script>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := mailer.Render(tt.msg)
			if err != nil {
				t.Fatalf("Render(%+v) = %v, want no error", tt.msg, err)
			}
			for _, bad := range []string{"<script", "<a href=//evil"} {
				if strings.Contains(c.HTML, bad) {
					t.Errorf("HTML part contains %q unescaped:\n%s", bad, c.HTML)
				}
			}
			if got := strings.Count(c.HTML, "<a "); got != 2 {
				t.Errorf("HTML part has %d anchors, want only the 2 of the action link", got)
			}
			if tt.name != "attribute break-out in the URL" && !strings.Contains(c.HTML, "&lt;script&gt;") {
				t.Errorf("HTML part does not show the name as escaped text:\n%s", c.HTML)
			}
			// text/plain is never interpreted: the value appears as typed.
			if tt.name != "attribute break-out in the URL" && !strings.Contains(c.Text, hostile) {
				t.Errorf("text part does not show the name as typed:\n%s", c.Text)
			}
			if strings.ContainsAny(c.Subject, "\r\n") {
				t.Errorf("subject %q contains a line break", c.Subject)
			}
		})
	}
}

func TestRenderRefusesInvalidMessages(t *testing.T) {
	ok := mail.Message{Kind: mail.KindInvitation, To: "bob@example.com", Inviter: "Alice", Organization: "Acme", URL: link}
	tests := []struct {
		name   string
		mutate func(*mail.Message)
	}{
		{"javascript URL", func(m *mail.Message) { m.URL = "javascript:alert(1)" }},
		{"protocol-relative URL", func(m *mail.Message) { m.URL = "//evil.example/x" }},
		{"CRLF in the inviter", func(m *mail.Message) { m.Inviter = "Eve\r\nBcc: v@x.io" }},
		{"LF in the organization", func(m *mail.Message) { m.Organization = "Acme\nBcc: v@x.io" }},
		{"CRLF in the recipient", func(m *mail.Message) { m.To = "bob@example.com\r\nBcc: v@x.io" }},
		{"missing URL", func(m *mail.Message) { m.URL = "" }},
		{"unknown kind", func(m *mail.Message) { m.Kind = "newsletter" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.mutate(&m)
			c, err := mailer.Render(m)
			if !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("Render(%+v) = %+v, %v; want an error wrapping mail.ErrInvalidMessage", m, c, err)
			}
		})
	}
}

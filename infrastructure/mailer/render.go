package mailer

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/beep/iam/domain/mail"
)

// Content is a rendered email: a one-line plain-text subject and the same
// message as HTML and as plain text.
type Content struct {
	Subject string
	HTML    string
	Text    string
}

//go:embed templates
var templateFS embed.FS

// subjects is the single list of kinds this package can render: every kind
// here has a templates/<kind>.html and a templates/<kind>.txt, parsed at
// start-up, so a missing or broken template stops the program (and the
// tests) instead of failing one email at a time. Subjects are built only
// from constants and fields that mail.Message.Validate has checked for line
// breaks.
var subjects = map[mail.Kind]func(mail.Message) string{
	mail.KindVerification:            constant("Verify your email address"),
	mail.KindPasswordReset:           constant("Reset your password"),
	mail.KindChangeEmailConfirmation: constant("Approve your email address change"),
	mail.KindDeleteAccount:           constant("Confirm your account deletion"),
	mail.KindPasswordChanged:         constant("Your password was changed"),
	mail.KindEmailChanged:            constant("Your email address was changed"),
	mail.KindInvitation: func(m mail.Message) string {
		return m.Inviter + " invited you to join " + m.Organization
	},
}

func constant(s string) func(mail.Message) string {
	return func(mail.Message) string { return s }
}

// view is what the templates see: the message's fields plus the subject
// (the HTML layout uses it as the document title).
type view struct {
	mail.Message
	Subject string
}

// action is a call-to-action link; the layouts render it as a button plus
// the raw URL (HTML) or a label and the URL on its own line (text).
type action struct {
	Label string
	URL   string
}

func newAction(label, url string) action { return action{Label: label, URL: url} }

type kindTemplates struct {
	subject func(mail.Message) string
	html    *htmltemplate.Template
	text    *texttemplate.Template
}

var kinds = parseTemplates()

func parseTemplates() map[mail.Kind]kindTemplates {
	// html/template escapes each value for where it lands: element text,
	// attribute, or URL (an href gets only http(s) or "#ZgotmplZ"). The text
	// part needs no escaping: text/plain is never interpreted as markup.
	htmlLayout := htmltemplate.Must(htmltemplate.New("layout.html").
		Funcs(htmltemplate.FuncMap{"action": newAction}).
		ParseFS(templateFS, "templates/layout.html"))
	textLayout := texttemplate.Must(texttemplate.New("layout.txt").
		Funcs(texttemplate.FuncMap{"action": newAction}).
		ParseFS(templateFS, "templates/layout.txt"))

	out := make(map[mail.Kind]kindTemplates, len(subjects))
	for kind, subject := range subjects {
		out[kind] = kindTemplates{
			subject: subject,
			html:    htmltemplate.Must(htmltemplate.Must(htmlLayout.Clone()).ParseFS(templateFS, "templates/"+string(kind)+".html")),
			text:    texttemplate.Must(texttemplate.Must(textLayout.Clone()).ParseFS(templateFS, "templates/"+string(kind)+".txt")),
		}
	}
	return out
}

// Render builds the subject, HTML and text of m. It refuses a message that
// fails m.Validate (the error wraps mail.ErrInvalidMessage), so no line
// break reaches the subject and no non-http(s) URL reaches a link.
func Render(m mail.Message) (Content, error) {
	if err := m.Validate(); err != nil {
		return Content{}, err
	}
	k, ok := kinds[m.Kind]
	if !ok {
		// A kind the domain accepts but this package has no template for.
		return Content{}, fmt.Errorf("%w: no template for %s email", mail.ErrInvalidMessage, m.Kind)
	}
	v := view{Message: m, Subject: k.subject(m)}
	// Validate already refuses line breaks in every field; this guards a
	// future subject built from something Validate does not check.
	if strings.ContainsAny(v.Subject, "\r\n") {
		return Content{}, fmt.Errorf("%w: %s subject contains a line break", mail.ErrInvalidMessage, m.Kind)
	}
	var html, text bytes.Buffer
	if err := k.html.Execute(&html, v); err != nil {
		return Content{}, fmt.Errorf("render %s html: %w", m.Kind, err)
	}
	if err := k.text.Execute(&text, v); err != nil {
		return Content{}, fmt.Errorf("render %s text: %w", m.Kind, err)
	}
	return Content{Subject: v.Subject, HTML: html.String(), Text: text.String()}, nil
}

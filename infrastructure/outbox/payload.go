package outbox

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/beep/iam/domain/identity"
	"github.com/beep/iam/domain/mail"
)

// payloadVersion is written in every payload. Rows outlive releases, so the
// stored format is this package's own, with explicit names, rather than
// whatever encoding/json makes of mail.Message today: renaming a field of
// mail.Message must not orphan queued emails.
const payloadVersion = 1

type payload struct {
	V            int    `json:"v"`
	Kind         string `json:"kind"`
	To           string `json:"to"`
	Username     string `json:"username,omitempty"`
	URL          string `json:"url,omitempty"`
	NewEmail     string `json:"newEmail,omitempty"`
	Inviter      string `json:"inviter,omitempty"`
	Organization string `json:"organization,omitempty"`
}

func encode(m mail.Message) (string, error) {
	b, err := json.Marshal(payload{
		V: payloadVersion, Kind: string(m.Kind), To: string(m.To), Username: m.Username, URL: m.URL,
		NewEmail: string(m.NewEmail), Inviter: m.Inviter, Organization: m.Organization,
	})
	if err != nil {
		return "", fmt.Errorf("outbox: encode message: %w", err)
	}
	return string(b), nil
}

// decode reads a stored payload and validates the message again: a row
// written by another version or edited by hand must not reach a template
// or a header unchecked. A message that fails validation is returned with
// the error, so the caller can redact its addresses and link from the
// error's text.
func decode(s string) (mail.Message, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	var p payload
	if err := dec.Decode(&p); err != nil {
		return mail.Message{}, fmt.Errorf("outbox: undecodable payload: %w", err)
	}
	if p.V != payloadVersion {
		return mail.Message{}, fmt.Errorf("outbox: payload version %d, want %d", p.V, payloadVersion)
	}
	m := mail.Message{
		Kind: mail.Kind(p.Kind), To: identity.Email(p.To), Username: p.Username, URL: p.URL,
		NewEmail: identity.Email(p.NewEmail), Inviter: p.Inviter, Organization: p.Organization,
	}
	if err := m.Validate(); err != nil {
		return m, fmt.Errorf("outbox: stored message: %w", err)
	}
	return m, nil
}

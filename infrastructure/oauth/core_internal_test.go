package oauth

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestScopes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want []string
	}{
		{"openid email profile", []string{"openid", "email", "profile"}},
		{"read:user,user:email", []string{"read:user", "user:email"}},
		{" a,  b ,c\td ", []string{"a", "b", "c", "d"}},
		{[]any{"a", 1, "b c"}, []string{"a", "b", "c"}},
		{"", nil},
		{nil, nil},
	}
	for _, tc := range cases {
		if got := scopes(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("scopes(%#v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   any
		want int64
	}{
		{float64(3599), 3599}, {int64(60), 60}, {json.Number("7200"), 7200}, {"3600", 3600}, {"x", 0}, {nil, 0},
	}
	for _, tc := range cases {
		if got := seconds(tc.in); got != tc.want {
			t.Errorf("seconds(%#v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestDiscordAvatar(t *testing.T) {
	t.Parallel()
	cases := []struct{ id, avatar, disc, want string }{
		{"80351110224678912", "", "0", "https://cdn.discordapp.com/embed/avatars/5.png"},
		{"80351110224678912", "", "1337", "https://cdn.discordapp.com/embed/avatars/2.png"},
		{"1", "abc", "0", "https://cdn.discordapp.com/avatars/1/abc.png"},
		{"1", "a_abc", "0", "https://cdn.discordapp.com/avatars/1/a_abc.gif"},
		{"not-a-snowflake", "", "0", ""},
	}
	for _, tc := range cases {
		if got := discordAvatar(tc.id, tc.avatar, tc.disc); got != tc.want {
			t.Errorf("discordAvatar(%q, %q, %q) = %q, want %q", tc.id, tc.avatar, tc.disc, got, tc.want)
		}
	}
}

func TestLimitedBody(t *testing.T) {
	t.Parallel()
	read := func(body string, limit int64) (string, error) {
		b, err := io.ReadAll(&limitedBody{rc: io.NopCloser(strings.NewReader(body)), left: limit})
		return string(b), err
	}
	if got, err := read("12345", 5); got != "12345" || err != nil {
		t.Errorf("a body at the limit reads %q, %v; want it whole", got, err)
	}
	if _, err := read("123456", 5); !errors.Is(err, errBodyTooLarge) {
		t.Errorf("a body over the limit reads with %v, want errBodyTooLarge", err)
	}
}

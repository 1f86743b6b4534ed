package rest

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/beep/iam/domain/identity"
)

// listAccounts answers the caller's accounts (password and linked
// providers) without secrets: no password hash, no provider tokens; the
// stored comma-separated scope becomes a scopes array.
func (a *AuthRoutes) listAccounts(c echo.Context) error {
	cur, err := a.requireSession(c)
	if err != nil {
		return err
	}
	accounts, err := a.auth.ListAccounts(c.Request().Context(), cur.User.ID)
	if err != nil {
		return err
	}
	out := make([]accountJSON, 0, len(accounts))
	for _, acc := range accounts {
		out = append(out, newAccountJSON(acc))
	}
	noStore(c)
	return writeJSON(c, http.StatusOK, out)
}

// accountJSON is one list-accounts entry, keys in better-auth's order.
type accountJSON struct {
	AccountID  string   `json:"accountId"`
	ProviderID string   `json:"providerId"`
	UserID     string   `json:"userId"`
	CreatedAt  jsonTime `json:"createdAt"`
	UpdatedAt  jsonTime `json:"updatedAt"`
	ID         string   `json:"id"`
	Scopes     []string `json:"scopes"`
}

func newAccountJSON(acc identity.Account) accountJSON {
	return accountJSON{
		AccountID:  acc.ProviderAccountID,
		ProviderID: acc.ProviderID,
		UserID:     string(acc.UserID),
		CreatedAt:  jsonTime(acc.CreatedAt),
		UpdatedAt:  jsonTime(acc.UpdatedAt),
		ID:         string(acc.ID),
		Scopes:     splitScopes(acc.Scope),
	}
}

// splitScopes is better-auth's parseStoredScopes: split on commas, trim,
// drop empties; never null.
func splitScopes(scope string) []string {
	out := []string{}
	for s := range strings.SplitSeq(scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

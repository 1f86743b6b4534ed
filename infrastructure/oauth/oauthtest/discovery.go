package oauthtest

import (
	"net/http"
	"regexp"
)

// oidcDiscovery is the generic issuer's OpenID Connect discovery document.
func (s *Server) oidcDiscovery(w http.ResponseWriter, _ *http.Request) {
	iss := s.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name", "picture"},
	})
}

var tenantGUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// microsoftDiscovery is a tenant's discovery document: the issuer names
// the tenant id (for a domain, the one SetTenantDomain gave it; the
// multi-tenant names answer Microsoft's "{tenantid}" template).
func (s *Server) microsoftDiscovery(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	tid := tenant
	switch {
	case tenant == "common" || tenant == "organizations" || tenant == "consumers":
		tid = "{tenantid}"
	case !tenantGUID.MatchString(tenant):
		s.mu.Lock()
		id, ok := s.tenants[tenant]
		s.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant '" + tenant + "' not found."})
			return
		}
		tid = id
	}
	base := s.Authority() + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.Authority() + "/" + tid + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

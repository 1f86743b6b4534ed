// Package organization holds Beep's multi-tenant model: Organization, Member,
// Invitation, the personal-organization rule (every user owns one, created
// with the user) and the access-control policy every organization use case
// consults. An organization always keeps at least one owner.
package organization

// Package tenancytest holds the contract suite of the tenancy storage
// ports (tenancy.OrganizationRepository and tenancy.ActiveOrganizations):
// RunContract checks, against any implementation, everything the ports
// document, and MemoryRepos returns the in-memory implementation of
// authntest.Store, which passes it. The same suite runs against SQLite and
// PostgreSQL in infrastructure/bunstore.
package tenancytest

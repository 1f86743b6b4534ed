// Package domain is the root of Beep IAM's pure domain model. It holds no code
// of its own: entities, value objects and rules live in the sub-packages
// (identity, session, organization), the closed error taxonomy in failure and
// typed identifiers in id. Nothing under domain imports anything but the
// standard library; go.mod enforces it.
package domain

// Package module wires Beep IAM with go.uber.org/fx, one module per layer:
// Telemetry beside Database → Repositories → Email → Auth → App. Modules
// never include each other; Server lists them for cmd/iamd and the tests. Constructors of the wired
// packages know nothing of fx, so tests build them directly.
package module

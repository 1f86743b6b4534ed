// Package module wires Beep IAM with go.uber.org/fx, one module per layer:
// Telemetry beside Database → Repositories → Auth → App. Modules never
// include each other; cmd/iamd lists them. Constructors of the wired
// packages know nothing of fx, so tests build them directly.
package module

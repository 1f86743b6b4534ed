package telemetry

import "go.opentelemetry.io/otel/attribute"

// outcomeKey records the failure kind of a use case that ended as expected
// but not successfully (for example "unauthenticated").
const outcomeKey = attribute.Key("beep.outcome")

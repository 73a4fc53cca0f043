package redact

// ResetColdStart forgets the first request ID that a NewLogger logger saw,
// so that a test can start from a cold start.
func ResetColdStart() { firstRequest.Store(nil) }

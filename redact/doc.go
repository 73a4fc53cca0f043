// Package redact keeps secrets out of logs. It provides a [Registry] of
// secret values, an slog handler that scrubs every registered secret from
// each record before the wrapped handler sees it, a Lambda-ready logger, and
// an io.Writer that scrubs raw writes.
//
// The package-wide registry, [Default], is the one that secenv fills with the
// values it decrypts; loggers use it unless told otherwise.
package redact

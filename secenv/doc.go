// Package secenv loads a Lambda function's configuration from environment
// variables into a struct, decrypting KMS ciphertexts and fetching Secrets
// Manager values into a [Secret] type that cannot be printed.
//
// Configuration comes from the environment and is never hardcoded. Sensitive
// values are stored KMS-encrypted and, once decrypted, live only in a Secret,
// which every formatting path (fmt, encoding/json, log/slog) masks. Each
// decrypted value is registered with the redact package's registry, so that
// a logger built with redact refuses it too.
package secenv

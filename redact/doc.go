// Package redact keeps secrets out of logs. It provides a [Registry] of
// secret values, an slog handler that scrubs every registered secret from
// each record before the wrapped handler sees it ([NewHandler]), a logger
// ready for AWS Lambda ([NewLogger]), and an io.Writer that scrubs raw writes
// ([NewWriter]) for the log package and anything else that prints.
//
// The package-wide registry, [Default], is the one that secenv fills with the
// values it decrypts; handlers, loggers and writers use it unless told
// otherwise with [WithRegistry]. Besides registered values, handlers and
// writers mask what the pattern detectors recognise (JWTs, Bearer and HTTP
// Basic credentials, AWS access key IDs and secret keys, PEM private keys;
// see [Detector]) and, in handlers, the values of sensitive keys such as
// password, cookie or authorization ([DefaultKeys]): of attributes, and of
// the members and fields inside a logged map, struct or event, such as the
// headers of an API Gateway request.
//
// # Threat model
//
// redact protects against the accidental logging of a known secret or a
// well-known kind of credential: a decrypted value passed as an attribute,
// wrapped into an error, formatted into a message or a struct, escaped into
// JSON, quoted, URL-escaped or base64-encoded, or split across two writes of
// a raw stream. A value registered after a logger was built is caught from the
// next record on, also in attributes given to WithAttrs earlier.
//
// It does not protect against:
//   - secrets that were never registered and match no detector or key, nor
//     values shorter than [MinSecretLen] bytes, which [Registry.Add] refuses;
//   - a sensitive key inside a string rather than a map or struct (a JSON
//     request body held as a string, a query string, a raw header line), or
//     inside what a value's Error, String, Format or MarshalText method
//     returns; a Writer knows no keys at all;
//   - transformations other than those listed on [Registry]: a secret that
//     is hashed, encrypted, hex-encoded, reversed, or cut into pieces that are
//     logged separately stays unmasked;
//   - output that does not go through a redact handler or writer (a logger
//     built directly on os.Stdout, a panic's stack trace, the runtime's
//     own messages);
//   - an attacker who can choose log content and register secrets: a
//     registered value that is also common text (a word, a number) is masked
//     wherever it appears.
//
// Masking is conservative: overlapping matches are masked as one, a PEM
// block without an END line is masked to the end, and a Writer masks rather
// than holds back more than 64 KiB for a detector (it still holds a tail that
// could begin a registered value, so that no such value leaves in two parts);
// when that cuts a private key block, or Flush does, the Writer keeps masking
// what follows up to and including the block's END line.
//
// # Usage
//
//	func main() {
//		cfg := loadConfig() // secenv registers decrypted values in redact.Default()
//		slog.SetDefault(redact.NewLogger(os.Stdout))
//		log.SetOutput(redact.NewWriter(os.Stderr))
//		lambda.Start(func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
//			slog.InfoContext(ctx, "calling partner", "key", cfg.APIKey) // key=[REDACTED], with requestId
//			return events.APIGatewayV2HTTPResponse{StatusCode: 204}, nil
//		})
//	}
package redact

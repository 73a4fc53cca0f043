// Package secenv loads a Lambda function's configuration from environment
// variables into a struct, decrypting KMS ciphertexts and fetching Secrets
// Manager values into a [Secret] type that cannot be printed.
//
// Configuration comes from the environment and is never hardcoded. Sensitive
// values are stored KMS-encrypted (or in Secrets Manager) and, once
// decrypted, live only in a Secret, which every formatting path (fmt,
// encoding/json, encoding/xml, log/slog, log) masks. Each decrypted value is
// registered with the redact package's registry, together with the encodings
// it usually leaks in, so that a logger built with redact refuses it even
// after [Secret.Reveal].
//
// # Usage
//
//	type Config struct {
//		Table    string        `env:"TABLE_NAME,required"`
//		Timeout  time.Duration `env:"TIMEOUT" envDefault:"3s"`
//		APIKey   secenv.Secret `env:"API_KEY,kms,required"`      // base64 KMS ciphertext
//		DBPass   secenv.Secret `env:"DB_SECRET,secretsmanager"`  // "prod/db#password"
//	}
//
//	var cfg Config
//	err := secenv.Load(ctx, &cfg,
//		secenvaws.Default(), // AWS SDK clients for the kms and secretsmanager fields
//		secenv.WithKMSKeyID(os.Getenv("KMS_KEY_ARN")))
//	if err != nil {
//		log.Fatal(err) // names every bad variable, never a value
//	}
//	client := api.New(cfg.APIKey.Reveal())
//
// The AWS SDK clients come from package secenv/secenvaws, so that a
// configuration without kms or secretsmanager fields does not link the SDK
// (several megabytes, and milliseconds of package initialisation at every
// cold start): secenv itself does not import the SDK.
//
// # Rotation
//
// A [Live] field holds a value that may rotate while the function is warm:
// it is fetched at first use and refreshed through the [Cache] (TTL with
// jitter, a DescribeSecret check that fetches the value only when its
// version changed, stale on error with capped exponential backoff, an
// error hook, and [Live.Do] to refresh at once when a credential is
// refused). Version stages and IDs are picked with the envVersionStage and
// envVersionID tags or [NewLive]; SSM Parameter Store values use the ssm
// option; a struct field with the secretsmanager option, such as
// [RDSSecret], is filled from one JSON secret.
//
// KMS values are decrypted with the encryption context
// {"LambdaFunctionName": $AWS_LAMBDA_FUNCTION_NAME}, as the Lambda console's
// encryption helpers produce them. All KMS and Secrets Manager calls of one
// [Load] run concurrently; Secrets Manager values are cached for five
// minutes across warm invocations.
//
// # Threat model
//
// secenv protects against:
//   - secrets in source or in plain environment variables: kms and
//     secretsmanager fields must be of type Secret, and a Secret field
//     cannot have an envDefault (except a secretsmanager reference);
//   - accidental disclosure of a loaded secret through fmt, log, slog, json,
//     xml, text or gob, including as a field of a printed struct, and of its
//     common encodings (JSON-escaped, base64, URL-escaped) and ciphertext
//     through any logger that scrubs with the redact registry;
//   - secrets in error messages: errors name the field and the variable and
//     carry AWS error codes, never values, ciphertexts or service messages;
//   - ciphertext reuse across functions: the default encryption context binds
//     a ciphertext to the function name, and [WithKMSKeyID] pins the key;
//   - half-configured functions: Load reports every problem at once and
//     leaves the destination untouched on error, so a function fails its
//     cold start rather than running with a missing secret;
//   - outages and rotation: a [Live] value is served stale only for
//     [CacheConfig.MaxStale] and every failed refresh goes to OnError, a
//     value never fetched is an error rather than an empty secret, a
//     refresh after a refused credential is rate-limited so that a caller
//     cannot hammer Secrets Manager, and an SSM SecureString never loads
//     into a field that prints.
//
// It does not protect against code that reveals a secret and sends it
// somewhere on purpose, against values shorter than four bytes (too short
// to scrub; Load logs a warning), against an attacker who can read the
// process's memory or its environment, or against a function role that may
// decrypt more than it should: IAM and key policies remain the boundary.
//
// # Testing
//
// Package [github.com/seclambda/seclambda/secenv/secenvtest] has in-memory
// KMS and Secrets Manager clients for [WithClients], so that unit tests load
// a configuration with kms and secretsmanager fields without AWS; a wrong
// encryption context fails there with [ErrWrongContext], as in Lambda.
package secenv

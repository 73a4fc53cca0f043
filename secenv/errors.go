package secenv

import (
	"errors"
	"strings"
)

// Sentinel errors. [Load] wraps them in a [*FieldError] that names the field
// and the variable; match them with errors.Is. Several wrap a second,
// more specific sentinel: a wrong encryption context matches both
// [ErrDecrypt] and [ErrWrongContext].
var (
	// ErrConfig reports a programming error: dst is not a pointer to a
	// struct, a tag is malformed or uses an option that is not supported
	// (yet), a field type is unsupported, a kms or secretsmanager field is
	// not of type Secret, no client was given for one ([WithClients]), or
	// the options contradict each other or cannot be meant: an empty
	// [WithKMSKeyID], or it together with [InsecureAllowAnyKMSKey]. An
	// option error is returned alone, before any variable is read.
	ErrConfig = errors.New("secenv: invalid configuration")

	// ErrMissing reports a required variable that is not set.
	ErrMissing = errors.New("secenv: required variable is not set")

	// ErrEmpty reports a required variable that is set to the empty string.
	ErrEmpty = errors.New("secenv: required variable is empty")

	// ErrInvalid reports a value that does not parse as the field's type.
	ErrInvalid = errors.New("secenv: invalid value")

	// ErrCiphertext reports a kms value that is only white space, is not
	// base64 (standard or URL alphabet, padded or not), or decodes to no
	// bytes or to more than 6144 bytes, the largest CiphertextBlob that KMS
	// Decrypt accepts; the message says which. Any other length is sent to
	// KMS, which refuses what is not a ciphertext ([ErrDecrypt]).
	ErrCiphertext = errors.New("secenv: value is not a base64 KMS ciphertext")

	// ErrDecrypt is the category of every KMS decrypt failure.
	ErrDecrypt = errors.New("secenv: KMS decrypt failed")

	// ErrWrongContext reports a ciphertext that KMS refused with the
	// encryption context in use (InvalidCiphertextException): it was
	// encrypted with another context, or it is corrupted.
	ErrWrongContext = errors.New("secenv: wrong encryption context or corrupted ciphertext")

	// ErrNoContext reports that the default encryption context cannot be
	// built because AWS_LAMBDA_FUNCTION_NAME is not set. Set it, or pass
	// [WithEncryptionContext].
	ErrNoContext = errors.New("secenv: AWS_LAMBDA_FUNCTION_NAME is not set, so the default encryption context is unknown")

	// ErrKeyUnknown reports a KMS key that does not exist, is disabled or
	// pending deletion, or that the function may not use.
	ErrKeyUnknown = errors.New("secenv: KMS key is unknown, disabled or not accessible")

	// ErrKeyMismatch reports a ciphertext that was not encrypted under the
	// key pinned with [WithKMSKeyID].
	ErrKeyMismatch = errors.New("secenv: ciphertext is not under the pinned KMS key")

	// ErrNoKeyID reports a KMS Decrypt response that does not say which key
	// decrypted the ciphertext (no KeyId), so that the key pinned with
	// [WithKMSKeyID] cannot be checked. Real KMS always names the key; a
	// client that drops it (a wrapper or a test double) is at fault.
	ErrNoKeyID = errors.New("secenv: KMS response has no KeyId")

	// ErrSecretsManager is the category of every Secrets Manager failure.
	ErrSecretsManager = errors.New("secenv: Secrets Manager lookup failed")

	// ErrSecretNotFound reports a secret that does not exist or that the
	// function may not read.
	ErrSecretNotFound = errors.New("secenv: secret not found or not accessible")

	// ErrSecretKey reports a #jsonKey that the secret does not have, or a
	// secret that is not a JSON object.
	ErrSecretKey = errors.New("secenv: JSON key not found in secret")

	// ErrUnavailable reports a service that stayed throttled, failing or
	// unreachable after the SDK's retries. It is an outage, not a
	// configuration mistake: a later cold start may succeed.
	ErrUnavailable = errors.New("secenv: service unavailable after retries")

	// ErrNotEncodable is returned by [Secret.GobEncode].
	ErrNotEncodable = errors.New("secenv: a Secret cannot be gob-encoded")
)

// FieldError is one problem with one field. [Load] returns every FieldError
// at once, joined with errors.Join. Its message names the Go field and the
// environment variable and never contains a value, plaintext or ciphertext.
type FieldError struct {
	// Field is the Go field path in the struct, such as "DB.Password".
	Field string
	// Var is the environment variable, prefix included, such as
	// "DB_PASSWORD". It is empty for setup errors on untagged fields.
	Var string
	// Err is the cause; it wraps one or more sentinels of this package and,
	// for AWS failures, the SDK error (reachable with errors.As).
	Err error
}

// Error names the variable and field and describes the problem.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("secenv: ")
	if e.Var != "" {
		b.WriteString(e.Var)
		b.WriteString(" (field ")
		b.WriteString(e.Field)
		b.WriteString(")")
	} else {
		b.WriteString("field ")
		b.WriteString(e.Field)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "secenv: "))
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// detailError carries a message of its own and wraps several errors, so that
// errors.Is finds the category, the specific sentinel and the SDK cause,
// while Error prints only msg.
type detailError struct {
	msg  string
	errs []error
}

func (e *detailError) Error() string   { return e.msg }
func (e *detailError) Unwrap() []error { return e.errs }

// detail builds a detailError whose message is the first sentinel's text
// (without the package prefix), then ": " and the second's, and so on,
// ending with extra in parentheses when it is not empty.
func detail(extra string, errs ...error) error {
	var b strings.Builder
	b.WriteString("secenv: ")
	n := 0
	for _, e := range errs {
		if _, ok := e.(*awsCause); ok || e == nil {
			continue
		}
		if n > 0 {
			b.WriteString(": ")
		}
		b.WriteString(strings.TrimPrefix(e.Error(), "secenv: "))
		n++
	}
	if extra != "" {
		b.WriteString(" (")
		b.WriteString(extra)
		b.WriteString(")")
	}
	return &detailError{msg: b.String(), errs: errs}
}

// awsCause wraps an SDK or transport error so that its message, which a
// service may fill with request data, is never printed: Error returns only
// the error code. errors.As still reaches the SDK error.
type awsCause struct {
	code string
	err  error
}

func (e *awsCause) Error() string { return e.code }
func (e *awsCause) Unwrap() error { return e.err }

// errFlightPanicked is what waiters of a single-flight fetch get if the
// fetch panicked.
var errFlightPanicked = errors.New("secenv: secret fetch panicked")

// Sentinels of rotation-aware values ([Live]) and SSM Parameter Store.
var (
	// ErrSSM is the category of every SSM Parameter Store failure. A
	// parameter that does not exist or that the function may not read
	// also matches [ErrSecretNotFound].
	ErrSSM = errors.New("secenv: SSM Parameter Store lookup failed")

	// ErrNotLoaded reports a [Live] value that no Load has set: the zero
	// Live, or an optional variable that was not set. A value that was
	// never fetched is an error, never an empty Secret.
	ErrNotLoaded = errors.New("secenv: value was not loaded")
)

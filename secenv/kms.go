package secenv

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"syscall"
)

// maxCiphertext is the largest CiphertextBlob that KMS Decrypt accepts.
const maxCiphertext = 6144

// lambdaContextKey is the encryption context key of the Lambda console's
// encryption helpers.
const lambdaContextKey = "LambdaFunctionName"

// decodeCiphertext decodes a base64 KMS ciphertext from an environment
// variable, accepting standard and URL alphabets with or without padding,
// and surrounding white space.
func decodeCiphertext(raw string) ([]byte, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, detail("empty or only white space", ErrCiphertext)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			switch {
			case len(b) == 0:
				return nil, detail("no bytes once decoded", ErrCiphertext)
			case len(b) > maxCiphertext:
				return nil, detail("longer than 6144 bytes once decoded", ErrCiphertext)
			}
			return b, nil
		}
	}
	return nil, detail("not valid base64", ErrCiphertext)
}

// encryptionContext returns the context to decrypt with, or nil for none.
func (o *options) encryptionContext() (map[string]string, error) {
	if o.encCtxSet {
		if len(o.encCtx) == 0 {
			return nil, nil
		}
		return o.encCtx, nil
	}
	name, _ := o.lookup("AWS_LAMBDA_FUNCTION_NAME")
	if name == "" {
		if o.fallback {
			return nil, nil
		}
		return nil, detail("", ErrDecrypt, ErrNoContext)
	}
	return map[string]string{lambdaContextKey: name}, nil
}

// decrypt decrypts one kms value with the configured context, falling back
// to no context when allowed, and checks the pinned key.
func (o *options) decrypt(ctx context.Context, c KMSClient, raw string) (string, error) {
	blob, err := decodeCiphertext(raw)
	if err != nil {
		return "", err
	}
	ec, err := o.encryptionContext()
	if err != nil {
		return "", err
	}
	in := &DecryptInput{CiphertextBlob: blob, EncryptionContext: ec, KeyID: o.keyID}
	out, err := c.Decrypt(ctx, in)
	if err != nil && ec != nil && o.fallback && codeOf(err) == "InvalidCiphertextException" {
		in.EncryptionContext = nil
		out, err = c.Decrypt(ctx, in)
	}
	if err != nil {
		return "", kmsError(err)
	}
	if out == nil {
		return "", detail("empty response", ErrDecrypt)
	}
	if o.keyID != "" && !keyMatches(o.keyID, out.KeyID) {
		clear(out.Plaintext)
		if out.KeyID == "" {
			// Fail closed, but say what is missing: the response, not the
			// ciphertext, is at fault.
			return "", detail("the KMS response has no KeyId to check the pinned key against", ErrDecrypt, ErrNoKeyID)
		}
		return "", detail("", ErrDecrypt, ErrKeyMismatch)
	}
	v := string(out.Plaintext)
	clear(out.Plaintext)
	return v, nil
}

// keyMatches reports whether got, the key ARN that KMS reports, is the
// pinned key; an empty got matches no key ID or ARN. Aliases cannot be
// checked here; KMS checked them already.
func keyMatches(pinned, got string) bool {
	switch {
	case strings.HasPrefix(pinned, "alias/"), strings.Contains(pinned, ":alias/"):
		return true
	case strings.HasPrefix(pinned, "arn:"):
		return got == pinned
	default:
		return got == pinned || strings.HasSuffix(got, ":key/"+pinned)
	}
}

// kmsError classifies a Decrypt failure. The message carries the AWS error
// code, never the service's message.
func kmsError(err error) error {
	code := codeOf(err)
	cause := &awsCause{code: code, err: err}
	switch code {
	case "InvalidCiphertextException":
		return detail(code, ErrDecrypt, ErrWrongContext, cause)
	case "IncorrectKeyException":
		return detail(code, ErrDecrypt, ErrKeyMismatch, cause)
	case "NotFoundException", "DisabledException", "KMSInvalidStateException", "AccessDeniedException",
		"InvalidKeyUsageException", "InvalidGrantTokenException":
		return detail(code, ErrDecrypt, ErrKeyUnknown, cause)
	case "ValidationException", "SerializationException":
		return detail(code, ErrDecrypt, ErrCiphertext, cause)
	case "":
		return transportError(err, ErrDecrypt)
	}
	if retryable(code) {
		return detail(code, ErrDecrypt, ErrUnavailable, cause)
	}
	return detail(code, ErrDecrypt, cause)
}

// retryable reports whether an AWS error code is an outage or throttling,
// which the SDK retried before giving up.
func retryable(code string) bool {
	switch code {
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
		"LimitExceededException", "KMSInternalException", "KeyUnavailableException",
		"DependencyTimeoutException", "InternalServiceError", "InternalFailure",
		"ServiceUnavailable", "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException":
		return true
	}
	return false
}

// transportError classifies a failure without an AWS error code: a
// cancelled context, a network failure, or a response that did not parse.
func transportError(err, category error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return detail("context canceled", category, context.Canceled, &awsCause{code: "context canceled", err: err})
	case errors.Is(err, context.DeadlineExceeded):
		return detail("deadline exceeded", category, ErrUnavailable, &awsCause{code: "deadline exceeded", err: err})
	}
	reason := "transport error"
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		reason = "connection closed"
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused"
	}
	return detail(reason, category, ErrUnavailable, &awsCause{code: reason, err: err})
}

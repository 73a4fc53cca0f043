package secenv

import (
	"context"
	"errors"
)

// KMSClient decrypts the values of kms fields. Package secenvaws adapts the
// AWS SDK's *kms.Client to it and builds the default client
// (secenvaws.Default); secenv itself does not link the SDK, so that a
// configuration without kms or secretsmanager fields does not pay for it.
//
// Decrypt must honour ctx and be safe for concurrent use: Load calls it for
// several fields at once. An error is classified by the AWS error code that
// an error in its chain reports through an ErrorCode() string method, as
// every AWS SDK for Go v2 API error does (smithy.APIError); an error without
// a code is a transport failure ([ErrUnavailable]). Load never prints an
// error's message, only its code.
type KMSClient interface {
	Decrypt(ctx context.Context, in *DecryptInput) (*DecryptOutput, error)
}

// DecryptInput is one KMS Decrypt request.
type DecryptInput struct {
	// CiphertextBlob is the ciphertext, decoded from base64.
	CiphertextBlob []byte
	// EncryptionContext is the encryption context; nil means none.
	EncryptionContext map[string]string
	// KeyID, when not empty, is the key that must have encrypted the
	// ciphertext (the KeyId of the KMS request), as [WithKMSKeyID] sets it.
	KeyID string
}

// DecryptOutput is the result of a KMS Decrypt.
type DecryptOutput struct {
	// Plaintext is the decrypted value. Load copies it into a Secret and
	// then overwrites it with zeros.
	Plaintext []byte
	// KeyID is the ARN of the key that decrypted the ciphertext.
	KeyID string
}

// SecretsManagerClient reads the current version of a secret for
// secretsmanager fields. Package secenvaws adapts the AWS SDK's
// *secretsmanager.Client to it. The rules of [KMSClient] apply: it honours
// ctx, is safe for concurrent use, and its errors are classified by their
// ErrorCode() string method. Its dynamic value should be comparable (a
// pointer, or a struct of pointers), so that the [Cache] can tell clients
// apart; values of a client that is not comparable are not cached.
type SecretsManagerClient interface {
	GetSecretValue(ctx context.Context, secretID string) (*SecretValue, error)
}

// SecretValue is one secret version: a string or binary secret.
type SecretValue struct {
	// SecretString is the value of a string secret, nil for a binary one.
	SecretString *string
	// SecretBinary is the value of a binary secret.
	SecretBinary []byte
	// VersionID is the ID of the version returned, when the client
	// reports it. The cache uses it to skip fetching a version it holds.
	VersionID string
}

// WithClients sets the clients that resolve kms and secretsmanager fields;
// a nil client leaves the one already set (by an earlier option) as it is.
// Most code passes secenvaws.Default(), or secenvaws.WithKMS and
// secenvaws.WithSecretsManager for SDK clients of its own, which call
// WithClients. Without a client, a kms or secretsmanager field is an
// [ErrConfig] error that names the variable, whether or not it is set.
func WithClients(kms KMSClient, sm SecretsManagerClient) Option {
	return func(o *options) {
		if kms != nil {
			o.kms = kms
		}
		if sm != nil {
			o.sm = sm
		}
	}
}

// errNoKMS and errNoSecretsManager are the ErrConfig details of a field
// whose client is missing.
var (
	errNoKMS = errors.New("a kms field needs a KMS client: pass secenvaws.Default() or secenvaws.WithKMS(client)")
	errNoSM  = errors.New("a secretsmanager field needs a Secrets Manager client: pass secenvaws.Default(), " +
		"secenvaws.WithSecretsManager(client) or secenv.WithSecretsExtension")
)

// codeOf returns the AWS error code that an error in err's chain reports,
// or "".
func codeOf(err error) string {
	var ce interface{ ErrorCode() string }
	if errors.As(err, &ce) {
		return ce.ErrorCode()
	}
	return ""
}

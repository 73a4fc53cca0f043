package secenvaws

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/seclambda/seclambda/secenv"
)

// KMSAPI is the part of the KMS API that secenv uses. *kms.Client satisfies
// it.
type KMSAPI interface {
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// SecretsManagerAPI is the part of the Secrets Manager API that secenv uses.
// *secretsmanager.Client satisfies it.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// WithKMS returns a [secenv.Option] that decrypts kms fields with c, such as
// a *kms.Client built from your own aws.Config. Its standard retryer retries
// throttling and 5xx responses, not AccessDenied or InvalidCiphertext. A nil
// c sets nothing.
func WithKMS(c KMSAPI) secenv.Option {
	if c == nil {
		return secenv.WithClients(nil, nil)
	}
	return secenv.WithClients(kmsClient{api: c}, nil)
}

// WithSecretsManager returns a [secenv.Option] that reads secretsmanager
// fields with c, such as a *secretsmanager.Client built from your own
// aws.Config. Build c once per cold start, not per invocation: the secenv
// cache keeps values per client. A nil c sets nothing.
func WithSecretsManager(c SecretsManagerAPI) secenv.Option {
	if c == nil {
		return secenv.WithClients(nil, nil)
	}
	return secenv.WithClients(nil, smClient{api: c})
}

// kmsClient adapts a KMSAPI. It is a comparable value: two adapters of the
// same client are equal.
type kmsClient struct{ api KMSAPI }

func (c kmsClient) Decrypt(ctx context.Context, in *secenv.DecryptInput) (*secenv.DecryptOutput, error) {
	return decrypt(ctx, c.api, in)
}

func decrypt(ctx context.Context, api KMSAPI, in *secenv.DecryptInput) (*secenv.DecryptOutput, error) {
	req := &kms.DecryptInput{CiphertextBlob: in.CiphertextBlob, EncryptionContext: in.EncryptionContext}
	if in.KeyID != "" {
		req.KeyId = aws.String(in.KeyID)
	}
	out, err := api.Decrypt(ctx, req)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errEmptyResponse
	}
	return &secenv.DecryptOutput{Plaintext: out.Plaintext, KeyID: aws.ToString(out.KeyId)}, nil
}

// smClient adapts a SecretsManagerAPI. It is comparable when the client is
// (a *secretsmanager.Client is), so the secenv cache recognises it.
type smClient struct{ api SecretsManagerAPI }

func (c smClient) GetSecretValue(ctx context.Context, id string) (*secenv.SecretValue, error) {
	return getSecretValue(ctx, c.api, id)
}

func getSecretValue(ctx context.Context, api SecretsManagerAPI, id string) (*secenv.SecretValue, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errEmptyResponse
	}
	return &secenv.SecretValue{SecretString: out.SecretString, SecretBinary: out.SecretBinary, VersionID: aws.ToString(out.VersionId)}, nil
}

// errEmptyResponse is returned for an SDK call that returned neither a
// result nor an error.
var errEmptyResponse = &codedError{code: "EmptyResponse", err: errors.New("secenvaws: the SDK returned no result and no error")}

// errNoDescribe is what DescribeSecret returns for a client without it.
var errNoDescribe = &codedError{code: "NotImplemented", err: errors.New("secenvaws: the Secrets Manager client has no DescribeSecret")}

// codedError gives an error that is not an AWS API error a code for
// secenv to report, as AWS API errors carry one.
type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string     { return e.code + ": " + e.err.Error() }
func (e *codedError) Unwrap() error     { return e.err }
func (e *codedError) ErrorCode() string { return e.code }

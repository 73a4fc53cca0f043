package testpeer

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KMSRegion and KMSAccountID are the region and account that local-kms
// reports in its key ARNs.
const (
	KMSRegion    = "us-east-1"
	KMSAccountID = "111122223333"
)

// KMS is a running local-kms. It is safe for concurrent use; tests that need
// isolation create their own keys.
type KMS struct {
	// Endpoint is the base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Client is an SDK client for Endpoint with static test credentials.
	Client *kms.Client
}

var kmsReady = regexp.MustCompile(`Local KMS started on [^:\s]*:(\d+)`)

// StartKMS returns the local-kms shared by this test binary, starting it on a
// free loopback port with a temporary data directory on first use.
func StartKMS(tb testing.TB) *KMS {
	tb.Helper()
	return startShared(tb, "StartKMS", &shared.kms, launchKMS)
}

// NewClient returns a new SDK client for this local-kms. Options such as a
// fault-injecting HTTPClient or a custom Retryer can be applied with optFns.
func (k *KMS) NewClient(optFns ...func(*kms.Options)) *kms.Client {
	return kms.New(kms.Options{
		Region:       KMSRegion,
		BaseEndpoint: aws.String(k.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTESTPEER", "test-secret", ""),
	}, optFns...)
}

// CreateKey creates a symmetric encryption key and returns its key ID and ARN.
func (k *KMS) CreateKey(tb testing.TB) (keyID, arn string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keyID, arn, err := k.CreateKeyContext(ctx, tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	return keyID, arn
}

// Encrypt encrypts plaintext under keyID with the encryption context
// encCtx (nil for none) and returns the base64 ciphertext blob, the form that
// the Lambda console and the AWS CLI put in environment variables.
func (k *KMS) Encrypt(tb testing.TB, keyID string, plaintext []byte, encCtx map[string]string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	blob, err := k.EncryptContext(ctx, keyID, plaintext, encCtx)
	if err != nil {
		tb.Fatal(err)
	}
	return blob
}

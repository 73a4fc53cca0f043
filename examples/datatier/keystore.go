package datatier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	keystore "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographykeystoresmithygenerated"
	keystoretypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographykeystoresmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// KeyStore names a branch key store: a DynamoDB table whose branch keys are
// wrapped by one KMS key.
type KeyStore struct {
	// Table is the key store's DynamoDB table. It is also the logical key
	// store name, which is bound into every branch key's encryption
	// context, so a restored or renamed table keeps the name it was
	// created with.
	Table string
	// KMSKeyARN is the ARN of the KMS key that wraps the branch keys. The
	// keyring calls KMS only with this key.
	KMSKeyARN string
}

// Open returns a key store client on ddb and kmsClient. It makes no call.
func (ks KeyStore) Open(ddb *dynamodb.Client, kmsClient *kms.Client) (*keystore.Client, error) {
	c, err := keystore.NewClient(keystoretypes.KeyStoreConfig{
		DdbTableName:        ks.Table,
		LogicalKeyStoreName: ks.Table,
		KmsConfiguration:    &keystoretypes.KMSConfigurationMemberkmsKeyArn{Value: ks.KMSKeyARN},
		DdbClient:           ddb,
		KmsClient:           kmsClient,
	})
	if err != nil {
		return nil, fmt.Errorf("datatier: key store %s: %w", ks.Table, err)
	}
	return c, nil
}

// CreateKeyStore creates the key store's table, with the key schema the
// key store requires, and waits until it is active.
func CreateKeyStore(ctx context.Context, ks KeyStore, ddb *dynamodb.Client, kmsClient *kms.Client) error {
	c, err := ks.Open(ddb, kmsClient)
	if err != nil {
		return err
	}
	if _, err := c.CreateKeyStore(ctx, keystoretypes.CreateKeyStoreInput{}); err != nil {
		return fmt.Errorf("datatier: create key store %s: %w", ks.Table, err)
	}
	return waitActive(ctx, ddb, ks.Table)
}

// CreateBranchKey creates a branch key in the key store with the key store's
// CreateKey (KMS GenerateDataKeyWithoutPlaintext and ReEncrypt under the
// key store's KMS key, then one DynamoDB TransactWriteItems of three
// conditional puts) and returns its ID.
func CreateBranchKey(ctx context.Context, ks KeyStore, ddb *dynamodb.Client, kmsClient *kms.Client) (string, error) {
	c, err := ks.Open(ddb, kmsClient)
	if err != nil {
		return "", err
	}
	out, err := c.CreateKey(ctx, keystoretypes.CreateKeyInput{})
	if err != nil {
		return "", fmt.Errorf("datatier: create branch key in %s: %w", ks.Table, err)
	}
	return out.BranchKeyIdentifier, nil
}

// PutsOneByOne returns an HTTP client for a DynamoDB client of dynalite,
// which implements no transactions: it applies a TransactWriteItems made
// only of Put actions as one conditional PutItem per action, in order, and
// stops at the first that fails. Every other request passes to next
// unchanged.
//
// It exists for [CreateBranchKey] against dynalite, the local peer, and is
// not atomic: a failure after the first put leaves the earlier items
// written. Never use it against DynamoDB.
func PutsOneByOne(next dynamodb.HTTPClient) dynamodb.HTTPClient {
	return putsOneByOne{next: next}
}

type putsOneByOne struct{ next dynamodb.HTTPClient }

const targetPrefix = "DynamoDB_20120810."

func (p putsOneByOne) Do(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") != targetPrefix+"TransactWriteItems" {
		return p.next.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	var in struct {
		TransactItems []map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("datatier: TransactWriteItems: %w", err)
	}
	for _, item := range in.TransactItems {
		put, ok := item["Put"]
		if !ok || len(item) != 1 {
			return nil, fmt.Errorf("datatier: TransactWriteItems: only Put actions can be applied one by one")
		}
		req := r.Clone(r.Context())
		req.Header.Set("X-Amz-Target", targetPrefix+"PutItem")
		req.Body = io.NopCloser(bytes.NewReader(put))
		req.ContentLength = int64(len(put))
		resp, err := p.next.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			return resp, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:    io.NopCloser(strings.NewReader("{}")),
		Request: r,
	}, nil
}

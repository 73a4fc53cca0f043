package datatier

import (
	"context"
	"errors"
	"fmt"
	"time"

	keystore "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographykeystoresmithygenerated"
	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"

	"github.com/seclambda/seclambda/secenv"
)

// CacheTTL is how long the keyring keeps an unwrapped branch key: within it,
// encrypting and decrypting make no KMS or DynamoDB call; after it, the next
// operation reads the branch key again (one DynamoDB GetItem, one KMS
// Decrypt). It bounds how long a function keeps using a branch key after
// access to the KMS key was revoked.
const CacheTTL = 5 * time.Minute

// Suite is the algorithm suite of every note: AES-256-GCM with HKDF-SHA512
// key derivation and key commitment, without a signature. The SDK's default
// suite adds an ECDSA P-384 signature to every message, which costs more
// than the rest of the encryption of a short note; a signature protects
// against a reader of the data that is not trusted to write it, and here the
// same function reads and writes, so key commitment (one ciphertext decrypts
// under one data key only) is what is needed.
const Suite = mpltypes.ESDKAlgorithmSuiteIdAlgAes256GcmHkdfSha512CommitKey

// Encryption context keys. The context is not secret: the SDK stores it, in
// the clear, inside each message.
const (
	ContextTable = "table"
	ContextOwner = "owner"
	ContextNote  = "note"
)

// ErrDecrypt is returned by [Cipher.Decrypt] for a ciphertext that does not
// decrypt under the expected encryption context: it was moved, altered, or
// encrypted for another place or with another key. Callers answer it as
// not found.
var ErrDecrypt = errors.New("datatier: ciphertext does not decrypt for this note")

// EncryptionContext binds a note's ciphertext to its table, owner and ID.
func EncryptionContext(table, owner, id string) map[string]string {
	return map[string]string{ContextTable: table, ContextOwner: owner, ContextNote: id}
}

// Cipher encrypts and decrypts note texts for one table with a Hierarchical
// keyring on one branch key. It is safe for concurrent use.
type Cipher struct {
	table   string
	client  *esdk.Client
	keyring mpltypes.IKeyring
}

// NewCipher returns a Cipher for table whose keyring uses the branch key
// branchKeyID of the key store ks, cached for ttl (zero means [CacheTTL]).
// It makes no call: the branch key is read on first use.
func NewCipher(table string, ks *keystore.Client, branchKeyID string, ttl time.Duration) (*Cipher, error) {
	if table == "" || ks == nil || branchKeyID == "" || ttl < 0 {
		return nil, errors.New("datatier: NewCipher needs a table, a key store, a branch key ID and a TTL of zero or more")
	}
	if ttl == 0 {
		ttl = CacheTTL
	}
	matProv, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		return nil, fmt.Errorf("datatier: %w", err)
	}
	keyring, err := matProv.CreateAwsKmsHierarchicalKeyring(context.Background(), mpltypes.CreateAwsKmsHierarchicalKeyringInput{
		KeyStore:    ks,
		BranchKeyId: &branchKeyID,
		TtlSeconds:  int64(ttl / time.Second),
		// The default cache: encrypting uses the active branch key and
		// decrypting a branch key version, two entries per branch key (a
		// cache of one entry would evict one for the other and call KMS on
		// every note).
	})
	if err != nil {
		return nil, fmt.Errorf("datatier: hierarchical keyring: %w", err)
	}
	// Require key commitment on encrypt and decrypt (the SDK's default,
	// stated here), and accept one encrypted data key, which is all that a
	// Hierarchical keyring writes: a message with more is not ours.
	policy := mpltypes.ESDKCommitmentPolicyRequireEncryptRequireDecrypt
	maxEDKs := int64(1)
	client, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy, MaxEncryptedDataKeys: &maxEDKs})
	if err != nil {
		return nil, fmt.Errorf("datatier: %w", err)
	}
	return &Cipher{table: table, client: client, keyring: keyring}, nil
}

// Encrypt encrypts text for the note id of owner. Errors never contain the
// text.
func (c *Cipher) Encrypt(ctx context.Context, owner, id string, text []byte) ([]byte, error) {
	if text == nil {
		text = []byte{} // the SDK panics on a nil plaintext
	}
	suite := Suite
	out, err := c.client.Encrypt(ctx, esdktypes.EncryptInput{
		Plaintext:         text,
		EncryptionContext: EncryptionContext(c.table, owner, id),
		Keyring:           c.keyring,
		AlgorithmSuiteId:  &suite,
	})
	if err != nil {
		return nil, fmt.Errorf("datatier: encrypt: %w", err)
	}
	return out.Ciphertext, nil
}

// Decrypt decrypts the ciphertext of the note id of owner and returns the
// text as a Secret, which prints as a mask. A ciphertext that was not
// encrypted for exactly this table, owner and note fails with an error that
// matches [ErrDecrypt].
func (c *Cipher) Decrypt(ctx context.Context, owner, id string, ciphertext []byte) (secenv.Secret, error) {
	want := EncryptionContext(c.table, owner, id)
	out, err := c.client.Decrypt(ctx, esdktypes.DecryptInput{
		Ciphertext: ciphertext,
		// The SDK fails unless the message's stored context has each of
		// these pairs.
		EncryptionContext: want,
		Keyring:           c.keyring,
	})
	if err != nil {
		return secenv.Secret{}, c.classify(ctx, owner, id, err)
	}
	// Belt and braces: check the context the message carried.
	for k, v := range want {
		if out.EncryptionContext[k] != v {
			return secenv.Secret{}, ErrDecrypt
		}
	}
	return secenv.NewSecret(string(out.Plaintext)), nil
}

// classify tells a ciphertext that does not decrypt here ([ErrDecrypt])
// from an outage of the key store or KMS. The SDK's errors do not keep the
// cause apart (its KMS and DynamoDB errors cross a generated layer), so it
// asks the keyring directly: if an empty text for the same place encrypts,
// the branch key is at hand and the ciphertext is at fault. The probe costs
// nothing more while the branch key is cached.
func (c *Cipher) classify(ctx context.Context, owner, id string, err error) error {
	if _, perr := c.Encrypt(ctx, owner, id, nil); perr != nil {
		return fmt.Errorf("datatier: decrypt: key store or KMS unavailable: %w", perr)
	}
	return fmt.Errorf("%w: %w", ErrDecrypt, err)
}

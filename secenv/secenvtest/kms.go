package secenvtest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"

	"github.com/seclambda/seclambda/secenv"
)

// Region and AccountID are the region and account in the ARNs of [KMS]
// keys and [SecretsManager] secrets.
const (
	Region    = "us-east-1"
	AccountID = "111122223333"
)

// APIError is an error with an AWS error code, as an AWS SDK API error
// reports it: secenv classifies errors by their ErrorCode.
type APIError struct {
	// Code is the AWS error code, such as "InvalidCiphertextException".
	Code string
	// Message says what failed; it never holds a value or a ciphertext.
	Message string
}

// Error returns the code and the message.
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns e.Code.
func (e *APIError) ErrorCode() string { return e.Code }

// KMS is an in-memory stand-in for the KMS Decrypt API that implements
// secenv.KMSClient. It holds symmetric keys by ID, each with an ARN and
// optional aliases, and fails as KMS fails; see the package doc. The zero
// KMS is not usable; call [NewKMS]. A KMS is safe for concurrent use.
type KMS struct {
	mu      sync.Mutex
	keys    map[string]*kmsKey // by key ID
	aliases map[string]string  // "alias/name" -> key ID
	first   string             // the key NewKMS created
}

type kmsKey struct {
	id, arn  string
	aead     cipher.AEAD
	disabled bool
}

// NewKMS returns a KMS with one enabled key, whose ARN is [KMS.KeyARN].
func NewKMS() *KMS {
	k := &KMS{keys: map[string]*kmsKey{}, aliases: map[string]string{}}
	k.first = k.CreateKey()
	return k
}

// CreateKey adds an enabled key and returns its key ID (a UUID); its ARN
// is arn:aws:kms:[Region]:[AccountID]:key/ID.
func (k *KMS) CreateKey() string {
	var raw [32]byte
	var id [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	if _, err := rand.Read(id[:]); err != nil {
		panic(err)
	}
	block, err := aes.NewCipher(raw[:])
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80
	h := hex.EncodeToString(id[:])
	keyID := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[keyID] = &kmsKey{id: keyID, arn: keyARN(keyID), aead: aead}
	return keyID
}

func keyARN(id string) string { return "arn:aws:kms:" + Region + ":" + AccountID + ":key/" + id }

// KeyID returns the ID of the key that [NewKMS] created.
func (k *KMS) KeyID() string { return k.first }

// KeyARN returns the ARN of the key that [NewKMS] created, the form to pin
// with secenv.WithKMSKeyID.
func (k *KMS) KeyARN() string { return keyARN(k.first) }

// CreateAlias names the key keyID "alias/" + name (name without the
// prefix), or moves the alias to it.
func (k *KMS) CreateAlias(name, keyID string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := k.resolve(keyID)
	if key == nil {
		return &APIError{Code: "NotFoundException", Message: "key does not exist"}
	}
	k.aliases["alias/"+strings.TrimPrefix(name, "alias/")] = key.id
	return nil
}

// SetKeyEnabled enables or disables a key. Decrypting under a disabled key
// fails with DisabledException (secenv.ErrKeyUnknown).
func (k *KMS) SetKeyEnabled(keyID string, enabled bool) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := k.resolve(keyID)
	if key == nil {
		return &APIError{Code: "NotFoundException", Message: "key does not exist"}
	}
	key.disabled = !enabled
	return nil
}

// resolve finds a key by ID, ARN, alias name or alias ARN; k.mu is held.
func (k *KMS) resolve(ref string) *kmsKey {
	if i := strings.Index(ref, ":alias/"); strings.HasPrefix(ref, "arn:") && i >= 0 {
		ref = ref[i+1:]
	}
	if id, ok := k.aliases[ref]; ok {
		ref = id
	}
	ref = strings.TrimPrefix(ref, "arn:aws:kms:"+Region+":"+AccountID+":key/")
	return k.keys[ref]
}

// Encrypt encrypts plaintext under the key keyID (ID, ARN or alias) with
// the encryption context encCtx (nil for none), and returns the ciphertext
// in base64, the form of a kms variable.
func (k *KMS) Encrypt(keyID string, plaintext []byte, encCtx map[string]string) (string, error) {
	k.mu.Lock()
	key := k.resolve(keyID)
	k.mu.Unlock()
	if key == nil {
		return "", &APIError{Code: "NotFoundException", Message: "key does not exist"}
	}
	if key.disabled {
		return "", &APIError{Code: "DisabledException", Message: "key is disabled"}
	}
	// blob: version, key ID length, key ID, nonce, sealed plaintext.
	blob := []byte{1, byte(len(key.id))}
	blob = append(blob, key.id...)
	nonce := make([]byte, key.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	blob = append(blob, nonce...)
	blob = key.aead.Seal(blob, nonce, plaintext, aad(encCtx))
	return base64.StdEncoding.EncodeToString(blob), nil
}

// EncryptForFunction encrypts value under the key of [NewKMS] with the
// encryption context {"LambdaFunctionName": functionName}, as the Lambda
// console's encryption helpers do and as secenv decrypts by default when
// AWS_LAMBDA_FUNCTION_NAME is functionName.
func (k *KMS) EncryptForFunction(functionName, value string) string {
	s, err := k.Encrypt(k.first, []byte(value), map[string]string{"LambdaFunctionName": functionName})
	if err != nil {
		panic(err) // the first key exists; only a disabled key fails
	}
	return s
}

// aad is the additional data of an encryption context: its canonical JSON
// (encoding/json sorts map keys). An empty context and none are the same,
// as in KMS.
func aad(encCtx map[string]string) []byte {
	if len(encCtx) == 0 {
		return nil
	}
	b, err := json.Marshal(encCtx)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return b
}

// Decrypt implements secenv.KMSClient with KMS's rules: a ciphertext that
// does not parse, or does not open under its key with in's encryption
// context, fails with InvalidCiphertextException; one under another key
// than in.KeyID with IncorrectKeyException; a KeyID that names no key with
// NotFoundException; a disabled key with DisabledException. The output
// names the key by ARN.
func (k *KMS) Decrypt(ctx context.Context, in *secenv.DecryptInput) (*secenv.DecryptOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	blob := in.CiphertextBlob
	invalid := &APIError{Code: "InvalidCiphertextException", Message: "the ciphertext or its encryption context is invalid"}
	if len(blob) < 2 || blob[0] != 1 || len(blob) < 2+int(blob[1]) {
		return nil, invalid
	}
	id, rest := blob[2:2+int(blob[1])], blob[2+int(blob[1]):]
	k.mu.Lock()
	key := k.keys[string(id)]
	var want *kmsKey
	if in.KeyID != "" {
		want = k.resolve(in.KeyID)
	}
	k.mu.Unlock()
	switch {
	case in.KeyID != "" && want == nil:
		return nil, &APIError{Code: "NotFoundException", Message: "the requested key does not exist"}
	case key == nil:
		return nil, invalid
	case want != nil && want != key:
		return nil, &APIError{Code: "IncorrectKeyException", Message: "the ciphertext was encrypted under another key"}
	case key.disabled:
		return nil, &APIError{Code: "DisabledException", Message: "key is disabled"}
	}
	ns := key.aead.NonceSize()
	if len(rest) < ns {
		return nil, invalid
	}
	pt, err := key.aead.Open(nil, rest[:ns], rest[ns:], aad(in.EncryptionContext))
	if err != nil {
		return nil, invalid
	}
	return &secenv.DecryptOutput{Plaintext: pt, KeyID: key.arn}, nil
}

var _ secenv.KMSClient = (*KMS)(nil)

// errNotFound is the error of a secret that does not exist.
func errNotFound() error {
	return &APIError{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
}

// Env is a set of environment variables for secenv.WithLookup, so that a
// test does not change the process environment.
type Env map[string]string

// Lookup returns the variable name and whether it is set, as
// os.LookupEnv does.
func (e Env) Lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

package secenvtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sync"

	"github.com/seclambda/seclambda/secenv"
)

// SecretsManager is an in-memory stand-in for the Secrets Manager
// GetSecretValue API that implements secenv.SecretsManagerClient: it serves
// the current version of named secrets, found by name or ARN, and fails
// with ResourceNotFoundException (secenv.ErrSecretNotFound) for any other
// ID. The zero SecretsManager is not usable; call [NewSecretsManager]. A
// SecretsManager is safe for concurrent use; use one per test, since
// secenv's cache keeps values per client.
type SecretsManager struct {
	mu      sync.Mutex
	secrets map[string]*secret // by name
	calls   int
}

type secret struct {
	arn string
	str *string
	bin []byte
}

// NewSecretsManager returns a SecretsManager without secrets.
func NewSecretsManager() *SecretsManager {
	return &SecretsManager{secrets: map[string]*secret{}}
}

// PutString stores value as the current version of the string secret name
// and returns its ARN (arn:aws:secretsmanager:[Region]:[AccountID]:secret:
// name-XXXXXX, with six random characters as AWS appends them).
func (s *SecretsManager) PutString(name, value string) string {
	return s.put(name, &secret{str: &value})
}

// PutBinary stores value as the current version of the binary secret name
// and returns its ARN.
func (s *SecretsManager) PutBinary(name string, value []byte) string {
	return s.put(name, &secret{bin: slices.Clone(value)})
}

func (s *SecretsManager) put(name string, v *secret) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.secrets[name]; ok {
		v.arn = old.arn
	} else {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		v.arn = "arn:aws:secretsmanager:" + Region + ":" + AccountID + ":secret:" + name + "-" + hex.EncodeToString(b[:])
	}
	s.secrets[name] = v
	return v.arn
}

// Delete removes the secret name; reading it then fails with
// ResourceNotFoundException.
func (s *SecretsManager) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, name)
}

// Calls returns how many GetSecretValue calls s has answered, so that a
// test can see secenv's cache at work.
func (s *SecretsManager) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// GetSecretValue implements secenv.SecretsManagerClient.
func (s *SecretsManager) GetSecretValue(ctx context.Context, secretID string) (*secenv.SecretValue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	v, ok := s.secrets[secretID]
	if !ok {
		for _, c := range s.secrets {
			if c.arn == secretID {
				v, ok = c, true
				break
			}
		}
	}
	if !ok {
		return nil, errNotFound()
	}
	out := &secenv.SecretValue{SecretBinary: slices.Clone(v.bin)}
	if v.str != nil {
		str := *v.str
		out.SecretString = &str
	}
	return out, nil
}

var _ secenv.SecretsManagerClient = (*SecretsManager)(nil)

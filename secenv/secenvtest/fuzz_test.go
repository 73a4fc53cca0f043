package secenvtest_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvtest"
)

// FuzzDecrypt feeds arbitrary blobs to the kit's Decrypt: it never panics,
// and a blob that decrypts is one the kit made, with its plaintext.
func FuzzDecrypt(f *testing.F) {
	k := secenvtest.NewKMS()
	const plaintext = "fuzz-marker-plaintext"
	good, err := k.Encrypt(k.KeyID(), []byte(plaintext), map[string]string{"a": "b"})
	if err != nil {
		f.Fatal(err)
	}
	blob, _ := base64.StdEncoding.DecodeString(good)
	f.Add(blob, "a", "b")
	f.Add([]byte{1, 200}, "", "")
	f.Add([]byte{}, "a", "b")
	f.Fuzz(func(t *testing.T, blob []byte, key, value string) {
		out, err := k.Decrypt(context.Background(), &secenv.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{key: value}})
		if err != nil {
			return
		}
		if string(out.Plaintext) != plaintext || out.KeyID != k.KeyARN() {
			t.Fatalf("decrypted %q under %q", out.Plaintext, out.KeyID)
		}
	})
}

package datatier_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// BenchmarkNote encrypts and decrypts a 1 KiB note: with the Cipher
// (AWS Encryption SDK, Hierarchical keyring, branch key cached) and, as the
// floor, with bare AES-256-GCM (a fresh nonce, the same additional data
// size as the encryption context). The Cipher's run reports the KMS calls
// it made per operation, through a proxy in front of local-kms: 0 once the
// branch key is cached. bench/cmd/report runs it for BENCHMARKS.md.
func BenchmarkNote(b *testing.B) {
	text := make([]byte, 1024)
	_, _ = rand.Read(text)
	b.Run("hierarchical", func(b *testing.B) {
		ctx := b.Context()
		k := testpeer.StartKMS(b)
		proxy := testpeer.StartProxy(b, k.Endpoint)
		kmsClient := (&testpeer.KMS{Endpoint: proxy.URL}).NewClient()
		_, keyARN := k.CreateKey(b)
		ddb := datatier.LocalDynamo(testpeer.StartDynamo(b).Endpoint, testpeer.DynamoRegion)
		ks := datatier.KeyStore{Table: "bench-keystore-" + randName(), KMSKeyARN: keyARN}
		local, err := datatier.Provision(ctx, ddb, kmsClient, "bench-notes-"+randName(), ks)
		if err != nil {
			b.Fatal(err)
		}
		store, err := ks.Open(ddb, kmsClient)
		if err != nil {
			b.Fatal(err)
		}
		c, err := datatier.NewCipher(local.NotesTable, store, local.BranchKeyID, 0)
		if err != nil {
			b.Fatal(err)
		}
		// Warm the cache: the active branch key (encrypt) and its version
		// (decrypt).
		ct, err := c.Encrypt(ctx, "owner", "note", text)
		if err == nil {
			_, err = c.Decrypt(ctx, "owner", "note", ct)
		}
		if err != nil {
			b.Fatal(err)
		}
		calls := proxy.Requests()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			ct, err := c.Encrypt(ctx, "owner", "note", text)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Decrypt(ctx, "owner", "note", ct); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(proxy.Requests()-calls)/float64(b.N), "kms-calls/op")
	})
	b.Run("aes-256-gcm", func(b *testing.B) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		aad := []byte("table=bench-notes,owner=owner,note=note")
		b.ReportAllocs()
		for b.Loop() {
			block, err := aes.NewCipher(key)
			if err != nil {
				b.Fatal(err)
			}
			gcm, err := cipher.NewGCM(block)
			if err != nil {
				b.Fatal(err)
			}
			nonce := make([]byte, gcm.NonceSize())
			_, _ = rand.Read(nonce)
			ct := gcm.Seal(nonce, nonce, text, aad)
			if _, err := gcm.Open(nil, ct[:gcm.NonceSize()], ct[gcm.NonceSize():], aad); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func randName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 12)
	for _, c := range b {
		out = append(out, hex[c>>4], hex[c&15])
	}
	return string(out)
}

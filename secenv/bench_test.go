package secenv_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// benchLatency is the round trip added to every KMS call, roughly a Lambda
// function's in-region latency to KMS.
const benchLatency = 20 * time.Millisecond

// BenchmarkLoadKMS20 loads 20 kms variables against local-kms behind a
// proxy that adds benchLatency to each call.
func BenchmarkLoadKMS20(b *testing.B) {
	k := testpeer.StartKMS(b)
	newDst, vars, _ := manyKMS(b, k, 20)
	p := testpeer.StartProxy(b, k.Endpoint)
	p.SetLatency(benchLatency)
	opts := []secenv.Option{secenvaws.WithKMS(kmsVia(k, p.URL)), secenv.WithLookup(vars.lookup), secenv.WithRegistry(redact.NewRegistry())}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := secenv.Load(ctx, newDst(), opts...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSequentialDecrypt20 is the plain loop that BenchmarkLoadKMS20
// replaces: 20 Decrypt calls, one after another, same proxy and latency.
func BenchmarkSequentialDecrypt20(b *testing.B) {
	k := testpeer.StartKMS(b)
	_, vars, _ := manyKMS(b, k, 20)
	p := testpeer.StartProxy(b, k.Endpoint)
	p.SetLatency(benchLatency)
	client := kmsVia(k, p.URL)
	blobs := make([][]byte, 20)
	for i := range blobs {
		blob, err := base64.StdEncoding.DecodeString(vars[fmt.Sprintf("V%d", i)])
		if err != nil {
			b.Fatal(err)
		}
		blobs[i] = blob
	}
	ec := map[string]string{"LambdaFunctionName": "bench-fn"}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, blob := range blobs {
			if _, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLoadPlain is a warm Load of plain variables with a cached plan.
func BenchmarkLoadPlain(b *testing.B) {
	type cfg struct {
		Table   string        `env:"TABLE_NAME,required"`
		Timeout time.Duration `env:"TIMEOUT" envDefault:"3s"`
		Port    int           `env:"PORT" envDefault:"8080"`
		Debug   bool          `env:"DEBUG"`
		Origins []string      `env:"ORIGINS"`
	}
	vars := env{"TABLE_NAME": "orders", "DEBUG": "true", "ORIGINS": "a,b"}
	opts := []secenv.Option{secenv.WithLookup(vars.lookup)}
	ctx := context.Background()
	b.ReportAllocs()
	for range b.N {
		var c cfg
		if err := secenv.Load(ctx, &c, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSecretCached is a warm invocation's Load of a Secrets
// Manager field served from the cache.
func BenchmarkLoadSecretCached(b *testing.B) {
	sm := testpeer.StartSecretsManager(b)
	sm.PutString("bench/db", `{"password":"bench-password"}`)
	var c struct {
		P secenv.Secret `env:"P,secretsmanager"`
	}
	opts := []secenv.Option{secenvaws.WithSecretsManager(smClient(sm)), secenv.WithCache(secenv.NewCache()),
		secenv.WithLookup(env{"P": "bench/db#password"}.lookup), secenv.WithRegistry(redact.NewRegistry())}
	ctx := context.Background()
	if err := secenv.Load(ctx, &c, opts...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := secenv.Load(ctx, &c, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSecretFormat prints a Secret with fmt, as a log line would.
func BenchmarkSecretFormat(b *testing.B) {
	s := secenv.NewSecret("bench-secret-value")
	b.ReportAllocs()
	for range b.N {
		_ = fmt.Sprintf("%v", s)
	}
}

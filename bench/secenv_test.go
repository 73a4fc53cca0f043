package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// The secenv contenders decrypt N KMS-encrypted environment variables
// through local-kms behind a proxy that adds kmsLatency to every call,
// about a Lambda function's in-region round trip to KMS:
//
//   - seclambda: secenv.Load into a struct of N kms Secret fields;
//   - sequential: the plain loop, N kms.Client.Decrypt calls one after
//     another, with the same client, ciphertexts and encryption context.

const kmsLatency = 20 * time.Millisecond

// kmsVars encrypts n values and returns a constructor of the struct that
// holds them, the variables (with AWS_LAMBDA_FUNCTION_NAME) and the
// ciphertext blobs.
func kmsVars(tb testing.TB, k *testpeer.KMS, keyID string, n int) (func() any, map[string]string, [][]byte) {
	tb.Helper()
	fields := make([]reflect.StructField, n)
	vars := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "bench-fn"}
	blobs := make([][]byte, n)
	for i := range fields {
		name := fmt.Sprintf("V%d", i)
		fields[i] = reflect.StructField{Name: name, Type: reflect.TypeFor[secenv.Secret](), Tag: reflect.StructTag(`env:"` + name + `,kms,required"`)}
		vars[name] = k.Encrypt(tb, keyID, []byte(fmt.Sprintf("secret-value-%02d", i)), map[string]string{"LambdaFunctionName": "bench-fn"})
		blob, err := base64.StdEncoding.DecodeString(vars[name])
		if err != nil {
			tb.Fatal(err)
		}
		blobs[i] = blob
	}
	typ := reflect.StructOf(fields)
	return func() any { return reflect.New(typ).Interface() }, vars, blobs
}

// BenchmarkSecenv loads 1, 5, 20 and 50 variables each way.
func BenchmarkSecenv(b *testing.B) {
	k := testpeer.StartKMS(b)
	keyID, _ := k.CreateKey(b)
	p := testpeer.StartProxy(b, k.Endpoint)
	p.SetLatency(kmsLatency)
	client := k.NewClient(func(o *kms.Options) { o.BaseEndpoint = aws.String(p.URL) })
	reg := redact.NewRegistry()
	ctx := context.Background()
	for _, n := range []int{1, 5, 20, 50} {
		newDst, vars, blobs := kmsVars(b, k, keyID, n)
		lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
		b.Run("seclambda/"+strconv.Itoa(n), func(b *testing.B) {
			opts := []secenv.Option{secenvaws.WithKMS(client), secenv.WithLookup(lookup), secenv.WithRegistry(reg)}
			b.ReportAllocs()
			for range b.N {
				if err := secenv.Load(ctx, newDst(), opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("sequential/"+strconv.Itoa(n), func(b *testing.B) {
			ec := map[string]string{"LambdaFunctionName": "bench-fn"}
			b.ReportAllocs()
			for range b.N {
				for _, blob := range blobs {
					if _, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

package secenvtest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
	"github.com/seclambda/seclambda/secenv/secenvtest"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

// sentinels are the secenv errors whose matches must agree between the kit
// and the real peers.
var sentinels = []error{
	secenv.ErrDecrypt, secenv.ErrWrongContext, secenv.ErrKeyUnknown, secenv.ErrKeyMismatch,
	secenv.ErrCiphertext, secenv.ErrNoContext, secenv.ErrUnavailable, secenv.ErrNoKeyID,
	secenv.ErrSecretsManager, secenv.ErrSecretNotFound, secenv.ErrSecretKey,
}

type kmsOnly struct {
	V secenv.Secret `env:"V,kms,required"`
}

type smOnly struct {
	V secenv.Secret `env:"V,secretsmanager,required"`
}

// peerKMS is one side of the KMS comparison: a way to make keys and
// ciphertexts, and the option that decrypts with it.
type peerKMS struct {
	createKey func(t *testing.T) (id, arn string)
	encrypt   func(t *testing.T, keyID, plaintext string, ec map[string]string) string
	disable   func(t *testing.T, keyID string)
	option    secenv.Option
}

func realKMS(t *testing.T) peerKMS {
	k := testpeer.StartKMS(t)
	return peerKMS{
		createKey: func(t *testing.T) (string, string) { return k.CreateKey(t) },
		encrypt: func(t *testing.T, keyID, p string, ec map[string]string) string {
			return k.Encrypt(t, keyID, []byte(p), ec)
		},
		disable: func(t *testing.T, keyID string) {
			if _, err := k.Client.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
				t.Fatal(err)
			}
		},
		option: secenvaws.WithKMS(k.NewClient()),
	}
}

func kitKMS(*testing.T) peerKMS {
	k := secenvtest.NewKMS()
	return peerKMS{
		createKey: func(*testing.T) (string, string) {
			id := k.CreateKey()
			return id, "arn:aws:kms:" + secenvtest.Region + ":" + secenvtest.AccountID + ":key/" + id
		},
		encrypt: func(t *testing.T, keyID, p string, ec map[string]string) string {
			s, err := k.Encrypt(keyID, []byte(p), ec)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		disable: func(t *testing.T, keyID string) {
			if err := k.SetKeyEnabled(keyID, false); err != nil {
				t.Fatal(err)
			}
		},
		option: secenv.WithClients(k, nil),
	}
}

// TestKMSConformance runs the same scenarios against local-kms through the
// AWS SDK and against secenvtest.KMS, and requires the same value or the
// same secenv sentinels from each.
func TestKMSConformance(t *testing.T) {
	const plaintext = "conformance-secret-value"
	fn := map[string]string{"LambdaFunctionName": "orders"}
	type scenario struct {
		name string
		// setup returns the variable's value and the options.
		setup  func(t *testing.T, p peerKMS) (string, []secenv.Option)
		fnName string
		// awsDiffers marks the one known way in which local-kms differs
		// from AWS KMS: given the KeyId of another key, AWS KMS refuses with
		// IncorrectKeyException ("The KeyId in a Decrypt request ... must
		// identify the same KMS key that was used to encrypt the
		// ciphertext", KMS API reference), local-kms with
		// InvalidCiphertextException. The kit follows AWS; both must still
		// fail as a decrypt error.
		awsDiffers bool
	}
	scenarios := []scenario{
		{name: "right context", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), nil
		}},
		{name: "other function", fnName: "billing", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), nil
		}},
		{name: "no context in ciphertext", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, nil), nil
		}},
		{name: "no context with fallback", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, nil), []secenv.Option{secenv.InsecureAllowNoContext()}
		}},
		{name: "custom context", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			ec := map[string]string{"app": "orders", "stage": "prod"}
			return p.encrypt(t, id, plaintext, ec), []secenv.Option{secenv.WithEncryptionContext(ec)}
		}},
		{name: "custom context, one value differs", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, map[string]string{"app": "orders", "stage": "prod"}),
				[]secenv.Option{secenv.WithEncryptionContext(map[string]string{"app": "orders", "stage": "dev"})}
		}},
		{name: "no function name", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), nil
		}},
		{name: "pinned key ID", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), []secenv.Option{secenv.WithKMSKeyID(id)}
		}},
		{name: "pinned key ARN", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, arn := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), []secenv.Option{secenv.WithKMSKeyID(arn)}
		}},
		{name: "pinned other key", fnName: "orders", awsDiffers: true, setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			other, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), []secenv.Option{secenv.WithKMSKeyID(other)}
		}},
		{name: "pinned unknown key", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			return p.encrypt(t, id, plaintext, fn), []secenv.Option{secenv.WithKMSKeyID("00000000-0000-4000-8000-000000000000")}
		}},
		{name: "disabled key", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			v := p.encrypt(t, id, plaintext, fn)
			p.disable(t, id)
			return v, nil
		}},
		{name: "base64 but not a ciphertext", fnName: "orders", setup: func(*testing.T, peerKMS) (string, []secenv.Option) {
			return base64.StdEncoding.EncodeToString([]byte("this is not a KMS ciphertext blob at all")), nil
		}},
		{name: "damaged ciphertext", fnName: "orders", setup: func(t *testing.T, p peerKMS) (string, []secenv.Option) {
			id, _ := p.createKey(t)
			b, _ := base64.StdEncoding.DecodeString(p.encrypt(t, id, plaintext, fn))
			b[len(b)-1] ^= 1
			return base64.StdEncoding.EncodeToString(b), nil
		}},
		{name: "not base64", fnName: "orders", setup: func(*testing.T, peerKMS) (string, []secenv.Option) {
			return "plaintext by mistake!", nil
		}},
	}
	sides := map[string]func(*testing.T) peerKMS{"local-kms": realKMS, "secenvtest": kitKMS}
	real, kit := sides["local-kms"](t), sides["secenvtest"](t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			type outcome struct {
				value   string
				matches []bool
				err     error
			}
			run := func(p peerKMS) outcome {
				v, opts := sc.setup(t, p)
				env := secenvtest.Env{"V": v}
				if sc.fnName != "" {
					env["AWS_LAMBDA_FUNCTION_NAME"] = sc.fnName
				}
				var c kmsOnly
				opts = append([]secenv.Option{p.option, secenv.WithLookup(env.Lookup), secenv.WithRegistry(redact.NewRegistry())}, opts...)
				err := secenv.Load(context.Background(), &c, opts...)
				o := outcome{err: err}
				if err == nil {
					o.value = c.V.Reveal()
				}
				for _, s := range sentinels {
					o.matches = append(o.matches, errors.Is(err, s))
				}
				return o
			}
			r, k := run(real), run(kit)
			if sc.awsDiffers {
				if !errors.Is(r.err, secenv.ErrDecrypt) || !errors.Is(k.err, secenv.ErrDecrypt) || !errors.Is(k.err, secenv.ErrKeyMismatch) {
					t.Fatalf("local-kms: %v; secenvtest: %v (want a decrypt error, and ErrKeyMismatch from the kit as from AWS)", r.err, k.err)
				}
				return
			}
			if (r.err == nil) != (k.err == nil) || r.value != k.value {
				t.Fatalf("local-kms: %q, %v; secenvtest: %q, %v", r.value, r.err, k.value, k.err)
			}
			for i, s := range sentinels {
				if r.matches[i] != k.matches[i] {
					t.Errorf("errors.Is(%v): local-kms %v (%v), secenvtest %v (%v)", s, r.matches[i], r.err, k.matches[i], k.err)
				}
			}
			if r.err == nil && r.value != plaintext {
				t.Fatalf("value %q", r.value)
			}
		})
	}
}

// TestSecretsManagerConformance compares secenvtest.SecretsManager with the
// Secrets Manager wire server through the AWS SDK.
func TestSecretsManagerConformance(t *testing.T) {
	wire := testpeer.StartSecretsManager(t)
	kit := secenvtest.NewSecretsManager()
	wireARN, _ := wire.PutString("prod/db", `{"password":"correct horse battery"}`)
	kitARN := kit.PutString("prod/db", `{"password":"correct horse battery"}`)
	wire.PutBinary("prod/bin", []byte("binary-secret-value"))
	kit.PutBinary("prod/bin", []byte("binary-secret-value"))
	tests := []struct {
		name string
		ref  func(arn string) string
	}{
		{"by name", func(string) string { return "prod/db" }},
		{"by ARN", func(arn string) string { return arn }},
		{"JSON key", func(string) string { return "prod/db#password" }},
		{"missing JSON key", func(string) string { return "prod/db#user" }},
		{"unknown secret", func(string) string { return "prod/none" }},
		{"binary", func(string) string { return "prod/bin" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			load := func(opt secenv.Option, arn string) (string, []bool, error) {
				env := secenvtest.Env{"V": tt.ref(arn)}
				var c smOnly
				err := secenv.Load(context.Background(), &c, opt, secenv.WithLookup(env.Lookup),
					secenv.WithRegistry(redact.NewRegistry()), secenv.WithCache(nil))
				var m []bool
				for _, s := range sentinels {
					m = append(m, errors.Is(err, s))
				}
				if err != nil {
					return "", m, err
				}
				return c.V.Reveal(), m, nil
			}
			rv, rm, rerr := load(secenvaws.WithSecretsManager(wire.NewClient()), wireARN)
			kv, km, kerr := load(secenv.WithClients(nil, kit), kitARN)
			if rv != kv || (rerr == nil) != (kerr == nil) {
				t.Fatalf("wire server: %q, %v; secenvtest: %q, %v", rv, rerr, kv, kerr)
			}
			for i, s := range sentinels {
				if rm[i] != km[i] {
					t.Errorf("errors.Is(%v): wire server %v (%v), secenvtest %v (%v)", s, rm[i], rerr, km[i], kerr)
				}
			}
		})
	}
}

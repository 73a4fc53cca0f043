package secenvaws_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// defaultEnv points the default AWS config at the local peers and away
// from any file or instance metadata on this machine.
func defaultEnv(t *testing.T, kmsURL, smURL string) {
	t.Helper()
	t.Setenv("AWS_REGION", testpeer.KMSRegion)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTPEER")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_ENDPOINT_URL_KMS", kmsURL)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", smURL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
}

// TestDefault loads kms and secretsmanager fields with the clients that
// Default builds from the default AWS config, against local-kms and the
// Secrets Manager wire server.
func TestDefault(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("prod/db", `{"password":"from-default-sm"}`)
	blob := k.Encrypt(t, keyID, []byte("from-default-kms"), map[string]string{"LambdaFunctionName": "default-fn"})
	vars := env{"AWS_LAMBDA_FUNCTION_NAME": "default-fn", "KEY": blob, "DB": "prod/db#password"}
	var c struct {
		Key  secenv.Secret `env:"KEY,kms,required"`
		DB   secenv.Secret `env:"DB,secretsmanager,required"`
		Live secenv.Live   `env:"DB,secretsmanager"`
	}

	// A default config that does not load fails each field, and the next
	// Load tries again. (This test is the only one that uses Default.)
	defaultEnv(t, k.Endpoint, sm.URL)
	t.Setenv("AWS_PROFILE", "no-such-profile")
	err := secenv.Load(context.Background(), &c, secenvaws.Default(), secenv.WithLookup(vars.lookup), secenv.WithRegistry(redact.NewRegistry()))
	var coded interface{ ErrorCode() string }
	if !errors.Is(err, secenv.ErrDecrypt) || !errors.Is(err, secenv.ErrSecretsManager) || !errors.As(err, &coded) || coded.ErrorCode() != "DefaultConfigError" {
		t.Fatalf("Load with a broken default config = %v, want DefaultConfigError for both fields", err)
	}

	defaultEnv(t, k.Endpoint, sm.URL)
	t.Setenv("AWS_PROFILE", "")
	for range 2 { // the second Load reuses the clients and hits the cache
		if err := secenv.Load(context.Background(), &c, secenvaws.Default(), secenv.WithLookup(vars.lookup),
			secenv.WithRegistry(redact.NewRegistry())); err != nil {
			t.Fatalf("Load with the default clients: %v", err)
		}
		if c.Key.Reveal() != "from-default-kms" || c.DB.Reveal() != "from-default-sm" {
			t.Fatal("wrong value")
		}
	}
	if n := sm.CallsFor("prod/db"); n != 1 {
		t.Errorf("the default Secrets Manager client read the secret %d times, want 1 (cached)", n)
	}
	// A Live through the default client: RefreshNow asks DescribeSecret
	// first and finds the version unchanged.
	if v, err := c.Live.Get(context.Background()); err != nil || v.Reveal() != "from-default-sm" {
		t.Fatalf("Live.Get with the default client: %v", err)
	}
	describes, gets := sm.OpCalls("DescribeSecret"), sm.OpCalls("GetSecretValue")
	if _, err := c.Live.RefreshNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sm.OpCalls("DescribeSecret") != describes+1 || sm.OpCalls("GetSecretValue") != gets {
		t.Errorf("RefreshNow of an unchanged secret: %d DescribeSecret, %d GetSecretValue; want 1 and 0",
			sm.OpCalls("DescribeSecret")-describes, sm.OpCalls("GetSecretValue")-gets)
	}
}

// TestWithClients checks the adapters of SDK clients: values, the SDK
// error reachable with errors.As, and the classification by error code.
func TestWithClients(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/token", "token-value-123")
	good := k.Encrypt(t, keyID, []byte("kms-value-123"), nil)
	other := k.Encrypt(t, keyID, []byte("kms-value-123"), map[string]string{"app": "other"})
	tests := []struct {
		name    string
		vars    env
		wantErr []error
	}{
		{name: "values", vars: env{"KEY": good, "TOKEN": "app/token"}},
		{name: "wrong context", vars: env{"KEY": other, "TOKEN": "app/token"}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrWrongContext}},
		{name: "unknown secret", vars: env{"KEY": good, "TOKEN": "app/none"}, wantErr: []error{secenv.ErrSecretsManager, secenv.ErrSecretNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c struct {
				Key   secenv.Secret `env:"KEY,kms"`
				Token secenv.Secret `env:"TOKEN,secretsmanager"`
			}
			err := secenv.Load(context.Background(), &c, secenvaws.WithKMS(k.Client), secenvaws.WithSecretsManager(sm.NewClient()),
				secenv.WithLookup(tt.vars.lookup), secenv.WithEncryptionContext(nil), secenv.WithCache(secenv.NewCache()),
				secenv.WithRegistry(redact.NewRegistry()))
			if tt.wantErr == nil {
				if err != nil || c.Key.Reveal() != "kms-value-123" || c.Token.Reveal() != "token-value-123" {
					t.Fatalf("Load = %v", err)
				}
				return
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Load error = %v, want %v", err, want)
				}
			}
			var ice *types.InvalidCiphertextException
			if errors.Is(err, secenv.ErrWrongContext) && !errors.As(err, &ice) {
				t.Errorf("the SDK error is not reachable with errors.As: %v", err)
			}
		})
	}
}

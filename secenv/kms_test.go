package secenv_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

type kmsConfig struct {
	Password secenv.Secret `env:"DB_PASSWORD,kms,required"`
	Region   string        `env:"REGION" envDefault:"eu-west-1"`
}

func TestLoadKMS(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyA, arnA := k.CreateKey(t)
	keyB, _ := k.CreateKey(t)
	keyGone, _ := k.CreateKey(t)
	const plaintext = "p@ss/word+with&odd=chars"
	fnCtx := map[string]string{"LambdaFunctionName": "orders-api"}
	withCtx := k.Encrypt(t, keyA, []byte(plaintext), fnCtx)
	cli := k.Encrypt(t, keyA, []byte(plaintext), nil)
	custom := k.Encrypt(t, keyA, []byte(plaintext), map[string]string{"app": "orders"})
	underGone := k.Encrypt(t, keyGone, []byte(plaintext), fnCtx)
	if _, err := k.Client.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: aws.String(keyGone)}); err != nil {
		t.Fatalf("DisableKey: %v", err)
	}
	notCiphertext := base64.StdEncoding.EncodeToString([]byte("this is not a KMS ciphertext blob at all"))
	tooLong := base64.StdEncoding.EncodeToString(make([]byte, 6145))

	tests := []struct {
		name    string
		vars    env
		opts    []secenv.Option
		wantErr []error
	}{
		{name: "default context", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}},
		{name: "wrong function name fails closed", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "other-fn"}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrWrongContext}},
		{name: "wrong function name with fallback still fails", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "other-fn"}, opts: []secenv.Option{secenv.InsecureAllowNoContext()}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrWrongContext}},
		{name: "CLI value without fallback fails", vars: env{"DB_PASSWORD": cli, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrWrongContext}},
		{name: "CLI value with fallback", vars: env{"DB_PASSWORD": cli, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, opts: []secenv.Option{secenv.InsecureAllowNoContext()}},
		{name: "CLI value, no function name, fallback", vars: env{"DB_PASSWORD": cli}, opts: []secenv.Option{secenv.InsecureAllowNoContext()}},
		{name: "no function name fails", vars: env{"DB_PASSWORD": withCtx}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrNoContext}},
		{name: "explicit empty context", vars: env{"DB_PASSWORD": cli}, opts: []secenv.Option{secenv.WithEncryptionContext(nil)}},
		{name: "custom context", vars: env{"DB_PASSWORD": custom}, opts: []secenv.Option{secenv.WithEncryptionContext(map[string]string{"app": "orders"})}},
		{name: "custom context mismatch", vars: env{"DB_PASSWORD": custom}, opts: []secenv.Option{secenv.WithEncryptionContext(map[string]string{"app": "billing"})}, wantErr: []error{secenv.ErrWrongContext}},
		{name: "pinned key ID", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, opts: []secenv.Option{secenv.WithKMSKeyID(keyA)}},
		{name: "pinned key ARN", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, opts: []secenv.Option{secenv.WithKMSKeyID(arnA)}},
		{name: "pinned other key fails", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, opts: []secenv.Option{secenv.WithKMSKeyID(keyB)}, wantErr: []error{secenv.ErrDecrypt}},
		{name: "pinned unknown key", vars: env{"DB_PASSWORD": withCtx, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, opts: []secenv.Option{secenv.WithKMSKeyID("00000000-0000-0000-0000-000000000000")}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrKeyUnknown}},
		{name: "disabled key", vars: env{"DB_PASSWORD": underGone, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrDecrypt, secenv.ErrKeyUnknown}},
		{name: "not base64", vars: env{"DB_PASSWORD": "plaintext-by-mistake!", "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrCiphertext}},
		{name: "base64 but not a ciphertext", vars: env{"DB_PASSWORD": notCiphertext, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrDecrypt}},
		{name: "empty", vars: env{"DB_PASSWORD": "", "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrEmpty}},
		{name: "only white space", vars: env{"DB_PASSWORD": " \t\n ", "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrCiphertext}},
		{name: "too long", vars: env{"DB_PASSWORD": tooLong, "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrCiphertext}},
		{name: "unset", vars: env{"AWS_LAMBDA_FUNCTION_NAME": "orders-api"}, wantErr: []error{secenv.ErrMissing}},
	}
	client := kmsVia(k, "")
	messages := map[string]string{} // case name -> error message
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := redact.NewRegistry()
			opts := append([]secenv.Option{secenvaws.WithKMS(client), secenv.WithLookup(tt.vars.lookup), secenv.WithRegistry(reg)}, tt.opts...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var c kmsConfig
			err := secenv.Load(ctx, &c, opts...)
			if len(tt.wantErr) > 0 {
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) {
						t.Errorf("Load error = %v, want %v", err, want)
					}
				}
				var fe *secenv.FieldError
				if !errors.As(err, &fe) || fe.Var != "DB_PASSWORD" || fe.Field != "Password" {
					t.Errorf("error %v does not name DB_PASSWORD / Password", err)
				}
				if err != nil {
					msg := err.Error()
					for _, v := range []string{plaintext, tt.vars["DB_PASSWORD"]} {
						if v != "" && strings.Contains(msg, v) {
							t.Errorf("error %q leaks a value or ciphertext", msg)
						}
					}
					messages[tt.name] = msg
				}
				if !reflect.ValueOf(c).IsZero() {
					t.Error("dst changed on error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Password.Reveal() != plaintext || c.Region != "eu-west-1" {
				t.Fatalf("Load gave a wrong value")
			}
			for _, form := range []string{
				plaintext,
				base64.StdEncoding.EncodeToString([]byte(plaintext)),
				base64.URLEncoding.EncodeToString([]byte(plaintext)),
				"p%40ss%2Fword%2Bwith%26odd%3Dchars", // URL query escaping
				"p@ss%2Fword+with&odd=chars",         // URL path escaping
				`p@ss/word+with\u0026odd=chars`,      // JSON with HTML escaping
				tt.vars["DB_PASSWORD"],               // the ciphertext
			} {
				if got := reg.Scrub("x" + form + "x"); got != "x[REDACTED]x" {
					t.Errorf("leak form %q not registered: %q", form, got)
				}
			}
		})
	}
	// Distinct failures have distinct messages.
	for _, pair := range [][2]string{{"wrong function name fails closed", "disabled key"}, {"not base64", "empty"}, {"disabled key", "not base64"},
		{"only white space", "empty"}, {"only white space", "not base64"}, {"only white space", "too long"}, {"too long", "not base64"}, {"no function name fails", "wrong function name fails closed"}} {
		a, b := messages[pair[0]], messages[pair[1]]
		if a == "" || a == b {
			t.Errorf("%q and %q give the same message %q", pair[0], pair[1], a)
		}
	}
}

func TestLoadKMSRetries(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	blob := k.Encrypt(t, keyID, []byte("retried-secret"), map[string]string{"LambdaFunctionName": "fn"})
	tests := []struct {
		name         string
		fault        testpeer.Fault
		n            int
		wantRequests int
		wantErr      []error
	}{
		{name: "throttling is retried", fault: testpeer.ThrottlingFault(), n: 2, wantRequests: 3},
		{name: "5xx is retried", fault: testpeer.InternalFault("KMSInternalException"), n: 1, wantRequests: 2},
		{name: "throttled past max attempts", fault: testpeer.ThrottlingFault(), n: 3, wantRequests: 3, wantErr: []error{secenv.ErrDecrypt, secenv.ErrUnavailable}},
		{name: "access denied is not retried", fault: testpeer.Fault{Status: 400, Code: "AccessDeniedException", Message: "User is not authorized"}, n: 1, wantRequests: 1, wantErr: []error{secenv.ErrDecrypt, secenv.ErrKeyUnknown}},
		{name: "invalid ciphertext is not retried", fault: testpeer.Fault{Status: 400, Code: "InvalidCiphertextException", Message: ""}, n: 1, wantRequests: 1, wantErr: []error{secenv.ErrDecrypt, secenv.ErrWrongContext}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testpeer.StartProxy(t, k.Endpoint)
			p.Inject(tt.n, tt.fault)
			var c struct {
				S secenv.Secret `env:"S,kms"`
			}
			err := secenv.Load(context.Background(), &c, secenvaws.WithKMS(kmsVia(k, p.URL)),
				secenv.WithLookup(env{"S": blob, "AWS_LAMBDA_FUNCTION_NAME": "fn"}.lookup), secenv.WithRegistry(redact.NewRegistry()))
			if p.Requests() != tt.wantRequests {
				t.Errorf("requests = %d, want %d", p.Requests(), tt.wantRequests)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Load error = %v, want %v", err, want)
				}
			}
			if tt.wantErr == nil && (err != nil || c.S.Reveal() != "retried-secret") {
				t.Fatalf("Load = %v", err)
			}
			if tt.fault.Code == "AccessDeniedException" {
				var sdkErr interface{ ErrorCode() string }
				if !errors.As(err, &sdkErr) || sdkErr.ErrorCode() != "AccessDeniedException" {
					t.Errorf("the SDK error is not reachable with errors.As: %v", err)
				}
			}
			if tt.fault.Code == "InvalidCiphertextException" {
				var ice *types.InvalidCiphertextException
				if !errors.As(err, &ice) {
					t.Errorf("errors.As(*types.InvalidCiphertextException) failed on %v", err)
				}
			}
		})
	}
}

// manyKMS returns a pointer to a new struct with n kms fields V0..Vn-1 and
// the variables that fill it.
func manyKMS(tb testing.TB, k *testpeer.KMS, n int) (func() any, env, []string) {
	tb.Helper()
	keyID, _ := k.CreateKey(tb)
	fields := make([]reflect.StructField, n)
	vars := env{"AWS_LAMBDA_FUNCTION_NAME": "bench-fn"}
	values := make([]string, n)
	for i := range fields {
		name := fmt.Sprintf("V%d", i)
		fields[i] = reflect.StructField{Name: name, Type: reflect.TypeFor[secenv.Secret](), Tag: reflect.StructTag(`env:"` + name + `,kms,required"`)}
		values[i] = fmt.Sprintf("secret-value-%02d", i)
		vars[name] = k.Encrypt(tb, keyID, []byte(values[i]), map[string]string{"LambdaFunctionName": "bench-fn"})
	}
	typ := reflect.StructOf(fields)
	return func() any { return reflect.New(typ).Interface() }, vars, values
}

func TestLoadKMSConcurrent(t *testing.T) {
	k := testpeer.StartKMS(t)
	newDst, vars, values := manyKMS(t, k, 20)
	p := testpeer.StartProxy(t, k.Endpoint)
	const latency = 20 * time.Millisecond
	p.SetLatency(latency)
	client := kmsVia(k, p.URL)
	opts := []secenv.Option{secenvaws.WithKMS(client), secenv.WithLookup(vars.lookup), secenv.WithRegistry(redact.NewRegistry())}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Best of five runs each, so that a busy machine does not decide the
	// outcome: the baseline is one variable, one call.
	var one struct {
		V0 secenv.Secret `env:"V0,kms"`
	}
	best := func(dst func() any) time.Duration {
		b := time.Hour
		for range 5 {
			start := time.Now()
			if err := secenv.Load(ctx, dst(), opts...); err != nil {
				t.Fatal(err)
			}
			b = min(b, time.Since(start))
		}
		return b
	}
	single := max(best(func() any { return &one }), latency)
	dst := newDst()
	before := p.Requests()
	if err := secenv.Load(ctx, dst, opts...); err != nil {
		t.Fatal(err)
	}
	if got := p.Requests() - before; got != 20 {
		t.Errorf("20 variables took %d requests", got)
	}
	total := best(newDst)
	t.Logf("one call %v, 20 variables %v (%.1fx), %d in flight at most", single, total, float64(total)/float64(single), p.MaxInFlight())
	if total >= 3*single {
		t.Errorf("20 variables took %v, not under 3x one call (%v)", total, single)
	}
	if p.MaxInFlight() < 10 {
		t.Errorf("at most %d decrypts in flight, want concurrency", p.MaxInFlight())
	}
	rv := reflect.ValueOf(dst).Elem()
	for i, want := range values {
		if rv.Field(i).Interface().(secenv.Secret).Reveal() != want {
			t.Fatalf("V%d has a wrong value", i)
		}
	}

	// WithConcurrency bounds the calls in flight.
	p2 := testpeer.StartProxy(t, k.Endpoint)
	p2.SetLatency(5 * time.Millisecond)
	if err := secenv.Load(ctx, newDst(), secenvaws.WithKMS(kmsVia(k, p2.URL)), secenv.WithLookup(vars.lookup),
		secenv.WithRegistry(redact.NewRegistry()), secenv.WithConcurrency(3)); err != nil {
		t.Fatal(err)
	}
	if p2.MaxInFlight() > 3 {
		t.Errorf("WithConcurrency(3): %d in flight", p2.MaxInFlight())
	}
}

// noKeyID is a KMS client that drops the KeyId of real Decrypt responses,
// as a faulty wrapper or a test double might.
type noKeyID struct{ *kms.Client }

func (c noKeyID) Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	out, err := c.Client.Decrypt(ctx, in, optFns...)
	if out != nil {
		out.KeyId = nil
	}
	return out, err
}

// TestKMSKeyPin checks the pin options: an empty pin and contradicting
// options are ErrConfig errors before any call, "no pin" is explicit, and a
// response that names no key fails closed saying so.
func TestKMSKeyPin(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyA, arnA := k.CreateKey(t)
	keyB, _ := k.CreateKey(t)
	alias := "alias/pin-test"
	if _, err := k.Client.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(keyA)}); err != nil {
		t.Fatalf("CreateAlias: %v", err)
	}
	const plaintext = "pinned-secret-value"
	vars := env{"DB_PASSWORD": k.Encrypt(t, keyA, []byte(plaintext), map[string]string{"LambdaFunctionName": "orders-api"}), "AWS_LAMBDA_FUNCTION_NAME": "orders-api"}
	real, dropped := kmsVia(k, ""), noKeyID{kmsVia(k, "")}

	tests := []struct {
		name      string
		client    secenvaws.KMSAPI
		opts      []secenv.Option
		wantErr   []error
		fieldErr  bool // the error names the field (else a setup error)
		notWanted error
	}{
		{name: "empty pin", client: real, opts: []secenv.Option{secenv.WithKMSKeyID("")}, wantErr: []error{secenv.ErrConfig}},
		{name: "white space pin", client: real, opts: []secenv.Option{secenv.WithKMSKeyID(" \t")}, wantErr: []error{secenv.ErrConfig}},
		{name: "pin and any key", client: real, opts: []secenv.Option{secenv.WithKMSKeyID(keyA), secenv.InsecureAllowAnyKMSKey()}, wantErr: []error{secenv.ErrConfig}},
		{name: "any key", client: real, opts: []secenv.Option{secenv.InsecureAllowAnyKMSKey()}},
		// Options that could do nothing are refused, never ignored.
		{name: "concurrency below 1", client: real, opts: []secenv.Option{secenv.WithConcurrency(0)}, wantErr: []error{secenv.ErrConfig}},
		{name: "negative cache TTL", client: real, opts: []secenv.Option{secenv.WithCacheTTL(-time.Second)}, wantErr: []error{secenv.ErrConfig}},
		{name: "cache TTL without a cache", client: real, opts: []secenv.Option{secenv.WithCache(nil), secenv.WithCacheTTL(time.Minute)}, wantErr: []error{secenv.ErrConfig}},
		{name: "nil clock", client: real, opts: []secenv.Option{secenv.WithClock(nil)}, wantErr: []error{secenv.ErrConfig}},
		{name: "nil option", client: real, opts: []secenv.Option{nil}, wantErr: []error{secenv.ErrConfig}},
		{name: "zero cache TTL means the default", client: real, opts: []secenv.Option{secenv.WithCacheTTL(0)}},
		{name: "pin with spaces around", client: real, opts: []secenv.Option{secenv.WithKMSKeyID(" " + arnA + "\n")}},
		{name: "other key", client: real, opts: []secenv.Option{secenv.WithKMSKeyID(keyB)}, wantErr: []error{secenv.ErrDecrypt}, fieldErr: true},
		{name: "response without KeyId, pinned ID", client: dropped, opts: []secenv.Option{secenv.WithKMSKeyID(keyA)},
			wantErr: []error{secenv.ErrDecrypt, secenv.ErrNoKeyID}, fieldErr: true, notWanted: secenv.ErrKeyMismatch},
		{name: "response without KeyId, pinned ARN", client: dropped, opts: []secenv.Option{secenv.WithKMSKeyID(arnA)},
			wantErr: []error{secenv.ErrDecrypt, secenv.ErrNoKeyID}, fieldErr: true, notWanted: secenv.ErrKeyMismatch},
		{name: "response without KeyId, pinned alias (checked by KMS)", client: dropped, opts: []secenv.Option{secenv.WithKMSKeyID(alias)}},
		{name: "response without KeyId, no pin", client: dropped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]secenv.Option{secenvaws.WithKMS(tt.client), secenv.WithLookup(vars.lookup), secenv.WithRegistry(redact.NewRegistry())}, tt.opts...)
			var c kmsConfig
			err := secenv.Load(context.Background(), &c, opts...)
			if len(tt.wantErr) == 0 {
				if err != nil || c.Password.Reveal() != plaintext {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Load error = %v, want %v", err, want)
				}
			}
			if tt.notWanted != nil && errors.Is(err, tt.notWanted) {
				t.Errorf("Load error = %v, must not match %v", err, tt.notWanted)
			}
			var fe *secenv.FieldError
			if errors.As(err, &fe) != tt.fieldErr {
				t.Errorf("Load error %v: names a field %v, want %v", err, !tt.fieldErr, tt.fieldErr)
			}
		})
	}
}

package secenv_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// faultConfig mixes plain, kms and secretsmanager fields; two of the
// secretsmanager fields name keys of one secret.
type faultConfig struct {
	Region string        `env:"REGION,required"`
	Port   int           `env:"PORT" envDefault:"443"`
	K0     secenv.Secret `env:"K0,kms,required"`
	K1     secenv.Secret `env:"K1,kms,required"`
	K2     secenv.Secret `env:"K2,kms"`
	K3     secenv.Secret `env:"K3,kms"`
	User   secenv.Secret `env:"DB_USER,secretsmanager,required"`
	Pass   secenv.Secret `env:"DB_PASS,secretsmanager,required"`
	API    secenv.Secret `env:"API_KEY,secretsmanager"`
	Token  secenv.Secret `env:"TOKEN,secretsmanager"`
}

// TestLoadUnderFaults loads a configuration many times, concurrently, while
// the fault proxy in front of local-kms and of the Secrets Manager server
// throttles, fails and drops calls. Every run must end with every value
// right, or with a joined error of one *FieldError per failed kms or
// secretsmanager field, each an outage (ErrUnavailable), naming its variable and no value,
// and with the destination untouched: never a half-filled config.
func TestLoadUnderFaults(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/db", `{"username":"db-admin","password":"db-pass-w0rd"}`)
	sm.PutString("app/api", "api-key-0123456789")
	sm.PutString("app/token", `{"token":"tok-abcdef"}`)

	fnCtx := map[string]string{"LambdaFunctionName": "faulty-fn"}
	plain := map[string]string{ // variable -> value Load must produce
		"K0": "kms-value-zero", "K1": "kms-value-one", "K2": "kms-value-two", "K3": "kms-value-three",
		"DB_USER": "db-admin", "DB_PASS": "db-pass-w0rd", "API_KEY": "api-key-0123456789", "TOKEN": "tok-abcdef",
	}
	vars := env{
		"AWS_LAMBDA_FUNCTION_NAME": "faulty-fn", "REGION": "eu-west-1",
		"DB_USER": "app/db#username", "DB_PASS": "app/db#password", "API_KEY": "app/api", "TOKEN": "app/token#token",
	}
	for _, name := range []string{"K0", "K1", "K2", "K3"} {
		vars[name] = k.Encrypt(t, keyID, []byte(plain[name]), fnCtx)
	}
	kmsVars := map[string]bool{"K0": true, "K1": true, "K2": true, "K3": true}
	forbidden := make([]string, 0, 2*len(plain)) // no error may contain these
	for name, v := range plain {
		forbidden = append(forbidden, v)
		if kmsVars[name] {
			forbidden = append(forbidden, vars[name])
		}
	}

	kmsFaults := []testpeer.Fault{testpeer.ThrottlingFault(), testpeer.DropFault(), testpeer.InternalFault("KMSInternalException")}
	smFaults := []testpeer.Fault{testpeer.ThrottlingFault(), testpeer.DropFault(), testpeer.InternalFault("InternalServiceError")}
	tests := []struct {
		name     string
		rate     float64 // chance that a call fails
		runs     int
		wantOK   bool // every run succeeds
		wantFail bool // every run fails
	}{
		{name: "healthy", rate: 0, runs: 8, wantOK: true},
		{name: "throttled and dropped", rate: 0.3, runs: 48},
		{name: "mostly down", rate: 0.8, runs: 16},
		{name: "outage", rate: 1, runs: 8, wantFail: true},
	}
	const workers = 8
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp := testpeer.StartProxy(t, k.Endpoint)
			sp := testpeer.StartProxy(t, sm.URL)
			kp.InjectRandom(tt.rate, kmsFaults...)
			sp.InjectRandom(tt.rate, smFaults...)
			// One client of each per phase, shared by the concurrent runs as
			// a function's concurrent invocations share them.
			kc := kmsVia(k, kp.URL)
			sc := smVia(sm, sp.URL)
			var mu sync.Mutex
			ok, failed := 0, 0
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for r := w; r < tt.runs; r += workers {
						err := loadUnderFaults(kc, sc, vars, plain, kmsVars, forbidden)
						mu.Lock()
						if err == nil {
							ok++
						} else {
							failed++
							if failed == 1 {
								t.Logf("first error: %v", err)
							}
							if !errors.Is(err, errRunFailed) {
								t.Errorf("run %d: %v", r, err)
							}
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			t.Logf("%d runs: %d complete, %d failed cleanly; KMS %d calls (%d faulted), Secrets Manager %d calls (%d faulted)",
				tt.runs, ok, failed, kp.Requests(), kp.Injected(), sp.Requests(), sp.Injected())
			if tt.wantOK && failed > 0 {
				t.Errorf("%d runs failed with no faults", failed)
			}
			if tt.wantFail && ok > 0 {
				t.Errorf("%d runs succeeded through a total outage", ok)
			}
		})
	}
}

// errRunFailed marks a run that ended with a well-formed error; any other
// error from loadUnderFaults is a test failure.
var errRunFailed = errors.New("run failed cleanly")

// loadUnderFaults does one Load and checks its outcome. It returns nil for
// a complete config, an error wrapping errRunFailed for a well-formed
// failure, and any other error for a broken promise.
func loadUnderFaults(kc secenvaws.KMSAPI, sc secenvaws.SecretsManagerAPI, vars env, plain map[string]string, kmsVars map[string]bool, forbidden []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := redact.NewRegistry()
	before := faultConfig{Region: "untouched", Port: -1}
	c := before
	err := secenv.Load(ctx, &c, secenvaws.WithKMS(kc), secenvaws.WithSecretsManager(sc), secenv.WithLookup(vars.lookup),
		secenv.WithRegistry(reg), secenv.WithCache(secenv.NewCache()), secenv.WithLogger(nil))
	if err == nil {
		got := map[string]string{"K0": c.K0.Reveal(), "K1": c.K1.Reveal(), "K2": c.K2.Reveal(), "K3": c.K3.Reveal(),
			"DB_USER": c.User.Reveal(), "DB_PASS": c.Pass.Reveal(), "API_KEY": c.API.Reveal(), "TOKEN": c.Token.Reveal()}
		if !reflect.DeepEqual(got, plain) || c.Region != "eu-west-1" || c.Port != 443 {
			return fmt.Errorf("Load succeeded with a wrong or missing value (fields set: %v)", setFields(got, plain))
		}
		for name, v := range plain {
			if reg.Scrub(v) != "[REDACTED]" {
				return fmt.Errorf("value of %s is not registered", name)
			}
		}
		return nil
	}
	if !reflect.DeepEqual(c, before) {
		return fmt.Errorf("Load failed and changed the destination: %v", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("Load did not end on its own: %v", err)
	}
	msg := err.Error()
	for _, v := range forbidden {
		if strings.Contains(msg, v) {
			return fmt.Errorf("error leaks a value or ciphertext: %s", msg)
		}
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("error is not joined: %v", err)
	}
	seen := map[string]bool{}
	for _, e := range joined.Unwrap() {
		var fe *secenv.FieldError
		if !errors.As(e, &fe) {
			return fmt.Errorf("not a *FieldError: %v", e)
		}
		if _, ok := plain[fe.Var]; !ok || seen[fe.Var] {
			return fmt.Errorf("unexpected or repeated error for %q: %v", fe.Var, e)
		}
		seen[fe.Var] = true
		category := secenv.ErrSecretsManager
		if kmsVars[fe.Var] {
			category = secenv.ErrDecrypt
		}
		if !errors.Is(e, category) || !errors.Is(e, secenv.ErrUnavailable) {
			return fmt.Errorf("error for %s is not an outage of its service: %v", fe.Var, e)
		}
		if !strings.Contains(e.Error(), fe.Var) {
			return fmt.Errorf("error does not name %s: %v", fe.Var, e)
		}
	}
	return fmt.Errorf("%w: %w", errRunFailed, err)
}

// setFields lists which variables got their expected value, for a failure
// message that shows no value.
func setFields(got, want map[string]string) []string {
	var out []string
	for name, v := range want {
		if got[name] == v {
			out = append(out, name)
		}
	}
	return out
}

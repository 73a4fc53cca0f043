package secenvssm_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvssm"
)

type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// TestDefault reads a SecureString and a String with the default client,
// built from the default AWS config pointed at the wire server.
func TestDefault(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutParameter("/prod/key", "from-default-ssm", true)
	sm.PutParameter("/prod/table", "notes", false)
	t.Setenv("AWS_REGION", testpeer.KMSRegion)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTPEER")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_ENDPOINT_URL_SSM", sm.URL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	var c struct {
		Key   secenv.Secret `env:"KEY,ssm,required"`
		Table string        `env:"TABLE,ssm"`
	}
	for range 2 { // the second Load reuses the client and hits the cache
		if err := secenv.Load(context.Background(), &c, secenvssm.Default(),
			secenv.WithLookup(env{"KEY": "/prod/key", "TABLE": "/prod/table"}.lookup), secenv.WithRegistry(redact.NewRegistry())); err != nil {
			t.Fatal(err)
		}
		if c.Key.Reveal() != "from-default-ssm" || c.Table != "notes" {
			t.Fatal("wrong value")
		}
	}
	if n := sm.ParamCalls("/prod/key"); n != 1 {
		t.Errorf("the default client read the parameter %d times, want 1 (cached)", n)
	}
}

// TestWithClient checks the adapter of an SDK client and the
// classification of its errors.
func TestWithClient(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutParameter("/app/key", "ssm-client-value", true)
	tests := []struct {
		name    string
		param   string
		wantErr []error
	}{
		{name: "value", param: "/app/key"},
		{name: "unknown parameter", param: "/app/none", wantErr: []error{secenv.ErrSSM, secenv.ErrSecretNotFound}},
		{name: "unknown version", param: "/app/key:7", wantErr: []error{secenv.ErrSSM, secenv.ErrSecretNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c struct {
				Key secenv.Secret `env:"KEY,ssm"`
			}
			err := secenv.Load(context.Background(), &c, secenvssm.WithClient(sm.NewSSMClient()), secenv.WithCache(secenv.NewCache()),
				secenv.WithLookup(env{"KEY": tt.param}.lookup), secenv.WithRegistry(redact.NewRegistry()))
			if tt.wantErr == nil {
				if err != nil || c.Key.Reveal() != "ssm-client-value" {
					t.Fatalf("Load = %v", err)
				}
				return
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Load error = %v, want %v", err, want)
				}
			}
		})
	}
}

// TestSecenvawsDoesNotLinkSSM keeps the SSM client out of secenvaws, so
// that functions without ssm fields do not carry it.
func TestSecenvawsDoesNotLinkSSM(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/seclambda/seclambda/secenv/secenvaws").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2/service/ssm") {
			t.Errorf("secenvaws imports %s; the SSM client belongs in secenvssm", pkg)
		}
	}
}

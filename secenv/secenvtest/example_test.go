package secenvtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvtest"
)

type config struct {
	Table  string        `env:"TABLE_NAME,required"`
	APIKey secenv.Secret `env:"API_KEY,kms,required"`
	DBPass secenv.Secret `env:"DB_SECRET,secretsmanager,required"`
}

// A configuration with a kms and a secretsmanager field, loaded without
// AWS: the ciphertext is made for the function "orders", as the Lambda
// console makes it.
func Example() {
	kms, sm := secenvtest.NewKMS(), secenvtest.NewSecretsManager()
	sm.PutString("prod/db", `{"password":"correct horse battery"}`)
	env := secenvtest.Env{
		"AWS_LAMBDA_FUNCTION_NAME": "orders",
		"TABLE_NAME":               "orders-table",
		"API_KEY":                  kms.EncryptForFunction("orders", "sk-test-0123456789"),
		"DB_SECRET":                "prod/db#password",
	}
	var cfg config
	err := secenv.Load(context.Background(), &cfg,
		secenv.WithClients(kms, sm),
		secenv.WithLookup(env.Lookup),
		secenv.WithKMSKeyID(kms.KeyARN()),
		secenv.WithRegistry(redact.NewRegistry()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Table, cfg.APIKey, cfg.APIKey.Reveal(), cfg.DBPass.Reveal())
	// Output: orders-table [REDACTED] sk-test-0123456789 correct horse battery
}

// A ciphertext made for another function fails as it does in Lambda: with
// secenv.ErrWrongContext.
func ExampleKMS_EncryptForFunction() {
	kms := secenvtest.NewKMS()
	env := secenvtest.Env{
		"AWS_LAMBDA_FUNCTION_NAME": "orders",
		"TABLE_NAME":               "orders-table",
		"API_KEY":                  kms.EncryptForFunction("billing", "sk-test-0123456789"),
		"DB_SECRET":                "prod/db",
	}
	var cfg config
	err := secenv.Load(context.Background(), &cfg,
		secenv.WithClients(kms, secenvtest.NewSecretsManager()),
		secenv.WithLookup(env.Lookup),
		secenv.WithRegistry(redact.NewRegistry()))
	fmt.Println(errors.Is(err, secenv.ErrWrongContext), errors.Is(err, secenv.ErrSecretNotFound))
	// Output: true true
}

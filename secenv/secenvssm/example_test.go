package secenvssm_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
	"github.com/seclambda/seclambda/secenv/secenvssm"
)

// SSM parameters beside KMS and Secrets Manager values: each package adds
// the clients its fields need.
func ExampleDefault() {
	type Config struct {
		Table  string        `env:"TABLE_PARAM,ssm,required"` // "/prod/notes/table", a String
		APIKey secenv.Secret `env:"API_KEY_PARAM,ssm"`        // "/prod/notes/api-key", a SecureString
		DB     secenv.Live   `env:"DB_SECRET_ARN,secretsmanager"`
	}
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" {
		return // needs the function's environment and AWS credentials
	}
	var cfg Config
	if err := secenv.Load(context.Background(), &cfg, secenvaws.Default(), secenvssm.Default()); err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(1)
	}
}

package secenvaws_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// The usual case: the function's role and region, through the default
// AWS config, for every kms and secretsmanager field.
func ExampleDefault() {
	type Config struct {
		APIKey secenv.Secret `env:"API_KEY,kms,required"`
		DBPass secenv.Secret `env:"DB_SECRET,secretsmanager,required"` // "prod/db#password"
	}
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" {
		return // needs the function's environment and AWS credentials
	}
	var cfg Config
	if err := secenv.Load(context.Background(), &cfg, secenvaws.Default()); err != nil {
		slog.Error("configuration", "err", err) // names the variables, never a value
		os.Exit(1)
	}
}

// A KMS client of your own, here for another region. Build it once, at cold
// start.
func ExampleWithKMS() {
	type Config struct {
		APIKey secenv.Secret `env:"API_KEY,kms,required"`
	}
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" {
		return // needs the function's environment and AWS credentials
	}
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-central-1"))
	if err != nil {
		os.Exit(1)
	}
	var cfg Config
	if err := secenv.Load(ctx, &cfg, secenvaws.WithKMS(kms.NewFromConfig(awsCfg))); err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(1)
	}
}

//go:build secenv

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/seclambda/seclambda/secenv"
)

// Built with -tags secenv, the function also loads its settings with
// secenv at init, as a function that takes its configuration from secenv
// does. bench/ builds it both ways to measure what secenv costs a function
// without kms or secretsmanager fields: binary size and cold start.
type settings struct {
	UserPoolID    string            `env:"COGNITO_USER_POOL_ID,required"`
	ClientIDs     []string          `env:"COGNITO_CLIENT_IDS,required"`
	TokenUse      string            `env:"COGNITO_TOKEN_USE" envDefault:"access"`
	Region        string            `env:"COGNITO_REGION"`
	AllowedGroups []string          `env:"ALLOWED_GROUPS"`
	Issuer        *url.URL          `env:"COGNITO_ISSUER"`
	AllowLoopback bool              `env:"ALLOW_HTTP_LOOPBACK_ISSUER"`
	Routes        []string          `env:"API_ROUTES,required"`
	UsageKeys     map[string]string `env:"USAGE_KEY_BY_GROUP" envKeyValSeparator:"="`
}

func init() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return // not in Lambda or the emulator: go test, for one
	}
	var s settings
	if err := secenv.Load(context.Background(), &s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Command lambdafn is a Lambda function for redact's tests: it registers a
// secret, then logs it, through redact.NewLogger, in every invocation.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/redact"
)

func main() {
	_ = redact.Default().Add(os.Getenv("TEST_SECRET"))
	log := redact.NewLogger(os.Stdout)
	lambda.Start(func(ctx context.Context, in map[string]string) (string, error) {
		log.InfoContext(ctx, "handling "+in["echo"], "echo", in["echo"], "password", "plain")
		log.DebugContext(ctx, "filtered out")
		return "ok", nil
	})
}

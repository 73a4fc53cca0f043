// Command secretsmanager serves the Secrets Manager GetSecretValue API on a
// loopback address, so that a function run locally (under aws-lambda-rie,
// or with go run) reads its secretsmanager fields through the real AWS SDK
// without AWS:
//
//	cd examples && go run ./cmd/secretsmanager -addr 127.0.0.1:4584 \
//		-secret 'local/upstream=upstream-credential-0123' \
//		-secret 'local/db={"password":"correct horse battery"}'
//
// Then give the function AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:4584,
// any AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and AWS_REGION. Each
// -secret is NAME=VALUE, a string secret read by name or by the ARN the
// command prints. It serves until interrupted. It is the wire server of
// seclambda's own tests (no local Secrets Manager peer exists); it is a tool
// to run, not code to copy, and it has no access control, so it listens on
// loopback only.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// secrets collects the -secret flags.
type secrets [][2]string

func (s *secrets) String() string { return fmt.Sprint(len(*s), " secrets") }

func (s *secrets) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE")
	}
	*s = append(*s, [2]string{name, value})
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4584", "loopback address to listen on")
	var list secrets
	flag.Var(&list, "secret", "a string secret as NAME=VALUE (repeatable)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sm, closeSM, err := testpeer.LaunchSecretsManagerAt(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "secretsmanager:", err)
		os.Exit(1)
	}
	defer closeSM()
	for _, s := range list {
		arn, _ := sm.PutString(s[0], s[1])
		fmt.Printf("secret %s: %s\n", s[0], arn)
	}
	fmt.Printf("Secrets Manager on %s: AWS_ENDPOINT_URL_SECRETS_MANAGER=%s\n", sm.URL, sm.URL)
	<-ctx.Done()
}

// Command demo runs the examples' whole chain locally, without an AWS
// account: a web page on its own origin, the local API gateway (REST and
// HTTP APIs, mutual TLS), the Lambda authorizers, the functions under
// aws-lambda-rie, local-kms, cognito-local and a Secrets Manager server.
// It runs a scripted scenario, prints a table of expected and actual
// outcomes, scans every function's output for the decrypted secrets, and
// exits 1 if anything is not as expected.
//
//	cd examples && go run ./cmd/demo [-serve]
//
// With -serve it keeps serving after the scenario and prints the URLs until
// interrupted. Everything binds 127.0.0.1 on ports chosen at run time, and
// every process it started is stopped on exit, also on Ctrl-C.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seclambda/seclambda/examples/local/stack"
)

func main() {
	serve := flag.Bool("serve", false, "keep serving after the scenario until interrupted")
	quota := flag.Int("quota", 10, "daily quota of the writers' API key in the demo's usage plan")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Stdout, *serve, *quota))
}

// run starts the stack, runs the scenario and prints the table; it returns
// the exit code.
func run(ctx context.Context, out io.Writer, serve bool, quota int) int {
	start := time.Now()
	s, err := stack.Start(ctx, stack.Options{Progress: out, Quota: quota})
	if err != nil {
		fmt.Fprintf(out, "demo: %v\n", err)
		return 1
	}
	defer s.Close()
	fmt.Fprintf(out, "\nscenario (web page %s, gateway %s and %s)\n\n", s.WebURL, s.GatewayURL, s.GatewayTLSURL)
	rows := s.Scenario(ctx)
	ok := stack.PrintTable(out, rows)
	if !serve {
		s.StopFunctions() // their complete output, for the scan
	}
	leaks, where := s.LeakCount()
	fmt.Fprintf(out, "\ndecrypted secret found in logs: %d times", leaks)
	if leaks > 0 {
		fmt.Fprintf(out, " (in %v)", where)
		ok = false
	}
	fmt.Fprintf(out, "\nupstream notifications sent with the Secrets Manager credential: %d\n", s.UpstreamNotified())
	fmt.Fprintf(out, "done in %v: %s\n", time.Since(start).Round(100*time.Millisecond), verdict(ok))
	if serve && ctx.Err() == nil {
		s.Gateway.ResetUsage()
		fmt.Fprintf(out, "\nserving until interrupted (Ctrl-C):\n")
		fmt.Fprintf(out, "  web page (allowed origin)  %s\n", s.WebURL)
		fmt.Fprintf(out, "  same page, other origin    %s\n", s.OtherWebURL)
		fmt.Fprintf(out, "  gateway (HTTP)             %s\n", s.GatewayURL)
		fmt.Fprintf(out, "  gateway (HTTPS, mTLS)      %s\n", s.GatewayTLSURL)
		fmt.Fprintf(out, "  sign in as %s / %s (writers) or %s / %s (readers: no usage plan)\n",
			stack.Writer, s.Passwords[stack.Writer], stack.Reader, s.Passwords[stack.Reader])
		<-ctx.Done()
		fmt.Fprintln(out, "\nstopping")
		s.StopFunctions()
		leaks, _ := s.LeakCount()
		fmt.Fprintf(out, "decrypted secret found in logs: %d times\n", leaks)
		if leaks > 0 {
			ok = false
		}
	}
	if !ok {
		return 1
	}
	return 0
}

func verdict(ok bool) string {
	if ok {
		return "every row as expected"
	}
	return "SOME ROWS ARE NOT AS EXPECTED"
}

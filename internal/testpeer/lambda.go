package testpeer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BuildFunction builds the main package pkg (a path or import path that the
// go command resolves from dir) as a Lambda custom-runtime binary named
// bootstrap, for linux on the host's architecture with cgo off, the way
// provided.al2023 runs it. It returns the binary's path in a temp directory.
func BuildFunction(tb testing.TB, dir, pkg string) string {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "bootstrap")
	if err := BuildFunctionTo(dir, pkg, out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Function is one Lambda function binary running under aws-lambda-rie.
type Function struct {
	// URL is the invoke endpoint of the emulator.
	URL string
	p   *process
}

// StartFunction runs the bootstrap binary under aws-lambda-rie on free
// loopback ports, with env added to its environment (AWS_LAMBDA_FUNCTION_NAME
// among them, when the function needs its name). The emulator is stopped at
// the end of the test.
func StartFunction(tb testing.TB, bootstrap string, env map[string]string) *Function {
	tb.Helper()
	bin, err := lookBin("aws-lambda-rie")
	if err != nil {
		missing(tb, "aws-lambda-rie", err.Error())
	}
	var lastErr error
	// The emulator cannot report the ports it binds, so pick them first
	// and retry if another process takes one meanwhile.
	for range 3 {
		f, err := startFunction(bin, bootstrap, env)
		if err == nil {
			tb.Cleanup(f.p.stop)
			return f
		}
		lastErr = err
	}
	tb.Fatal(lastErr)
	return nil
}

func startFunction(bin, bootstrap string, env map[string]string) (*Function, error) {
	port1, err := freePort()
	if err != nil {
		return nil, err
	}
	port2, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port1)
	api := "127.0.0.1:" + strconv.Itoa(port2)
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vars := []string{"AWS_LAMBDA_FUNCTION_TIMEOUT=30", "LOG_LEVEL=error"}
	for _, k := range keys {
		vars = append(vars, k+"="+env[k])
	}
	p, err := start("aws-lambda-rie", filepath.Dir(bootstrap), vars, bin,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", api,
		bootstrap)
	if err != nil {
		return nil, err
	}
	if err := p.waitDial(addr, 15*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return &Function{URL: "http://" + addr + "/2015-03-31/functions/function/invocations", p: p}, nil
}

// Invoke sends payload as one invocation and returns the function's raw
// response. A function error comes back as a 200 response whose body holds
// errorMessage and errorType, as the Lambda Invoke API returns it.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("testpeer: invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20))
	if err != nil {
		return nil, fmt.Errorf("testpeer: invoke: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("testpeer: invoke: %s", resp.Status)
	}
	return body, nil
}

// Output returns everything the emulator and the function have written to
// stdout and stderr so far: the function's logs.
func (f *Function) Output() string { return f.p.out.String() }

// WaitForOutput waits until the output contains substr, or timeout passes,
// and returns the output. The function's log lines reach the emulator, and
// then this buffer, asynchronously: a test that reads them right after an
// invocation, especially one whose init failed, must wait for them.
func (f *Function) WaitForOutput(substr string, timeout time.Duration) (string, bool) {
	deadline := time.Now().Add(timeout)
	for {
		out := f.p.out.String()
		if strings.Contains(out, substr) {
			return out, true
		}
		if time.Now().After(deadline) {
			return out, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop stops the emulator and the function, and returns everything they
// wrote: the complete logs, for checks that must see every line, such as
// leak checks. Stopping twice is harmless.
func (f *Function) Stop() string {
	f.p.stop()
	return f.p.out.String()
}

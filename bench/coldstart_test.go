package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// Cold starts are measured by TestColdStart, which runs only when
// SECLAMBDA_BENCH_COLDSTART names the JSON file to write (cmd/report sets
// it); SECLAMBDA_BENCH_COLDSTART_RUNS sets the runs per function (default
// coldRuns). SECLAMBDA_BENCH_COLDSTART_TRACE=1 runs every function with
// GODEBUG=inittrace=1 and keeps the output of its last run, to find what
// its init spends time on.
const (
	coldStartEnv      = "SECLAMBDA_BENCH_COLDSTART"
	coldStartRunsEnv  = "SECLAMBDA_BENCH_COLDSTART_RUNS"
	coldStartTraceEnv = "SECLAMBDA_BENCH_COLDSTART_TRACE"
	coldRuns          = 12
)

// ColdStartResult is one function's measurements, as TestColdStart writes
// them and cmd/report reads them.
type ColdStartResult struct {
	// Name is the function's name in the report.
	Name string `json:"name"`
	// Package is the main package it was built from.
	Package string `json:"package"`
	// Bytes is the size of the bootstrap binary.
	Bytes int64 `json:"bytes"`
	// TotalMs holds, per run, the milliseconds from starting aws-lambda-rie
	// to the first response.
	TotalMs []float64 `json:"totalMs"`
	// InitMs holds, per run, the init duration that aws-lambda-rie reports
	// (INIT REPORT durationMs).
	InitMs []float64 `json:"initMs"`
	// Trace is the output of the last run, with GODEBUG=inittrace=1, when
	// SECLAMBDA_BENCH_COLDSTART_TRACE is set.
	Trace string `json:"trace,omitempty"`
}

// coldFunction is a function to measure: where to build it from, its
// environment, one event and a check of the response.
type coldFunction struct {
	name, dir, pkg string
	tags           string // build tags besides lambda.norpc
	env            map[string]string
	event          any
	check          func(body []byte) error
	bootstrap      string
	// prime, when set, is sent once before the unmeasured warm-up run,
	// to a cold start of its own, to put data in place (answered 201).
	prime any
}

// TestColdStart builds each function as a provided.al2023 bootstrap and
// measures its cold start under aws-lambda-rie, interleaving the functions
// round by round so that a busy moment of the machine hits all of them.
func TestColdStart(t *testing.T) {
	out := os.Getenv(coldStartEnv)
	if out == "" {
		t.Skip("set " + coldStartEnv + " to the output file to measure cold starts (cmd/report does)")
	}
	runs := coldRuns
	if v := os.Getenv(coldStartRunsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q is not a positive number", coldStartRunsEnv, v)
		}
		runs = n
	}
	rie := rieBinary(t)
	fns := coldFunctions(t)
	trace := os.Getenv(coldStartTraceEnv) == "1"
	if trace {
		for i := range fns {
			fns[i].env["GODEBUG"] = "inittrace=1"
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(fns))
	for i := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fns[i].bootstrap, errs[i] = buildBootstrap(t.TempDir(), fns[i].dir, fns[i].pkg, fns[i].tags)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	results := make([]ColdStartResult, len(fns))
	for i, f := range fns {
		fi, err := os.Stat(f.bootstrap)
		if err != nil {
			t.Fatal(err)
		}
		results[i] = ColdStartResult{Name: f.name, Package: f.pkg, Bytes: fi.Size()}
	}
	// One unmeasured run each warms the page cache and the peers.
	for r := -1; r < runs; r++ {
		for j := range fns {
			i := (j + max(r, 0)) % len(fns) // rotate the order every round
			if r < 0 && fns[i].prime != nil {
				p := fns[i]
				p.event, p.check = p.prime, status(201)
				if _, _, _, err := coldStart(rie, p); err != nil {
					t.Fatalf("%s: prime: %v", p.name, err)
				}
			}
			total, init, log, err := coldStart(rie, fns[i])
			if err != nil {
				t.Fatalf("%s: %v", fns[i].name, err)
			}
			if trace {
				results[i].Trace = log
			}
			if r >= 0 {
				results[i].TotalMs = append(results[i].TotalMs, total)
				results[i].InitMs = append(results[i].InitMs, init)
			}
		}
	}
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// coldFunctions starts the peers the functions need and describes them.
func coldFunctions(t *testing.T) []coldFunction {
	t.Helper()
	httpEvent := func(method, route, path string, claims map[string]string) events.APIGatewayV2HTTPRequest {
		e := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: route, RawPath: path,
			Headers: map[string]string{"origin": "https://app.example.com"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RequestID: "JKJaXmPLvHcESHA=", Stage: "$default",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			},
		}
		if claims != nil {
			e.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
			}
		}
		return e
	}
	status200 := status(200)

	// AWS settings for the functions that link the SDK: local-kms and the
	// Secrets Manager wire-protocol server, static credentials.
	k := testpeer.StartKMS(t)
	keyID, keyARN := k.CreateKey(t)
	sm := testpeer.StartSecretsManager(t)
	secretARN, _ := sm.PutString("bench/upstream", "upstream-credential-9f8e7d6c5b4a")
	aws := func(name string, more map[string]string) map[string]string {
		env := map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME":         name,
			"AWS_REGION":                       testpeer.KMSRegion,
			"AWS_ACCESS_KEY_ID":                "AKIDEXAMPLE",
			"AWS_SECRET_ACCESS_KEY":            "example-secret-access-key",
			"AWS_ENDPOINT_URL_KMS":             k.Endpoint,
			"AWS_ENDPOINT_URL_SECRETS_MANAGER": sm.URL,
		}
		for key, v := range more {
			env[key] = v
		}
		return env
	}
	ec := func(fn string) map[string]string { return map[string]string{"LambdaFunctionName": fn} }

	// A cognito-local pool for the authorizer, and a signed-in user.
	const pw = "Passw0rd!bench"
	pool := testpeer.StartCognito(t).NewPool(t, "bench-authorizer")
	sub := pool.AddUser(t, "alice", pw, "writers")
	alice := pool.SignIn(t, "alice", pw)

	hello := coldFunction{
		name: "hello", dir: "../examples", pkg: "./hello",
		env:   map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "hello"},
		event: httpEvent("GET", "GET /", "/", nil), check: status200,
	}
	helloSDK := coldFunction{
		name: "hello-sdk", dir: ".", pkg: "./hellosdk",
		env:   aws("hello-sdk", nil),
		event: httpEvent("GET", "GET /", "/", nil), check: status200,
	}
	helloSDKDecrypt := helloSDK
	helloSDKDecrypt.name = "hello-sdk-decrypt"
	helloSDKDecrypt.env = aws("hello-sdk-decrypt", map[string]string{
		"HELLO_KMS_CIPHERTEXT": k.Encrypt(t, keyID, []byte("signing-key-4c8f0e2a9b7d6e5f"), ec("hello-sdk-decrypt")),
	})
	authz := coldFunction{
		name: "authorizer-cognito", dir: "../examples", pkg: "./authorizer-cognito",
		env: map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME":   "authorizer-cognito",
			"COGNITO_USER_POOL_ID":       pool.ID,
			"COGNITO_CLIENT_IDS":         pool.ClientID,
			"COGNITO_TOKEN_USE":          "access",
			"COGNITO_ISSUER":             pool.Issuer,
			"ALLOW_HTTP_LOOPBACK_ISSUER": "true",
			"ALLOWED_GROUPS":             "writers",
			"API_ROUTES":                 "GET /notes,POST /notes",
		},
		event: events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "Bearer " + alice.AccessToken,
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/notes",
		},
		check: func(body []byte) error {
			var resp events.APIGatewayCustomAuthorizerResponse
			if err := json.Unmarshal(body, &resp); err != nil || resp.PrincipalID != sub ||
				len(resp.PolicyDocument.Statement) == 0 || resp.PolicyDocument.Statement[0].Effect != "Allow" {
				return fmt.Errorf("response %s, want an Allow policy for the user", body)
			}
			return nil
		},
	}
	// The api's data tier on dynalite: the notes table, the key store and
	// a branch key, created by the examples' branchkey command.
	dyn := testpeer.StartDynamo(t)
	branchKey := provisionNotes(t, aws("branchkey", map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": dyn.Endpoint}), keyARN)
	aliceClaims := map[string]string{"sub": "4f2b6c1e-0000-4000-8000-00000000a11c", "username": "alice", "token_use": "access"}
	api := coldFunction{
		name: "api", dir: "../examples", pkg: "./api",
		env: aws("notes-api", map[string]string{
			"ALLOWED_ORIGIN":            "https://app.example.com",
			"SIGNING_KEY":               k.Encrypt(t, keyID, []byte("signing-key-4c8f0e2a9b7d6e5f"), ec("notes-api")),
			"KMS_KEY_ARN":               keyARN,
			"UPSTREAM_SECRET_ARN":       secretARN,
			"AWS_ENDPOINT_URL_DYNAMODB": dyn.Endpoint,
			"NOTES_TABLE":               "bench-notes",
			"KEY_STORE_TABLE":           "bench-keystore",
			"BRANCH_KEY_ID":             branchKey,
		}),
		event: httpEvent("GET", "GET /notes", "/notes", aliceClaims),
		check: status200,
		// One note of alice's, so that the first response reads the
		// branch key and decrypts.
		prime: func() events.APIGatewayV2HTTPRequest {
			e := httpEvent("POST", "POST /notes", "/notes", aliceClaims)
			e.Body = `{"text":"a note for the cold start to decrypt"}`
			return e
		}(),
	}
	return []coldFunction{hello, helloSDK, helloSDKDecrypt, authz, api}
}

// provisionNotes creates the notes API's tables on dynalite and a branch
// key wrapped by keyARN, with examples/cmd/branchkey run in env, and
// returns the branch key's ID.
func provisionNotes(t *testing.T, env map[string]string, keyARN string) string {
	t.Helper()
	cmd := exec.Command("go", "run", "./cmd/branchkey", "-local", "-notes-table", "bench-notes",
		"-key-store", "bench-keystore", "-kms-key-arn", keyARN)
	cmd.Dir = "../examples"
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("branchkey: %v\n%s", err, stderr.String())
	}
	return string(bytes.TrimSpace(out))
}

// status returns a check that the response is an HTTP API response with
// the status code want.
func status(want int) func([]byte) error {
	return func(body []byte) error {
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(body, &resp); err != nil || resp.StatusCode != want {
			return fmt.Errorf("response %s, want status %d", body, want)
		}
		return nil
	}
}

// rieBinary finds aws-lambda-rie as the harness does.
func rieBinary(t *testing.T) string {
	t.Helper()
	if d := testpeer.BinDir(); d != "" {
		p := filepath.Join(d, "aws-lambda-rie")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("aws-lambda-rie")
	if err != nil {
		t.Fatal("aws-lambda-rie is not installed: run `make peers` from the repository root")
	}
	return p
}

// buildBootstrap builds pkg (relative to dir), with the build tags
// lambda.norpc and tags, as out/<base>/bootstrap the way Lambda's
// provided.al2023 runtime takes it, stripped.
func buildBootstrap(out, dir, pkg, tags string) (string, error) {
	bin := filepath.Join(out, filepath.Base(pkg), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", strings.TrimSuffix("lambda.norpc,"+tags, ","), "-ldflags=-s -w", "-o", bin, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", pkg, err, b)
	}
	return bin, nil
}

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// coldStart starts aws-lambda-rie with f, sends its event as soon as the
// emulator accepts connections, and returns the milliseconds from starting
// the emulator to the end of the response, and the init duration the
// emulator reports. The emulator (and with it the function) is stopped by
// its PID before returning, and its output so far is returned too.
func coldStart(rie string, f coldFunction) (total, init float64, log string, err error) {
	event, err := json.Marshal(f.event)
	if err != nil {
		return 0, 0, "", err
	}
	addr, err := freeAddr()
	if err != nil {
		return 0, 0, "", err
	}
	api, err := freeAddr()
	if err != nil {
		return 0, 0, "", err
	}
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", api, f.bootstrap)
	cmd.Dir = filepath.Dir(f.bootstrap)
	// Lambda gives a function only the variables it sets and the
	// function's own, so the emulator gets no more than PATH and HOME from
	// this machine: a developer's AWS_CA_BUNDLE, AWS_PROFILE or proxy
	// settings would change what the SDK does at init.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "AWS_LAMBDA_FUNCTION_TIMEOUT=30"}
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = sysProcAttr()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, "", err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	defer stopProcess(cmd, done)

	var body []byte
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		resp, err := client.Do(req)
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return 0, 0, "", err
			}
			if resp.StatusCode != http.StatusOK {
				return 0, 0, "", fmt.Errorf("invoke: %s: %s\n%s", resp.Status, body, out.String())
			}
			break
		}
		select {
		case <-done:
			return 0, 0, "", fmt.Errorf("aws-lambda-rie exited:\n%s", out.String())
		case <-ctx.Done():
			return 0, 0, "", fmt.Errorf("no response: %v\n%s", err, out.String())
		case <-time.After(500 * time.Microsecond): // poll until the emulator listens
		}
	}
	total = float64(time.Since(start).Microseconds()) / 1000
	if err := f.check(body); err != nil {
		return 0, 0, "", fmt.Errorf("%w\n%s", err, out.String())
	}
	// The emulator logs INIT REPORT before it passes the event on, but its
	// output reaches the pipe asynchronously.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := initReport.FindStringSubmatch(out.String()); m != nil {
			init, err = strconv.ParseFloat(m[1], 64)
			return total, init, out.String(), err
		}
		if time.Now().After(deadline) {
			return 0, 0, "", fmt.Errorf("no INIT REPORT in the emulator's output:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stopProcess stops cmd by its PID: SIGTERM, then SIGKILL after 5 s.
func stopProcess(cmd *exec.Cmd, done <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// TestInitReportParse checks the parser of the emulator's init line, so
// that the cold-start plumbing stays right when it is not run.
func TestInitReportParse(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{name: "report", line: "25 Nov 2026 13:18:24,337 [INFO] (rapid) INIT REPORT(durationMs: 3.645000)", want: "3.645000"},
		{name: "start", line: "25 Nov 2026 13:18:24,337 [INFO] (rapid) INIT START(type: on-demand, phase: init)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if m := initReport.FindStringSubmatch(tt.line); m != nil {
				got = m[1]
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

package redact_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seclambda/seclambda/redact"
)

// dropTime removes the timestamp so that the examples' output is stable.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// Wiring with a registry: secenv registers every value it decrypts in
// redact.Default(), and every logger built on it masks them, including values
// registered after the logger was built. Here a private registry stands in
// for Default.
func ExampleNewHandler() {
	reg := redact.NewRegistry()
	logger := slog.New(redact.NewHandler(
		slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime}),
		redact.WithRegistry(reg), // omit to use redact.Default(), which secenv fills
	))

	dbPassword := "correct-horse-battery" // as secenv would have decrypted it
	if err := reg.Add(dbPassword); err != nil {
		fmt.Println(err)
	}

	logger.Info("connecting", "dsn", "postgres://app:"+dbPassword+"@db:5432/app")
	logger.Error("connect failed", "err", fmt.Errorf("auth: password %q rejected", dbPassword))
	logger.Info("request", "authorization", "Basic YXBwOnB3", "auth", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	// Output:
	// {"level":"INFO","msg":"connecting","dsn":"postgres://app:[REDACTED]@db:5432/app"}
	// {"level":"ERROR","msg":"connect failed","err":"auth: password \"[REDACTED]\" rejected"}
	// {"level":"INFO","msg":"request","authorization":"[REDACTED]","auth":"Bearer [REDACTED]"}
}

// Wrapping the standard log package: everything written through log.Printf
// and friends is scrubbed on its way to stderr.
func ExampleNewWriter() {
	reg := redact.NewRegistry()
	_ = reg.Add("s3cr3t-api-key")

	w := redact.NewWriter(os.Stdout, redact.WithRegistry(reg))
	defer w.Close() // passes on a held-back tail, if any

	log.SetFlags(0)
	log.SetOutput(w) // in a function: redact.NewWriter(os.Stderr)
	defer log.SetOutput(os.Stderr)

	log.Printf("calling partner API with key %s", "s3cr3t-api-key")
	log.Printf("using AWS key %s", "AKIAIOSFODNN7EXAMPLE")
	// Output:
	// calling partner API with key [REDACTED]
	// using AWS key [REDACTED]
}

// A Lambda function logs through NewLogger: JSON when the function's log
// format is JSON, the level from its log-level setting, and in each record
// the request ID, cold_start, the function's name, memory and ARN, and the
// X-Ray trace ID (when the invocation has one).
func ExampleNewLogger() {
	// Lambda sets these variables for the function; here the example does.
	for k, v := range map[string]string{
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_LEVEL":            "INFO",
		"AWS_LAMBDA_FUNCTION_NAME":        "greeter",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
	} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}
	logger := redact.NewLogger(os.Stdout,
		// A fixed clock keeps the output below the same; a function
		// leaves WithClock out.
		redact.WithClock(func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 123e6, time.UTC) }),
	)
	// In main: slog.SetDefault(logger), for slog.InfoContext and log.Print.

	handler := func(ctx context.Context, name string) (string, error) {
		logger.InfoContext(ctx, "greeting", "name", name, "password", "hunter2")
		return "hello " + name, nil
	}
	// lambda.Start(handler) passes a context that carries the request ID,
	// the invoked ARN and the trace header; two invocations of it:
	for _, id := range []string{"c6af9ac6-7b61-11e6-9a41-93e8deadbe00", "c6af9ac6-7b61-11e6-9a41-93e8deadbe01"} {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
			AwsRequestID:       id,
			InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:greeter",
		})
		_, _ = handler(ctx, "alice")
	}
	// Output:
	// {"timestamp":"2025-06-01T12:00:00.123Z","level":"INFO","message":"greeting","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbe00","cold_start":true,"function_name":"greeter","function_memory_size":128,"function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:greeter","name":"alice","password":"[REDACTED]"}
	// {"timestamp":"2025-06-01T12:00:00.123Z","level":"INFO","message":"greeting","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbe01","cold_start":false,"function_name":"greeter","function_memory_size":128,"function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:greeter","name":"alice","password":"[REDACTED]"}
}

// Debug logs for one invocation in ten: the function's application log
// level (AWS_LAMBDA_LOG_LEVEL) is DEBUG, so that Lambda keeps the sampled
// DEBUG lines, and the logger's own level is INFO for the other
// invocations.
func ExampleWithSampling() {
	// Lambda sets these variables for the function; here the example does.
	for k, v := range map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}
	logger := redact.NewLogger(os.Stdout, redact.WithLevel(slog.LevelInfo), redact.WithSampling(0.1),
		redact.WithClock(func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 123e6, time.UTC) })) // a fixed clock for the output below

	handler := func(ctx context.Context, order string) error {
		logger.DebugContext(ctx, "loading order", "order", order) // in one invocation in ten
		logger.InfoContext(ctx, "order placed", "order", order)   // in every invocation
		return nil
	}
	// lambda.Start(handler); two invocations, the second of them sampled:
	for _, id := range []string{"c6af9ac6-7b61-11e6-9a41-93e8deadbe00", "c6af9ac6-7b61-11e6-9a41-93e8deadbe02"} {
		_ = handler(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id}), "o-1")
	}
	// Output:
	// {"timestamp":"2025-06-01T12:00:00.123Z","level":"INFO","message":"order placed","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbe00","cold_start":true,"sampling_rate":0.1,"order":"o-1"}
	// {"timestamp":"2025-06-01T12:00:00.123Z","level":"DEBUG","message":"loading order","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbe02","cold_start":false,"sampling_rate":0.1,"order":"o-1"}
	// {"timestamp":"2025-06-01T12:00:00.123Z","level":"INFO","message":"order placed","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbe02","cold_start":false,"sampling_rate":0.1,"order":"o-1"}
}

// Registry.Scrub masks registered secrets in any string, also in the forms
// that encoders give them.
func ExampleRegistry_Scrub() {
	reg := redact.NewRegistry()
	err := reg.Add("hunter22", "abc") // "abc" is too short to register
	fmt.Println(err)
	fmt.Println(reg.Scrub(`pw=hunter22 json="hunter22" b64=aHVudGVyMjI=`))
	// Output:
	// redact: secret shorter than 4 bytes is not registered (1 value(s))
	// pw=[REDACTED] json="[REDACTED]" b64=[REDACTED]
}

// A request logged whole: the values of sensitive keys inside it (headers,
// fields, map entries) are masked, and the rest keeps its structure.
func ExampleNewHandler_event() {
	logger := slog.New(redact.NewHandler(
		slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime}),
		redact.WithRegistry(redact.NewRegistry()),
	))
	headers := map[string]string{
		"host":      "api.example.com",
		"cookie":    "session=opaque-session-id",
		"x-api-key": "partner-key-123456",
	}
	logger.Info("request", "headers", headers)
	// Output:
	// {"level":"INFO","msg":"request","headers":{"cookie":"[REDACTED]","host":"api.example.com","x-api-key":"[REDACTED]"}}
}

package redact_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// TestNewLoggerInLambda runs a function that logs with NewLogger under the
// Lambda runtime interface emulator and reads its real output.
func TestNewLoggerInLambda(t *testing.T) {
	const secret = "fn-secret-value-123"
	bin := testpeer.BuildFunction(t, ".", "./testdata/lambdafn")
	fn := testpeer.StartFunction(t, bin, map[string]string{
		"AWS_LAMBDA_LOG_FORMAT": "JSON",
		"AWS_LAMBDA_LOG_LEVEL":  "INFO",
		"TEST_SECRET":           secret,
	})
	for range 2 {
		if _, err := fn.Invoke(context.Background(), []byte(`{"echo":"`+secret+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	// The emulator relays the function's output asynchronously: wait until
	// it has relayed the end of the second invocation.
	out := fn.Output()
	for deadline := time.Now().Add(10 * time.Second); strings.Count(out, "END RequestId") < 2; out = fn.Output() {
		if time.Now().After(deadline) {
			t.Fatalf("the function's output is incomplete:\n%s", out)
		}
		runtime.Gosched()
	}
	if strings.Contains(out, secret) {
		t.Fatalf("the function's output leaks the secret:\n%s", out)
	}
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec struct {
			Timestamp, Level, Message, RequestID, Echo, Password string
			ColdStart                                            *bool  `json:"cold_start"`
			FunctionName                                         string `json:"function_name"`
			FunctionMemorySize                                   int    `json:"function_memory_size"`
			FunctionARN                                          string `json:"function_arn"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("invalid JSON line %q: %v", line, err)
		}
		if rec.Level != "INFO" || rec.Message != "handling [REDACTED]" || rec.Echo != "[REDACTED]" ||
			rec.Password != "[REDACTED]" || rec.RequestID == "" || rec.Timestamp == "" {
			t.Fatalf("unexpected record %+v", rec)
		}
		// The emulator names the function and gives it an ARN and memory.
		if rec.ColdStart == nil || *rec.ColdStart != (len(ids) == 0) || rec.FunctionName == "" ||
			rec.FunctionMemorySize <= 0 || !strings.HasPrefix(rec.FunctionARN, "arn:aws:lambda:") {
			t.Fatalf("record %d lacks a Lambda field: %s", len(ids), line)
		}
		ids = append(ids, rec.RequestID)
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("want two records with distinct request IDs, got %q in:\n%s", ids, out)
	}
}

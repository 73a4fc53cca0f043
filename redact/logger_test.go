package redact_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seclambda/seclambda/redact"
)

func TestNewLoggerJSON(t *testing.T) {
	t.Setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
	t.Setenv("AWS_LAMBDA_LOG_LEVEL", "trace")
	var buf bytes.Buffer
	reg := newReg(t, "hunter2-s3cr3t")
	l := redact.NewLogger(&buf, redact.WithRegistry(reg))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	l.Log(ctx, redact.LevelTrace, "tracing", "a", 1)
	l.WithGroup("g").With("pw", "hunter2-s3cr3t").ErrorContext(ctx, "failed hunter2-s3cr3t", "b", 2)
	l.Log(context.Background(), redact.LevelFatal, "no context")
	objs := jsonLines(t, buf.String())
	if len(objs) != 3 {
		t.Fatalf("got %d lines:\n%s", len(objs), buf.String())
	}
	tests := []struct {
		name string
		obj  map[string]any
		want map[string]any
	}{
		{"trace", objs[0], map[string]any{"level": "TRACE", "message": "tracing", "requestId": "req-1", "a": 1.0}},
		{"group", objs[1], map[string]any{"level": "ERROR", "message": "failed [REDACTED]", "requestId": "req-1",
			"g": map[string]any{"pw": "[REDACTED]", "b": 2.0}}},
		{"no request", objs[2], map[string]any{"level": "FATAL", "message": "no context"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, _ := tt.obj["timestamp"].(string)
			if p, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "Z") || p.IsZero() {
				t.Fatalf("timestamp %q is not RFC 3339 UTC", ts)
			}
			delete(tt.obj, "timestamp")
			if !equalJSON(tt.obj, tt.want) {
				t.Fatalf("got %v\nwant %v", tt.obj, tt.want)
			}
		})
	}
	if strings.Index(buf.String(), `"requestId"`) > strings.Index(buf.String(), `"g"`) {
		t.Fatalf("requestId is not before the group: %s", buf.String())
	}
}

func equalJSON(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		switch v := v.(type) {
		case map[string]any:
			w, ok := b[k].(map[string]any)
			if !ok || !equalJSON(v, w) {
				return false
			}
		default:
			if b[k] != v {
				return false
			}
		}
	}
	return true
}

func TestNewLoggerLevelsAndText(t *testing.T) {
	tests := []struct {
		name    string
		format  string
		level   string
		opts    []redact.Option
		enabled []slog.Level
		off     []slog.Level
		prefix  string
	}{
		{name: "defaults", enabled: []slog.Level{slog.LevelInfo}, off: []slog.Level{slog.LevelDebug}, prefix: "timestamp="},
		{name: "text, warn", format: "Text", level: "WARN", enabled: []slog.Level{slog.LevelWarn}, off: []slog.Level{slog.LevelInfo}, prefix: "timestamp="},
		{name: "json, debug", format: "json", level: "debug", enabled: []slog.Level{slog.LevelDebug}, off: []slog.Level{redact.LevelTrace}, prefix: `{"timestamp":`},
		{name: "unknown level is INFO", level: "LOUD", enabled: []slog.Level{slog.LevelInfo}, off: []slog.Level{slog.LevelDebug}, prefix: "timestamp="},
		{name: "fatal", level: "FATAL", enabled: []slog.Level{redact.LevelFatal}, off: []slog.Level{slog.LevelError}, prefix: "timestamp="},
		{name: "WithLevel wins", level: "ERROR", opts: []redact.Option{redact.WithLevel(slog.LevelDebug)},
			enabled: []slog.Level{slog.LevelDebug}, off: []slog.Level{redact.LevelTrace}, prefix: "timestamp="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_LAMBDA_LOG_FORMAT", tt.format)
			t.Setenv("AWS_LAMBDA_LOG_LEVEL", tt.level)
			var buf bytes.Buffer
			l := redact.NewLogger(&buf, append(tt.opts, redact.WithRegistry(redact.NewRegistry()))...)
			ctx := context.Background()
			for _, lv := range tt.enabled {
				if !l.Enabled(ctx, lv) {
					t.Errorf("level %v disabled", lv)
				}
			}
			for _, lv := range tt.off {
				if l.Enabled(ctx, lv) {
					t.Errorf("level %v enabled", lv)
				}
			}
			l.Log(ctx, tt.enabled[0], "hi", "token", "abc")
			out := buf.String()
			if !strings.HasPrefix(out, tt.prefix) || !strings.Contains(out, "message") || strings.Contains(out, "abc") {
				t.Fatalf("output %q", out)
			}
		})
	}
}

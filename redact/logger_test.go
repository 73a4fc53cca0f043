package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// TestNewLoggerUserKeys checks that top-level attributes named like the
// record's own fields are prefixed with '_' instead of being renamed with
// the built-ins, so that none can pass for or duplicate them, and that the
// same keys inside a group are left alone.
func TestNewLoggerUserKeys(t *testing.T) {
	at := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want map[string]any // besides timestamp, level INFO, message "m" and requestId req-1
	}{
		{"msg", func(l *slog.Logger) { l.InfoContext(ctx, "m", "msg", "spoofed") }, map[string]any{"_msg": "spoofed"}},
		{"message", func(l *slog.Logger) { l.InfoContext(ctx, "m", "message", "spoofed") }, map[string]any{"_message": "spoofed"}},
		{"level as a string", func(l *slog.Logger) { l.InfoContext(ctx, "m", "level", "ERROR") }, map[string]any{"_level": "ERROR"}},
		{"level as a slog.Level", func(l *slog.Logger) { l.InfoContext(ctx, "m", "level", slog.LevelError) }, map[string]any{"_level": "ERROR"}},
		{"time as a time", func(l *slog.Logger) { l.InfoContext(ctx, "m", "time", at) }, map[string]any{"_time": "2001-02-03T04:05:06Z"}},
		{"timestamp", func(l *slog.Logger) { l.InfoContext(ctx, "m", "timestamp", "1970") }, map[string]any{"_timestamp": "1970"}},
		{"requestId", func(l *slog.Logger) { l.InfoContext(ctx, "m", "requestId", "req-2") }, map[string]any{"_requestId": "req-2"}},
		{"With", func(l *slog.Logger) { l.With("msg", "w").InfoContext(ctx, "m") }, map[string]any{"_msg": "w"}},
		{"inlined group", func(l *slog.Logger) { l.InfoContext(ctx, "m", slog.Group("", "message", "g")) }, map[string]any{"_message": "g"}},
		{"inside a group", func(l *slog.Logger) { l.InfoContext(ctx, "m", slog.Group("g", "msg", "x", "level", "y")) },
			map[string]any{"g": map[string]any{"msg": "x", "level": "y"}}},
		{"after WithGroup", func(l *slog.Logger) { l.WithGroup("g").With("time", "t").InfoContext(ctx, "m", "message", "x") },
			map[string]any{"g": map[string]any{"time": "t", "message": "x"}}},
	}
	for _, format := range []string{"JSON", "text"} {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				t.Setenv("AWS_LAMBDA_LOG_FORMAT", format)
				t.Setenv("AWS_LAMBDA_LOG_LEVEL", "")
				var buf bytes.Buffer
				tt.log(redact.NewLogger(&buf, redact.WithRegistry(redact.NewRegistry())))
				out := buf.String()
				if format == "text" {
					for _, k := range []string{" msg=", " time=", "message=m ", " level=INFO "} {
						if k == " msg=" || k == " time=" {
							if strings.Contains(out, k) {
								t.Fatalf("output has %q:\n%s", k, out)
							}
						} else if strings.Count(out, k) != 1 {
							t.Fatalf("output has %q %d times:\n%s", k, strings.Count(out, k), out)
						}
					}
					for k := range tt.want {
						if _, grouped := tt.want[k].(map[string]any); !grouped && !strings.Contains(out, " "+k+"=") {
							t.Fatalf("output lacks %s:\n%s", k, out)
						}
					}
					return
				}
				objs := jsonLines(t, out)
				seen := map[string]bool{}
				for _, k := range topKeys(t, out) {
					if seen[k] {
						t.Fatalf("duplicate field %q:\n%s", k, out)
					}
					seen[k] = true
				}
				if len(objs) != 1 {
					t.Fatalf("want one line:\n%s", out)
				}
				got := objs[0]
				if _, ok := got["timestamp"].(string); !ok {
					t.Fatalf("no timestamp:\n%s", out)
				}
				delete(got, "timestamp")
				want := map[string]any{"level": "INFO", "message": "m", "requestId": "req-1"}
				for k, v := range tt.want {
					want[k] = v
				}
				if !equalJSON(got, want) {
					t.Fatalf("got  %v\nwant %v", got, want)
				}
			})
		}
	}
}

// topKeys returns the member names of the JSON object line, in order and
// with duplicates, which decoding into a map would hide.
func topKeys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '{' || tok == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && dec.More() {
				keys = append(keys, tok)
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

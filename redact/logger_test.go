package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seclambda/seclambda/redact"
)

func TestNewLoggerJSON(t *testing.T) {
	t.Setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
	t.Setenv("AWS_LAMBDA_LOG_LEVEL", "trace")
	freshColdStart(t)
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
		{"trace", objs[0], map[string]any{"level": "TRACE", "message": "tracing", "requestId": "req-1", "cold_start": true, "a": 1.0}},
		{"group", objs[1], map[string]any{"level": "ERROR", "message": "failed [REDACTED]", "requestId": "req-1", "cold_start": true,
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
		opts    []redact.LoggerOption
		enabled []slog.Level
		off     []slog.Level
		prefix  string
	}{
		{name: "defaults", enabled: []slog.Level{slog.LevelInfo}, off: []slog.Level{slog.LevelDebug}, prefix: "timestamp="},
		{name: "text, warn", format: "Text", level: "WARN", enabled: []slog.Level{slog.LevelWarn}, off: []slog.Level{slog.LevelInfo}, prefix: "timestamp="},
		{name: "json, debug", format: "json", level: "debug", enabled: []slog.Level{slog.LevelDebug}, off: []slog.Level{redact.LevelTrace}, prefix: `{"timestamp":`},
		{name: "unknown level is INFO", level: "LOUD", enabled: []slog.Level{slog.LevelInfo}, off: []slog.Level{slog.LevelDebug}, prefix: "timestamp="},
		{name: "fatal", level: "FATAL", enabled: []slog.Level{redact.LevelFatal}, off: []slog.Level{slog.LevelError}, prefix: "timestamp="},
		{name: "WithLevel wins", level: "ERROR", opts: []redact.LoggerOption{redact.WithLevel(slog.LevelDebug)},
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
		{"Lambda fields", func(l *slog.Logger) {
			l.InfoContext(ctx, "m", "cold_start", false, "function_name", "f", "function_arn", "a", "xray_trace_id", "x",
				"function_memory_size", 1, "sampling_rate", 1)
		}, map[string]any{"_cold_start": false, "_function_name": "f", "_function_arn": "a", "_xray_trace_id": "x",
			"_function_memory_size": 1.0, "_sampling_rate": 1.0}},
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
				freshColdStart(t)
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
				want := map[string]any{"level": "INFO", "message": "m", "requestId": "req-1", "cold_start": true}
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

// lambdaCtx returns a context as lambda.Start passes it to the handler: the
// Lambda context and, if trace is not empty, the X-Ray trace header.
func lambdaCtx(id, arn, trace string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id, InvokedFunctionArn: arn})
	if trace != "" {
		//lint:ignore SA1029 aws-lambda-go passes the trace header under this string key
		ctx = context.WithValue(ctx, "x-amzn-trace-id", trace)
	}
	return ctx
}

// TestNewLoggerLambdaFields checks the fields that Powertools users expect,
// their order and their scrubbing.
func TestNewLoggerLambdaFields(t *testing.T) {
	const (
		arn    = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"
		header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
		root   = "1-5759e988-bd862e3fe1be46a994272793"
	)
	fnEnv := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}
	tests := []struct {
		name    string
		env     map[string]string
		secrets []string // registered before the logger is built
		opts    []redact.LoggerOption
		log     func(l *slog.Logger, reg *redact.Registry)
		want    []map[string]any // per line, without timestamp, level INFO
		keys    []string         // the first line's keys, in order
		stamp   string           // every line's timestamp, if set
	}{
		{
			name: "WithClock stamps every record",
			opts: []redact.LoggerOption{redact.WithClock(func() time.Time { return time.Date(2025, 6, 1, 14, 0, 0, 123456789, time.FixedZone("CEST", 2*3600)) })},
			log: func(l *slog.Logger, _ *redact.Registry) {
				l.InfoContext(lambdaCtx("r1", "", ""), "m")
				l.WithGroup("g").Info("m", "a", 1)
			},
			want:  []map[string]any{{"message": "m", "requestId": "r1", "cold_start": true}, {"message": "m", "g": map[string]any{"a": 1.0}}},
			stamp: "2025-06-01T12:00:00.123Z",
		},
		{
			name: "WithClock(nil) keeps the record's time",
			opts: []redact.LoggerOption{redact.WithClock(nil)},
			log:  func(l *slog.Logger, _ *redact.Registry) { l.Info("m") },
			want: []map[string]any{{"message": "m"}},
		},
		{
			name: "every field, in order",
			env:  fnEnv,
			log:  func(l *slog.Logger, _ *redact.Registry) { l.InfoContext(lambdaCtx("r1", arn, header), "m", "a", 1) },
			want: []map[string]any{{"message": "m", "requestId": "r1", "cold_start": true, "function_name": "orders",
				"function_memory_size": 512.0, "function_arn": arn, "xray_trace_id": root, "a": 1.0}},
			keys: []string{"timestamp", "level", "message", "requestId", "cold_start", "function_name", "function_memory_size",
				"function_arn", "xray_trace_id", "a"},
		},
		{
			name: "later invocations are warm",
			env:  fnEnv,
			log: func(l *slog.Logger, _ *redact.Registry) {
				l.InfoContext(lambdaCtx("r1", arn, ""), "m")
				l.With("w", 1).InfoContext(lambdaCtx("r2", arn, ""), "m")
				l.InfoContext(lambdaCtx("r1", arn, ""), "m")
			},
			want: []map[string]any{
				{"message": "m", "requestId": "r1", "cold_start": true, "function_name": "orders", "function_memory_size": 512.0, "function_arn": arn},
				{"message": "m", "requestId": "r2", "cold_start": false, "function_name": "orders", "function_memory_size": 512.0, "function_arn": arn, "w": 1.0},
				{"message": "m", "requestId": "r1", "cold_start": true, "function_name": "orders", "function_memory_size": 512.0, "function_arn": arn},
			},
		},
		{
			name: "no Lambda context: the function's fields only",
			env:  fnEnv,
			log:  func(l *slog.Logger, _ *redact.Registry) { l.Info("m") },
			want: []map[string]any{{"message": "m", "function_name": "orders", "function_memory_size": 512.0}},
		},
		{
			name: "outside Lambda: no fields",
			log:  func(l *slog.Logger, _ *redact.Registry) { l.Info("m") },
			want: []map[string]any{{"message": "m"}},
		},
		{
			name: "trace ID from _X_AMZN_TRACE_ID",
			env:  map[string]string{"_X_AMZN_TRACE_ID": header},
			log:  func(l *slog.Logger, _ *redact.Registry) { l.InfoContext(lambdaCtx("r1", "", ""), "m") },
			want: []map[string]any{{"message": "m", "requestId": "r1", "cold_start": true, "xray_trace_id": root}},
		},
		{
			name: "the context's trace header wins",
			env:  map[string]string{"_X_AMZN_TRACE_ID": "Root=1-00000000-000000000000000000000000"},
			log: func(l *slog.Logger, _ *redact.Registry) {
				l.InfoContext(lambdaCtx("r1", "", "Sampled=0;Root="+root), "m")
			},
			want: []map[string]any{{"message": "m", "requestId": "r1", "cold_start": true, "xray_trace_id": root}},
		},
		{
			name: "sampling rate",
			opts: []redact.LoggerOption{redact.WithSampling(0.25)},
			log:  func(l *slog.Logger, _ *redact.Registry) { l.InfoContext(lambdaCtx("r1", "", ""), "m") },
			want: []map[string]any{{"message": "m", "requestId": "r1", "cold_start": true, "sampling_rate": 0.25}},
		},
		{
			name:    "fields are scrubbed",
			env:     map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn-hunter2-s3cr3t"},
			secrets: []string{"hunter2-s3cr3t", "123456789012"},
			log:     func(l *slog.Logger, _ *redact.Registry) { l.InfoContext(lambdaCtx("r1", arn, ""), "m") },
			want: []map[string]any{{"message": "m", "requestId": "r1", "cold_start": true, "function_name": "fn-[REDACTED]",
				"function_arn": "arn:aws:lambda:eu-west-1:[REDACTED]:function:orders:live"}},
		},
		{
			name: "fields are scrubbed with values registered later",
			env:  map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn-hunter2-s3cr3t"},
			log: func(l *slog.Logger, reg *redact.Registry) {
				ctx := lambdaCtx("r1", arn, header)
				l.InfoContext(ctx, "m")
				_ = reg.Add("hunter2-s3cr3t", "bd862e3fe1be46a994272793")
				l.InfoContext(ctx, "m")
			},
			want: []map[string]any{
				{"message": "m", "requestId": "r1", "cold_start": true, "function_name": "fn-hunter2-s3cr3t", "function_arn": arn, "xray_trace_id": root},
				{"message": "m", "requestId": "r1", "cold_start": true, "function_name": "fn-[REDACTED]", "function_arn": arn,
					"xray_trace_id": "1-5759e988-[REDACTED]"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_X_AMZN_TRACE_ID"} {
				t.Setenv(k, tt.env[k])
			}
			t.Setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
			t.Setenv("AWS_LAMBDA_LOG_LEVEL", "")
			freshColdStart(t)
			reg := newReg(t, tt.secrets...)
			var buf bytes.Buffer
			tt.log(redact.NewLogger(&buf, append(tt.opts, redact.WithRegistry(reg))...), reg)
			objs := jsonLines(t, buf.String())
			if len(objs) != len(tt.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(objs), len(tt.want), buf.String())
			}
			for i, got := range objs {
				if ts, _ := got["timestamp"].(string); ts == "" || tt.stamp != "" && ts != tt.stamp {
					t.Fatalf("line %d: timestamp %q, want %q", i, ts, tt.stamp)
				}
				delete(got, "timestamp")
				want := map[string]any{"level": "INFO"}
				for k, v := range tt.want[i] {
					want[k] = v
				}
				if !equalJSON(got, want) {
					t.Fatalf("line %d: got  %v\nwant %v", i, got, want)
				}
			}
			if tt.keys != nil {
				first, _, _ := strings.Cut(buf.String(), "\n")
				if got := topKeys(t, first); !slices.Equal(got, tt.keys) {
					t.Fatalf("keys %q, want %q", got, tt.keys)
				}
			}
		})
	}
}

// TestNewLoggerText checks the Lambda fields in the text format.
func TestNewLoggerText(t *testing.T) {
	t.Setenv("AWS_LAMBDA_LOG_FORMAT", "Text")
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
	t.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
	freshColdStart(t)
	var buf bytes.Buffer
	redact.NewLogger(&buf, redact.WithRegistry(redact.NewRegistry())).InfoContext(lambdaCtx("r1", "arn:a", ""), "m")
	const want = " level=INFO message=m requestId=r1 cold_start=true function_name=orders function_memory_size=128 function_arn=arn:a\n"
	if _, got, _ := strings.Cut(buf.String(), " "); " "+got != want {
		t.Fatalf("got  %q\nwant %q", " "+got, want)
	}
}

// TestNewLoggerSampling checks that sampling lowers the level to DEBUG for
// the sampled invocations only, the same way for every record of one, and
// for about the configured share of them.
func TestNewLoggerSampling(t *testing.T) {
	ids := make([]string, 2000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-1f2b-4c3d-9e8f-%012x", i*2654435761, i)
	}
	tests := []struct {
		name     string
		envLevel string
		opts     []redact.LoggerOption
		min, max float64 // share of invocations with DEBUG enabled
	}{
		{name: "off", envLevel: "INFO", min: 0, max: 0},
		{name: "zero rate", envLevel: "INFO", opts: []redact.LoggerOption{redact.WithSampling(0)}, min: 0, max: 0},
		{name: "a tenth", envLevel: "DEBUG", opts: []redact.LoggerOption{redact.WithLevel(slog.LevelInfo), redact.WithSampling(0.1)}, min: 0.08, max: 0.12},
		{name: "half, from WARN", envLevel: "WARN", opts: []redact.LoggerOption{redact.WithSampling(0.5)}, min: 0.45, max: 0.55},
		{name: "every invocation", envLevel: "ERROR", opts: []redact.LoggerOption{redact.WithSampling(1)}, min: 1, max: 1},
		{name: "DEBUG level anyway", envLevel: "DEBUG", opts: []redact.LoggerOption{redact.WithSampling(0.5)}, min: 1, max: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
			t.Setenv("AWS_LAMBDA_LOG_LEVEL", tt.envLevel)
			freshColdStart(t)
			var buf bytes.Buffer
			l := redact.NewLogger(&buf, append(tt.opts, redact.WithRegistry(redact.NewRegistry()))...)
			base := slog.LevelInfo
			for _, o := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
				if !l.Enabled(context.Background(), o) {
					base = o + 4
				}
			}
			sampled := 0
			for _, id := range ids {
				ctx := lambdaCtx(id, "", "")
				on := l.Enabled(ctx, slog.LevelDebug)
				if on {
					sampled++
				}
				// Every level from DEBUG below the logger's follows the
				// same decision; TRACE is never sampled in.
				for lv := slog.LevelDebug; lv < base; lv += 4 {
					if l.Enabled(ctx, lv) != on {
						t.Fatalf("%s: level %v enabled %v, DEBUG %v", id, lv, !on, on)
					}
				}
				if l.Enabled(ctx, redact.LevelTrace) {
					t.Fatalf("%s: TRACE enabled", id)
				}
			}
			if share := float64(sampled) / float64(len(ids)); share < tt.min || share > tt.max {
				t.Fatalf("DEBUG enabled in %.3f of invocations, want [%v, %v]", share, tt.min, tt.max)
			}
			if tt.max < 1 && l.Enabled(context.Background(), slog.LevelDebug) {
				t.Fatal("DEBUG enabled without a Lambda context")
			}
			// A sampled invocation's DEBUG records are written.
			for _, id := range ids {
				ctx := lambdaCtx(id, "", "")
				if l.Enabled(ctx, slog.LevelDebug) {
					buf.Reset()
					l.DebugContext(ctx, "sampled")
					if !strings.Contains(buf.String(), `"level":"DEBUG","message":"sampled"`) {
						t.Fatalf("sampled DEBUG record not written: %q", buf.String())
					}
					break
				}
			}
		})
	}
}

// TestOptionTypes checks which constructors each option can be passed to:
// an option that does not apply to a constructor does not compile there.
func TestOptionTypes(t *testing.T) {
	tests := []struct {
		name                    string
		opt                     any
		handler, logger, writer bool
	}{
		{"WithRegistry", redact.WithRegistry(nil), true, true, true},
		{"WithMask", redact.WithMask("x"), true, true, true},
		{"WithoutDetectors", redact.WithoutDetectors(), true, true, true},
		{"WithKeys", redact.WithKeys("pin"), true, true, false},
		{"WithoutDefaultKeys", redact.WithoutDefaultKeys(), true, true, false},
		{"WithRequestID", redact.WithRequestID(), true, false, false},
		{"WithLevel", redact.WithLevel(slog.LevelWarn), false, true, false},
		{"WithSampling", redact.WithSampling(0.1), false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, h := tt.opt.(redact.HandlerOption)
			_, l := tt.opt.(redact.LoggerOption)
			_, w := tt.opt.(redact.WriterOption)
			if h != tt.handler || l != tt.logger || w != tt.writer {
				t.Fatalf("HandlerOption %v, LoggerOption %v, WriterOption %v; want %v, %v, %v", h, l, w, tt.handler, tt.logger, tt.writer)
			}
		})
	}
}

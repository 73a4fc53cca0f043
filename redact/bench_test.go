package redact_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seclambda/seclambda/redact"
)

func benchSecrets(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("secret-%04d-%x", i, i*7919+12345)
	}
	return s
}

// benchAttrs is a typical request log record: ten attributes, none secret.
var benchAttrs = []slog.Attr{
	slog.String("method", "POST"),
	slog.String("path", "/v1/orders/12345/items"),
	slog.String("user", "user-8f14e45f"),
	slog.String("request_id", "c0a8012e-1f2b-4c3d-9e8f-a1b2c3d4e5f6"),
	slog.Int("status", 201),
	slog.Int("bytes", 5123),
	slog.Bool("cached", false),
	slog.Duration("latency", 12*time.Millisecond),
	slog.Float64("ratio", 0.75),
	slog.Time("at", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
}

// replaceAttrScrubber is the hand-written approach: a ReplaceAttr that calls
// strings.ReplaceAll once per secret on every string value.
func replaceAttrScrubber(secrets []string) func([]string, slog.Attr) slog.Attr {
	return func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() != slog.KindString {
			return a
		}
		s := a.Value.String()
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, redact.DefaultMask)
		}
		return slog.String(a.Key, s)
	}
}

func BenchmarkHandler(b *testing.B) {
	secrets := benchSecrets(100)
	reg := redact.NewRegistry()
	_ = reg.Add(secrets...)
	reg1 := redact.NewRegistry()
	_ = reg1.Add(secrets[0])
	ctx := context.Background()
	cases := []struct {
		name string
		h    slog.Handler
	}{
		{"plain JSONHandler", slog.NewJSONHandler(io.Discard, nil)},
		{"redact 100 secrets", redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg))},
		{"redact 1 secret", redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg1))},
		{"redact 100 secrets no detectors", redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg), redact.WithoutDetectors())},
		{"ReplaceAttr 100 secrets", slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{ReplaceAttr: replaceAttrScrubber(secrets)})},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			l := slog.New(c.h)
			b.ReportAllocs()
			for b.Loop() {
				l.LogAttrs(ctx, slog.LevelInfo, "order item added", benchAttrs...)
			}
		})
	}
	b.Run("redact 100 secrets, one masked", func(b *testing.B) {
		l := slog.New(redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg)))
		attrs := append(benchAttrs[:9:9], slog.String("dsn", "postgres://app:"+secrets[42]+"@db/app"))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "order item added", attrs...)
		}
	})
	b.Run("redact 100 secrets, With child", func(b *testing.B) {
		l := slog.New(redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg))).With("svc", "orders").WithGroup("req")
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "order item added", benchAttrs...)
		}
	})
}

func BenchmarkScrub(b *testing.B) {
	text := strings.Repeat("GET /v1/orders/12345 user=user-8f14e45f status=200 latency=12ms ", 4)
	for _, n := range []int{1, 10, 100, 1000} {
		secrets := benchSecrets(n)
		reg := redact.NewRegistry()
		_ = reg.Add(secrets...)
		b.Run(fmt.Sprintf("Registry %d secrets", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				_ = reg.Scrub(text)
			}
		})
		pairs := make([]string, 0, 2*n)
		for _, s := range secrets {
			pairs = append(pairs, s, redact.DefaultMask)
		}
		r := strings.NewReplacer(pairs...)
		b.Run(fmt.Sprintf("strings.Replacer %d secrets", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				_ = r.Replace(text)
			}
		})
	}
}

func BenchmarkWriter(b *testing.B) {
	reg := redact.NewRegistry()
	_ = reg.Add(benchSecrets(100)...)
	w := redact.NewWriter(io.Discard, redact.WithRegistry(reg))
	line := []byte(`{"time":"2024-01-02T03:04:05Z","level":"INFO","msg":"order item added","path":"/v1/orders/12345/items","status":201}` + "\n")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = w.Write(line)
	}
}

// nopHandler isolates the cost of redact's own work.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

// BenchmarkHandlerOverhead measures what NewHandler adds to a record of
// benchAttrs, with nothing to mask, in front of a handler that does nothing.
func BenchmarkHandlerOverhead(b *testing.B) {
	reg := redact.NewRegistry()
	_ = reg.Add(benchSecrets(100)...)
	ctx := context.Background()
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "order item added", 0)
	r.AddAttrs(benchAttrs...)
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"nop", nopHandler{}},
		{"redact 100 secrets", redact.NewHandler(nopHandler{}, redact.WithRegistry(reg))},
		{"JSONHandler", slog.NewJSONHandler(io.Discard, nil)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.h.Handle(ctx, r)
			}
		})
	}
}

// BenchmarkAdd registers n secrets one Add at a time in an empty registry,
// as a program that registers a credential per request does.
func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{100, 1000} {
		secrets := benchSecrets(n)
		b.Run(fmt.Sprintf("%d one at a time", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := redact.NewRegistry()
				for _, s := range secrets {
					_ = r.Add(s)
				}
			}
		})
	}
}

// BenchmarkLogger measures what NewLogger's Lambda fields cost: a record in
// an invocation whose fields are already formatted, and the first record of
// each invocation, against NewHandler on the same JSONHandler.
func BenchmarkLogger(b *testing.B) {
	b.Setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
	b.Setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
	b.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
	reg := redact.NewRegistry()
	_ = reg.Add(benchSecrets(100)...)
	lc := &lambdacontext.LambdaContext{AwsRequestID: "c0a8012e-1f2b-4c3d-9e8f-a1b2c3d4e5f6",
		InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders"}
	ctx := lambdacontext.NewContext(context.Background(), lc)
	b.Run("NewHandler", func(b *testing.B) {
		l := slog.New(redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg)))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "order item added", benchAttrs...)
		}
	})
	b.Run("NewLogger", func(b *testing.B) {
		l := redact.NewLogger(io.Discard, redact.WithRegistry(reg), redact.WithSampling(0.1))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "order item added", benchAttrs...)
		}
	})
	b.Run("NewLogger, DEBUG not sampled", func(b *testing.B) {
		l := redact.NewLogger(io.Discard, redact.WithRegistry(reg), redact.WithSampling(0.1))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelDebug, "order item added", benchAttrs...)
		}
	})
	b.Run("NewLogger, a new invocation each record", func(b *testing.B) {
		l := redact.NewLogger(io.Discard, redact.WithRegistry(reg))
		ids := make([]context.Context, 64)
		for i := range ids {
			c := *lc
			c.AwsRequestID = fmt.Sprintf("req-%d", i)
			ids[i] = lambdacontext.NewContext(context.Background(), &c)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.LogAttrs(ids[i%len(ids)], slog.LevelInfo, "order item added", benchAttrs...)
			i++
		}
	})
}

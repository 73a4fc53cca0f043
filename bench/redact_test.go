package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/redact"
)

// The redact contenders log the same ten-attribute request record through
// slog.JSONHandler: plain (the floor, which masks nothing), behind
// redact.NewHandler with 100 registered secrets and its default key and
// detector rules, and with the hand-written alternative, a ReplaceAttr that
// calls strings.ReplaceAll once per secret on every string value.

// redactSecrets returns n distinct secret values.
func redactSecrets(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("secret-%04d-%x", i, i*7919+12345)
	}
	return s
}

// requestAttrs is a typical request log record: ten attributes, none secret.
var requestAttrs = []slog.Attr{
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

// replaceAll is the hand-written approach.
func replaceAll(secrets []string) func([]string, slog.Attr) slog.Attr {
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

// redactHandlers returns each contender's handler writing to w.
func redactHandlers(tb testing.TB, w io.Writer) []struct {
	name string
	h    slog.Handler
} {
	tb.Helper()
	secrets := redactSecrets(100)
	reg := redact.NewRegistry()
	if err := reg.Add(secrets...); err != nil {
		tb.Fatal(err)
	}
	return []struct {
		name string
		h    slog.Handler
	}{
		{"seclambda", redact.NewHandler(slog.NewJSONHandler(w, nil), redact.WithRegistry(reg))},
		{"JSONHandler", slog.NewJSONHandler(w, nil)},
		{"ReplaceAttr", slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: replaceAll(secrets)})},
	}
}

// TestRedactContendersAgree checks that the clean record comes out the
// same from every contender, and that a registered secret is masked by the
// two that mask.
func TestRedactContendersAgree(t *testing.T) {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	secret := redactSecrets(100)[42]
	tests := []struct {
		name  string
		attrs []slog.Attr
		same  bool // all three outputs are identical
	}{
		{name: "clean record", attrs: requestAttrs, same: true},
		{name: "secret in a value", attrs: append(requestAttrs[:9:9], slog.String("dsn", "postgres://app:"+secret+"@db/app"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var outs []string
			var buf bytes.Buffer
			for _, c := range redactHandlers(t, &buf) {
				buf.Reset()
				r := slog.NewRecord(at, slog.LevelInfo, "order item added", 0)
				r.AddAttrs(tt.attrs...)
				if err := c.h.Handle(context.Background(), r); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				if c.name != "JSONHandler" && strings.Contains(out, secret) {
					t.Errorf("%s let the secret through: %s", c.name, out)
				}
				outs = append(outs, out)
			}
			if tt.same && (outs[0] != outs[1] || outs[1] != outs[2]) {
				t.Errorf("outputs differ:\n%s%s%s", outs[0], outs[1], outs[2])
			}
		})
	}
}

// BenchmarkRedact logs the record through each contender.
func BenchmarkRedact(b *testing.B) {
	ctx := context.Background()
	for _, c := range rotate(redactHandlers(b, io.Discard)) {
		b.Run(c.name, func(b *testing.B) {
			l := slog.New(c.h)
			measure(b, func() { l.LogAttrs(ctx, slog.LevelInfo, "order item added", requestAttrs...) })
		})
	}
}

// BenchmarkRedactAdd fills an empty registry one Add at a time with 100 and
// with 1,000 values, as a program that registers a credential per request
// does. Linear cost makes 1,000 Adds about 10 times 100 Adds; rebuilding
// everything on each Add made it about 240 times. The values share their
// first bytes ("secret-"), the case in which one 4-gram collects a pattern
// of every value.
func BenchmarkRedactAdd(b *testing.B) {
	for _, n := range rotate([]int{100, 1000}) {
		secrets := redactSecrets(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			measure(b, func() {
				reg := redact.NewRegistry()
				for _, s := range secrets {
					_ = reg.Add(s)
				}
			})
		})
	}
}

package redact

import (
	"fmt"
	"log/slog"
	"testing"
)

func BenchmarkPieces(b *testing.B) {
	r := NewRegistry()
	for i := range 100 {
		_ = r.Add(fmt.Sprintf("secret-%04d-%x", i, i*7919+12345))
	}
	m := r.matcher()
	cfg := newConfig(handlerOptions(nil))
	sc := scrubber{cfg: cfg, m: m}
	b.Run("scrub short", func(b *testing.B) {
		for b.Loop() {
			m.scrubString("user-8f14e45f", DefaultMask, AllDetectors)
		}
	})
	b.Run("scrub 36", func(b *testing.B) {
		for b.Loop() {
			m.scrubString("c0a8012e-1f2b-4c3d-9e8f-a1b2c3d4e5f6", DefaultMask, AllDetectors)
		}
	})
	b.Run("sensitive", func(b *testing.B) {
		for b.Loop() {
			sc.sensitive("request_id")
		}
	})
	b.Run("attr", func(b *testing.B) {
		a := slog.String("request_id", "c0a8012e-1f2b-4c3d-9e8f-a1b2c3d4e5f6")
		for b.Loop() {
			x := a
			sc.attr(&x)
		}
	})
	b.Run("attr int", func(b *testing.B) {
		a := slog.Int("status", 200)
		for b.Loop() {
			x := a
			sc.attr(&x)
		}
	})
}

package bench

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// BenchmarkRotation measures a secenv.Live secretsmanager value against the
// Secrets Manager wire-protocol server:
//
//   - warm-read: Get of a cached, fresh value (goal: under 1 µs and no
//     network call; calls/op reports the server's requests per read);
//   - refresh-unchanged: each read finds its value due (the clock moves
//     past the TTL) and the version unchanged, which costs one
//     DescribeSecret and no GetSecretValue (describe/op, getvalue/op).
func BenchmarkRotation(b *testing.B) {
	sm := testpeer.StartSecretsManager(b)
	sm.PutString("bench/db", `{"username":"app","password":"rotation-bench-password"}`)
	var ns atomic.Int64
	ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, ns.Load()) }
	var cfg struct {
		DB secenv.Live `env:"DB,secretsmanager,required"`
	}
	if err := secenv.Load(context.Background(), &cfg, secenvaws.WithSecretsManager(sm.NewClient()),
		secenv.WithLookup(func(string) (string, bool) { return "bench/db#password", true }),
		secenv.WithRegistry(redact.NewRegistry()), secenv.WithCache(secenv.NewCache()),
		secenv.WithClock(now), secenv.WithCacheTTL(time.Minute)); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cfg.DB.Get(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("warm-read", func(b *testing.B) {
		calls := sm.Calls()
		measure(b, func() {
			if _, err := cfg.DB.Get(ctx); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(sm.Calls()-calls)/float64(b.N), "calls/op")
	})
	b.Run("refresh-unchanged", func(b *testing.B) {
		d0, g0 := sm.OpCalls("DescribeSecret"), sm.OpCalls("GetSecretValue")
		measure(b, func() {
			ns.Add(int64(2 * time.Minute))
			if _, err := cfg.DB.Get(ctx); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(sm.OpCalls("DescribeSecret")-d0)/float64(b.N), "describe/op")
		b.ReportMetric(float64(sm.OpCalls("GetSecretValue")-g0)/float64(b.N), "getvalue/op")
	})
}

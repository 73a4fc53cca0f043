package bench

import "testing"

// measure runs fn b.N times with allocations reported, and also reports
// cpu-ns/op: the process's CPU time (user and system, GC included) per
// operation. On a shared machine wall-clock ns/op also counts the time the
// benchmark waited for a CPU; CPU time does not, so cmd/report judges the
// CPU-bound goals on it and shows both.
func measure(b *testing.B, fn func()) {
	b.Helper()
	b.ReportAllocs()
	c0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		fn()
	}
	b.StopTimer()
	if c1 := cpuTime(); c1 > 0 {
		b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
	}
}

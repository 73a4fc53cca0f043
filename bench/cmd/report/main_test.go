package main

import (
	"math"
	"testing"
)

func TestParseBench(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		key       string
		ns, cpu   float64
		allocs    float64
		kms       float64
		wantLines int
	}{
		{name: "with cpu metric", line: "BenchmarkJWT/RS256/floor-2   \t   16142\t     29410 ns/op\t     29000 cpu-ns/op\t    5015 B/op\t      82 allocs/op",
			key: "JWT/RS256/floor", ns: 29410, cpu: 29000, allocs: 82, kms: math.NaN(), wantLines: 1},
		{name: "without cpu metric", line: "BenchmarkSecenv/seclambda/20-2 \t 5\t  24866518 ns/op\t 1607462 B/op\t 9850 allocs/op",
			key: "Secenv/seclambda/20", ns: 24866518, cpu: math.NaN(), allocs: 9850, kms: math.NaN(), wantLines: 1},
		{name: "GOMAXPROCS 1", line: "BenchmarkRedact/JSONHandler \t 1000\t 1372 ns/op",
			key: "Redact/JSONHandler", ns: 1372, cpu: math.NaN(), kms: math.NaN(), wantLines: 1},
		{name: "KMS calls metric", line: "BenchmarkNote/hierarchical-2 	 334	 1001640 ns/op	 0 kms-calls/op	 437909 B/op	 12324 allocs/op",
			key: "Note/hierarchical", ns: 1001640, cpu: math.NaN(), allocs: 12324, kms: 0, wantLines: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string][]sample{}
			if err := parseBench("goos: linux\n"+tt.line+"\nPASS\n", 0, got); err != nil {
				t.Fatal(err)
			}
			ss := got[tt.key]
			if len(ss) != tt.wantLines {
				t.Fatalf("samples for %q: %v (all: %v)", tt.key, ss, got)
			}
			s := ss[0]
			same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
			if s.ns != tt.ns || s.allocs != tt.allocs || !same(s.cpu, tt.cpu) || !same(s.kms, tt.kms) {
				t.Errorf("got %+v", s)
			}
		})
	}
	if err := parseBench("PASS\n", 0, map[string][]sample{}); err == nil {
		t.Error("no results: want an error")
	}
}

func TestRatioIsMedianOfRounds(t *testing.T) {
	a := []sample{{ns: 110}, {ns: 300}, {ns: 100}}
	b := []sample{{ns: 100}, {ns: 100}, {ns: 100}}
	if got := ratio(a, b, ns); got != 1.1 {
		t.Fatalf("ratio = %v, want 1.1 (the median of 1.1, 3 and 1)", got)
	}
}

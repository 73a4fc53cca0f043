package bench

import (
	"os"
	"strconv"
)

// roundEnv is set by cmd/report to the number of the current round of
// micro-benchmarks. Each round starts the contenders of a comparison at a
// different one, so that when the shared machine gets busier or quieter
// during a round, no contender is always measured first or last.
const roundEnv = "SECLAMBDA_BENCH_ROUND"

// rotate returns xs rotated left by the current round number (unchanged
// outside cmd/report).
func rotate[T any](xs []T) []T {
	r, _ := strconv.Atoi(os.Getenv(roundEnv))
	if len(xs) == 0 || r <= 0 {
		return xs
	}
	r %= len(xs)
	return append(append([]T(nil), xs[r:]...), xs[:r]...)
}

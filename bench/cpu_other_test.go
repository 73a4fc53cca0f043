//go:build !unix

package bench

// cpuTime is not measured outside Unix; no cpu-ns/op is reported.
func cpuTime() int64 { return 0 }

package redact_test

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/redact"
)

// hostileSize is the size of each hostile input in TestLinearTime.
const hostileSize = 1 << 20

// TestLinearTime feeds 1 MiB of inputs built to make a detector or the
// matcher rescan what it already measured, through a handler, Registry.Scrub
// and a Writer, and compares the time taken with that of 1 MiB of plain
// text. Quadratic code takes minutes here (a 256 KiB run of "eyJa" took
// seconds); linear code stays within a small factor of the baseline. The
// bound is generous so that -race and a loaded machine do not make it flaky.
func TestLinearTime(t *testing.T) {
	reg := newReg(t, "aaaaaaaaaaab-secret", "-----BEGIN x", "eyJaeyJaeyJb")
	for _, s := range benchSecretsFor(100) {
		if err := reg.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	paths := []struct {
		name string
		run  func(string)
	}{
		{"JSON handler", func(s string) {
			slog.New(redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), redact.WithRegistry(reg))).Info("x", "path", s)
		}},
		{"text handler, message", func(s string) {
			slog.New(redact.NewHandler(slog.NewTextHandler(io.Discard, nil), redact.WithRegistry(reg))).Info(s)
		}},
		{"Registry.Scrub", func(s string) { _ = reg.Scrub(s) }},
		{"Writer, one write", func(s string) {
			w := redact.NewWriter(io.Discard, redact.WithRegistry(reg))
			_, _ = w.Write([]byte(s))
			_ = w.Close()
		}},
		{"Writer, 16 KiB writes", func(s string) {
			w := redact.NewWriter(io.Discard, redact.WithRegistry(reg))
			for b := []byte(s); len(b) > 0; b = b[min(len(b), 16<<10):] {
				_, _ = w.Write(b[:min(len(b), 16<<10)])
			}
			_ = w.Close()
		}},
	}
	tests := []struct {
		name string
		unit string
	}{
		{"JWT headers", "eyJa"},
		{"JWT segments", "eyJhbGciOiJIUzI1NiJ9."},
		{"JWT segments, no dots", "eyJhbGciOiJIUzI1NiJ9"},
		{"PEM BEGIN lines", "-----BEGIN PRIVATE KEY-----"},
		{"PEM BEGIN lines, many labels", "-----BEGIN A PRIVATE KEY-----\n-----BEGIN B PRIVATE KEY-----\n-----BEGIN C1 PRIVATE KEY-----\n"},
		{"PEM unmatched END lines", "-----BEGIN RSA PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n"},
		{"PEM blocks", "-----BEGIN PRIVATE KEY-----\nQUFB\n-----END PRIVATE KEY-----\n"},
		{"dashes", "-----"},
		{"Bearer", "Bearer "},
		{"Bearer tokens", "BearerBearer "},
		{"Basic", "Basic "},
		{"Basic credentials", "Basic YTp4NyNrUXo= "},
		{"access key IDs", "AKIA"},
		{"base64 runs", strings.Repeat("aB3/", 10) + " "},
		{"secret prefix", "aaaa"},
	}
	plain := strings.Repeat("abcd efgh ", hostileSize/10)
	for _, p := range paths {
		base := fastest(func() { p.run(plain) })
		for _, tt := range tests {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				in := strings.Repeat(tt.unit, hostileSize/len(tt.unit))
				start := time.Now()
				p.run(in)
				d := time.Since(start)
				// Linear work is at most a few passes more than the baseline;
				// quadratic work is thousands of times more.
				if limit := 100*base + time.Second; d > limit {
					t.Fatalf("1 MiB took %v, plain text %v: not linear", d, base)
				}
				t.Logf("%v (plain %v)", d, base)
			})
		}
	}
}

// fastest returns the shortest of three runs of f.
func fastest(f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		f()
		best = min(best, time.Since(start))
	}
	return best
}

func benchSecretsFor(n int) []string {
	var b bytes.Buffer
	s := make([]string, n)
	for i := range s {
		b.Reset()
		b.WriteString("secret-")
		b.WriteString(strings.Repeat("x", i%7+1))
		b.WriteString(time.Duration(i * 7919).String())
		s[i] = b.String()
	}
	return s
}

// TestWriterTinyWritesLinear writes hostile inputs to a Writer one byte at
// a time, which made it rescan up to its 64 KiB hold on every write (64 KiB
// of "eyJa" took seconds), and compares with plain text written the same
// way.
func TestWriterTinyWritesLinear(t *testing.T) {
	const size = 128 << 10
	run := func(s string) time.Duration {
		w := redact.NewWriter(io.Discard, redact.WithRegistry(redact.NewRegistry()))
		b := []byte(s)
		start := time.Now()
		for i := range b {
			_, _ = w.Write(b[i : i+1])
		}
		_ = w.Close()
		return time.Since(start)
	}
	base := run(strings.Repeat("abcd efgh ", size/10))
	tests := []struct {
		name string
		unit string
	}{
		{"JWT header run", "eyJa"},
		{"access key IDs", "AKIA"},
		{"PEM body lines", "-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("Q\n", size/2)},
		{"Bearer", "Bearer "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Repeat(tt.unit, max(1, size/len(tt.unit)))
			if d := run(in); d > 20*base+time.Second {
				t.Fatalf("%d bytes took %v, plain text %v: not linear", len(in), d, base)
			} else {
				t.Logf("%v (plain %v)", d, base)
			}
		})
	}
}

package redact_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/seclambda/seclambda/redact"
)

func TestRegistryScrub(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
		wantErr error
	}{
		{name: "empty registry", in: "nothing to hide", want: "nothing to hide"},
		{name: "one secret", secrets: []string{"hunter22"}, in: "pw=hunter22;", want: "pw=[REDACTED];"},
		{name: "substring", secrets: []string{"hunter22"}, in: "xxhunter22xx", want: "xx[REDACTED]xx"},
		{name: "every occurrence", secrets: []string{"abcd"}, in: "abcd abcd", want: "[REDACTED] [REDACTED]"},
		{name: "longest wins", secrets: []string{"abcd", "abcdefgh"}, in: "abcdefgh", want: "[REDACTED]"},
		{name: "json.Marshal twice, HTML-escaped", secrets: []string{"Sup3r&Secret!pw"}, in: `"{\"p\":\"Sup3r\\u0026Secret!pw\"}"`, want: `"{\"p\":\"[REDACTED]\"}"`},
		{name: "json.Marshal, then escaped without HTML", secrets: []string{"<a&b>pw"}, in: `x \\u003ca\\u0026b\\u003epw`, want: `x [REDACTED]`},
		{name: "escaped without HTML, then json.Marshal", secrets: []string{`<"pw">`}, in: `(\u003c\\\"pw\\\"\u003e)`, want: `([REDACTED])`},
		{name: "too short refused", secrets: []string{"abc", "long-one"}, in: "abc long-one", want: "abc [REDACTED]", wantErr: redact.ErrTooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := redact.NewRegistry()
			err := r.Add(tt.secrets...)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Add error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "abc") {
				t.Fatalf("Add error %q contains the refused value", err)
			}
			if got := r.Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(r.ScrubBytes([]byte(tt.in))); got != tt.want {
				t.Errorf("ScrubBytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRegistryConcurrentAdd(t *testing.T) {
	r := redact.NewRegistry()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_ = r.Add(strings.Repeat(string(rune('a'+i)), 8))
		}()
		go func() {
			defer wg.Done()
			_ = r.Scrub("aaaaaaaa bbbbbbbb")
		}()
	}
	wg.Wait()
	if r.Len() != 8 {
		t.Fatalf("Len = %d, want 8", r.Len())
	}
	if got := r.Scrub("aaaaaaaa"); got != redact.DefaultMask {
		t.Fatalf("Scrub after concurrent Add = %q", got)
	}
}

// TestRegistryAddCost checks that one Add costs about the same however many
// values are registered, measured in allocations (deterministic, unlike
// time): Add used to rebuild everything, so that its cost grew with the
// registry and 1,000 Adds one at a time took about 240 times as long as 100.
// The time goal (1,000 Adds at most 25 times 100 Adds) is in bench/.
func TestRegistryAddCost(t *testing.T) {
	allocsPerAdd := func(registered int, name func(int) string) float64 {
		r := redact.NewRegistry()
		for i := range registered {
			if err := r.Add(name(i)); err != nil {
				t.Fatal(err)
			}
		}
		next := registered
		return testing.AllocsPerRun(20, func() {
			_ = r.Add(name(next))
			next++
		})
	}
	random := func(i int) string { return fmt.Sprintf("%08x-tok-%d", uint32(i)*2654435761, i) }
	shared := func(i int) string { return fmt.Sprintf("secret-%04d-%x", i, i*7919+12345) }
	tests := []struct {
		name       string
		registered int
		secret     func(int) string
	}{
		{"1,000 registered", 1000, random},
		{"1,000 registered sharing a prefix", 1000, shared},
	}
	base := allocsPerAdd(10, random)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allocsPerAdd(tt.registered, tt.secret); got > 2*base {
				t.Fatalf("an Add to a registry of %d values allocates %v times, to one of 10 %v times", tt.registered, got, base)
			}
		})
	}
}

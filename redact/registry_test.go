package redact_test

import (
	"errors"
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

package secenv_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
)

func TestLoadWarnsAboutShortSecrets(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		wantWarn bool
	}{
		{name: "short", value: "abc", wantWarn: true},
		{name: "empty set by default", value: "", wantWarn: false},
		{name: "long enough", value: "abcd", wantWarn: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			reg := redact.NewRegistry()
			var c struct {
				PIN secenv.Secret `env:"APP_PIN"`
			}
			err := secenv.Load(context.Background(), &c, secenv.WithLookup(env{"APP_PIN": tt.value}.lookup),
				secenv.WithRegistry(reg), secenv.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
			if err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if got := strings.Contains(out, "APP_PIN"); got != tt.wantWarn {
				t.Fatalf("warning logged = %v, want %v: %s", got, tt.wantWarn, out)
			}
			if tt.wantWarn && strings.Contains(out, `"abc"`) {
				t.Fatalf("warning shows the value: %s", out)
			}
			if !tt.wantWarn && tt.value != "" && reg.Len() == 0 {
				t.Fatal("value not registered")
			}
		})
	}
}

// TestLoadRegistersBeforeReturn checks that a logger scrubbing with the
// registry never prints a loaded value in any form it usually leaks in.
func TestLoadRegistersBeforeReturn(t *testing.T) {
	const v = `tok"en/with spaces&<x>`
	reg := redact.NewRegistry()
	var c struct {
		Token secenv.Secret `env:"TOKEN"`
	}
	if err := secenv.Load(context.Background(), &c, secenv.WithLookup(env{"TOKEN": v}.lookup), secenv.WithRegistry(reg)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("leaky", "raw", c.Token.Reveal(), "bytes", c.Token.RevealBytes())
	slog.New(slog.NewTextHandler(&buf, nil)).Info("leaky", "raw", c.Token.Reveal())
	out := reg.Scrub(buf.String())
	for _, frag := range []string{"en/with", "with spaces", "dG9rImVu"} {
		if strings.Contains(out, frag) {
			t.Fatalf("scrubbed log still shows %q: %s", frag, out)
		}
	}
}

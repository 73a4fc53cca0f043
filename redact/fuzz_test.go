package redact_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/redact"
)

// FuzzRedact registers random secrets, builds log content around them and
// checks every path (Registry.Scrub, the JSON handler, a Writer fed in two
// pieces): no output holds a registered secret of MinSecretLen bytes or
// more, and JSON output stays valid.
//
// Output is checked between masks: a secret that overlaps the mask text
// itself (say "DACT") is bound to appear inside each mask without revealing
// anything, so only such secrets are checked segment by segment instead of
// on the whole output.
func FuzzRedact(f *testing.F) {
	f.Add("hunter2-s3cr3t", "abcd", "log line with hunter2-s3cr3t and abcd", uint16(7))
	f.Add(`pa"ss\word`, "\x00\x01\x02\x03", `{"p":"pa\"ss\\word"}`, uint16(3))
	f.Add("pässwörd✓", "aaaa", "aaaaaaaaa pässwörd✓", uint16(12))
	f.Add("ab\xffcd", "DACT", "[REDACTED] ab\xffcd", uint16(2))
	f.Add("secretsecret", "cret", "c2VjcmV0c2VjcmV0 Bearer x", uint16(1))
	f.Fuzz(func(t *testing.T, s1, s2, content string, cut uint16) {
		reg := redact.NewRegistry()
		_ = reg.Add(s1, s2)
		var secrets []string
		for _, s := range []string{s1, s2} {
			if len(s) >= redact.MinSecretLen {
				secrets = append(secrets, s)
			}
		}
		at := int(cut) % (len(content) + 1)
		input := content[:at] + s1 + content[at:] + s2

		check := func(path, out string) {
			t.Helper()
			for _, s := range secrets {
				if !overlapsMask(s) && strings.Contains(out, s) {
					t.Fatalf("%s: output leaks %q:\n%q", path, s, out)
				}
				for _, seg := range strings.Split(out, redact.DefaultMask) {
					if strings.Contains(seg, s) {
						t.Fatalf("%s: output leaks %q outside a mask:\n%q", path, s, out)
					}
				}
			}
		}

		check("Scrub", reg.Scrub(input))
		check("ScrubBytes", string(reg.ScrubBytes([]byte(input))))
		// Added one at a time (and in the other order), the values give a
		// matcher built in other steps that must mask the same.
		one := redact.NewRegistry()
		_ = one.Add(s2)
		_ = one.Add(s1)
		if got, want := one.Scrub(input), reg.Scrub(input); got != want {
			t.Fatalf("Scrub after two Adds = %q, after one Add = %q", got, want)
		}

		var buf bytes.Buffer
		l := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, nil), redact.WithRegistry(reg)))
		l.With("w", input).Info(input, "a", input, "b", []byte(input), slog.Group("g", "c", input))
		var rec struct {
			Msg, A, W string
			B         []byte
			G         struct{ C string }
		}
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("invalid JSON (%v): %q", err, buf.String())
		}
		for _, v := range []string{rec.Msg, rec.A, rec.W, string(rec.B), rec.G.C} {
			check("handler", v)
		}

		buf.Reset()
		w := redact.NewWriter(&buf, redact.WithRegistry(reg), redact.WithoutDetectors())
		split := int(cut) % (len(input) + 1)
		_, _ = w.Write([]byte(input[:split]))
		_, _ = w.Write([]byte(input[split:]))
		_ = w.Close()
		check("Writer", buf.String())
		if base := base64.StdEncoding.EncodeToString([]byte(s1)); len(s1) >= redact.MinSecretLen {
			check("Scrub base64", reg.Scrub("x"+base+"x"))
		}
	})
}

// overlapsMask reports whether s shares text with the mask: it is inside the
// mask, or one of its ends is an end of the mask.
func overlapsMask(s string) bool {
	const m = redact.DefaultMask
	if strings.Contains(m, s) || strings.Contains(s, m) {
		return true
	}
	for i := 1; i < len(m) && i < len(s); i++ {
		if strings.HasPrefix(s, m[len(m)-i:]) || strings.HasSuffix(s, m[:i]) {
			return true
		}
	}
	return false
}

// FuzzDetectors surrounds a private key with random text, writes it to a
// Writer in three random pieces (so BEGIN and END lines may be split, and
// the Writer may flush inside the body) and logs it through a handler:
// nothing panics and the key's body never appears.
func FuzzDetectors(f *testing.F) {
	f.Add("-----BEGIN A PRIVATE KEY-----\n", "-----END B PRIVATE KEY-----", "RSA", uint16(10), uint16(40), false)
	f.Add("eyJhbGciOiJub25lIn0.", "Bearer ", "EC", uint16(3), uint16(5), true)
	f.Add("-----BEGIN ", "-----", "", uint16(0), uint16(0), true)
	f.Add("---------", "-----END RSA PRIVATE KEY", "RSA", uint16(70), uint16(71), false)
	f.Fuzz(func(t *testing.T, pre, post, label string, c1, c2 uint16, flush bool) {
		const body = "S3CRETK3YB0DYmaterial"
		for _, c := range []byte(label) {
			if !('A' <= c && c <= 'Z' || c == ' ' || '0' <= c && c <= '9') {
				return
			}
		}
		if len(label) > 40 {
			return
		}
		if label != "" {
			label += " "
		}
		begin := "-----BEGIN " + label + "PRIVATE KEY-----"
		key := begin + "\n" + body + "\n-----END " + label + "PRIVATE KEY-----"
		in := pre + key + post
		a := int(c1) % (len(in) + 1)
		b := a + int(c2)%(len(in)-a+1)
		// Flush ends the stream as far as the held tail goes: it may only
		// fall where the BEGIN line is complete.
		flush = flush && a >= len(pre)+len(begin)

		var out bytes.Buffer
		w := redact.NewWriter(&out, redact.WithRegistry(redact.NewRegistry()))
		for i, p := range []string{in[:a], in[a:b], in[b:]} {
			_, _ = w.Write([]byte(p))
			if flush && i == 0 {
				_ = w.Flush()
			}
		}
		_ = w.Close()
		if strings.Contains(out.String(), body) {
			t.Fatalf("Writer leaks the key body: %q", out.String())
		}

		out.Reset()
		l := slog.New(redact.NewHandler(slog.NewJSONHandler(&out, nil), redact.WithRegistry(redact.NewRegistry())))
		l.Info(in, "v", in, "m", map[string]string{"k": in})
		if strings.Contains(out.String(), body) {
			t.Fatalf("handler leaks the key body: %q", out.String())
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("invalid JSON: %q", out.String())
		}
	})
}

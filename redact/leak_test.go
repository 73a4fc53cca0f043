package redact_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/redact"
)

// The secrets of the leak matrix: plain, and with every character class that
// an encoder escapes.
var leakSecrets = []struct{ name, value string }{
	{"plain", "hunter2-s3cr3t"},
	{"quotes and backslashes", `pa"ss\wo\rd'q`},
	{"control characters", "tab\there\nnew\x01\x7f"},
	{"non-ASCII", "pässwörd✓\u2028日本"},
	{"HTML characters", "<a&b>secret"},
	{"invalid UTF-8", "ab\xffcd\xfe-secret"},
}

type cfgStruct struct {
	User     string
	Password string
	Raw      []byte
}

type stringer struct{ a, b string }

func (s stringer) String() string { return "stringer(" + s.a + s.b + ")" }

// leakyValuer is a LogValuer that reveals its secret.
type leakyValuer struct{ s string }

func (v leakyValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", "x"+v.s+"y"), slog.Int("n", 1))
}

// leakPositions are the places a secret can hide in a record.
var leakPositions = []struct {
	name string
	log  func(l *slog.Logger, s string)
}{
	{"message", func(l *slog.Logger, s string) { l.Info("login with " + s + " done") }},
	{"attr", func(l *slog.Logger, s string) { l.Info("m", "v", "pre"+s+"post") }},
	{"attr key", func(l *slog.Logger, s string) { l.Info("m", slog.String("k"+s, "v")) }},
	{"nested group", func(l *slog.Logger, s string) {
		l.Info("m", slog.Group("g", slog.Group("h", slog.String("v", s), slog.Int("n", 2))))
	}},
	{"WithAttrs", func(l *slog.Logger, s string) { l.With("v", s).Info("m") }},
	{"WithGroup and WithAttrs", func(l *slog.Logger, s string) { l.WithGroup("g").With("v", s).WithGroup("h").Info("m", "w", s) }},
	{"group name", func(l *slog.Logger, s string) { l.WithGroup("g"+s).Info("m", "v", 1) }},
	{"error chain", func(l *slog.Logger, s string) {
		l.Error("m", "err", fmt.Errorf("outer: %w", fmt.Errorf("mid: %w", errors.New("bad "+s))))
	}},
	{"error split across wrapping", func(l *slog.Logger, s string) {
		h := len(s) / 2
		l.Error("m", "err", fmt.Errorf("%s%w", s[:h], errors.New(s[h:])))
	}},
	{"joined errors", func(l *slog.Logger, s string) { l.Error("m", "err", errors.Join(errors.New("a"), errors.New(s))) }},
	{"Stringer split across its rendering", func(l *slog.Logger, s string) {
		h := len(s) / 2
		l.Info("m", "s", stringer{s[:h], s[h:]})
	}},
	{"struct value", func(l *slog.Logger, s string) { l.Info("m", "cfg", cfgStruct{"bob", s, []byte(s)}) }},
	{"[]byte field of a struct", func(l *slog.Logger, s string) {
		l.Info("m", "req", struct {
			Path    string
			Payload []byte
			Hash    [8]byte
		}{"/p", []byte(`{"p":"` + s + `"}`), [8]byte([]byte(s + "--------"))})
	}},
	{"pointer to struct", func(l *slog.Logger, s string) { l.Info("m", "cfg", &cfgStruct{User: "bob", Password: s}) }},
	{"%v of a struct in the message", func(l *slog.Logger, s string) { l.Info(fmt.Sprintf("cfg=%v", cfgStruct{"bob", s, nil})) }},
	{"%+v and %q of a struct", func(l *slog.Logger, s string) {
		l.Info(fmt.Sprintf("%+v %q %#v", cfgStruct{"bob", s, nil}, s, s))
	}},
	{"map value", func(l *slog.Logger, s string) { l.Info("m", "m", map[string]string{"k": s}) }},
	{"slice value", func(l *slog.Logger, s string) { l.Info("m", "m", []string{"a", s}) }},
	{"JSON-escaped in a string", func(l *slog.Logger, s string) {
		b, _ := json.Marshal(map[string]string{"p": s})
		l.Info("m", "doc", string(b))
	}},
	{"JSON-escaped twice in a string", func(l *slog.Logger, s string) {
		b, _ := json.Marshal(map[string]string{"p": s})
		bb, _ := json.Marshal(string(b))
		l.Info("m", "doc", string(bb))
	}},
	{"json.RawMessage", func(l *slog.Logger, s string) {
		b, _ := json.Marshal(map[string]string{"p": s})
		l.Info("m", "doc", json.RawMessage(b))
	}},
	{"[]byte", func(l *slog.Logger, s string) { l.Info("m", "raw", []byte("x"+s)) }},
	{"base64 alone", func(l *slog.Logger, s string) { l.Info("m", "b64", base64.StdEncoding.EncodeToString([]byte(s))) }},
	{"base64 embedded (basic auth)", func(l *slog.Logger, s string) {
		for _, u := range []string{"u:", "us:", "usr:"} {
			l.Info("m", "authz", "Basic "+base64.StdEncoding.EncodeToString([]byte(u+s+"!")))
		}
	}},
	{"base64url", func(l *slog.Logger, s string) { l.Info("m", "b64", base64.RawURLEncoding.EncodeToString([]byte(s))) }},
	{"LogValuer", func(l *slog.Logger, s string) { l.Info("m", "v", leakyValuer{s}) }},
	{"LogValuer in WithAttrs", func(l *slog.Logger, s string) { l.With("v", leakyValuer{s}).Info("m") }},
	{"Any of a string", func(l *slog.Logger, s string) { l.Info("m", slog.Any("v", s)) }},
}

// leakHandlers are the handlers the matrix wraps.
var leakHandlers = []struct {
	name string
	json bool
	new  func(*bytes.Buffer) slog.Handler
}{
	{"JSON", true, func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	{"text", false, func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
	{"third-party", true, func(b *bytes.Buffer) slog.Handler { return newKVHandler(b) }},
}

// encodedForms lists what must not appear in any output for secret s.
func encodedForms(s string) []string {
	j, _ := json.Marshal(s)
	jj, _ := json.Marshal(string(j)) // json.Marshal twice, HTML-escaped both times
	q := fmt.Sprintf("%q", s)
	return []string{
		s,
		string(j[1 : len(j)-1]),
		string(jj[3 : len(jj)-3]),
		q[1 : len(q)-1],
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)),
		strings.Trim(fmt.Sprint([]byte(s)), "[]"), // fmt's %v of a []byte inside a struct
	}
}

func TestLeakMatrix(t *testing.T) {
	for _, sec := range leakSecrets {
		for _, hd := range leakHandlers {
			for _, pos := range leakPositions {
				t.Run(sec.name+"/"+hd.name+"/"+pos.name, func(t *testing.T) {
					var buf bytes.Buffer
					reg := newReg(t, sec.value)
					l := slog.New(redact.NewHandler(hd.new(&buf), redact.WithRegistry(reg))).With("keep", "visible")
					pos.log(l, sec.value)
					out := buf.String()
					for _, f := range encodedForms(sec.value) {
						if len(f) >= redact.MinSecretLen && strings.Contains(out, f) {
							t.Fatalf("output holds %q, a form of the secret:\n%s", f, out)
						}
					}
					if !strings.Contains(out, "visible") {
						t.Fatalf("output lost its other content:\n%s", out)
					}
					if hd.json {
						for _, obj := range jsonLines(t, out) {
							if obj["keep"] != "visible" {
								t.Fatalf("keep attribute lost: %v", obj)
							}
						}
					}
				})
			}
		}
	}
}

// TestLeakMatrixWriter covers the log package and raw writes through a Writer:
// every position that text can take, each written in two pieces split at every
// byte.
func TestLeakMatrixWriter(t *testing.T) {
	type line func(s string) string
	positions := []struct {
		name string
		line line
	}{
		{"plain", func(s string) string { return "login with " + s + " done\n" }},
		{"%v of a struct", func(s string) string { return fmt.Sprintf("cfg=%v\n", cfgStruct{"bob", s, nil}) }},
		{"%q", func(s string) string { return fmt.Sprintf("pw=%q\n", s) }},
		{"JSON line", func(s string) string {
			b, _ := json.Marshal(map[string]any{"keep": "visible", "p": s, "raw": []byte(s)})
			return string(b) + "\n"
		}},
		{"JSON inside JSON", func(s string) string {
			in, _ := json.Marshal(map[string]string{"p": s})
			b, _ := json.Marshal(map[string]string{"keep": "visible", "doc": string(in)})
			return string(b) + "\n"
		}},
		{"slog JSON line", func(s string) string {
			var b bytes.Buffer
			slog.New(slog.NewJSONHandler(&b, nil)).Info("m", "keep", "visible", "p", s, "e", errors.New(s))
			return b.String()
		}},
		{"slog JSON line of a json.Marshal'ed body", func(s string) string {
			in, _ := json.Marshal(map[string]string{"p": s})
			var b bytes.Buffer
			slog.New(slog.NewJSONHandler(&b, nil)).Info("m", "keep", "visible", "doc", string(in))
			return b.String()
		}},
		{"base64", func(s string) string { return "b=" + base64.StdEncoding.EncodeToString([]byte(s)) + "\n" }},
		{"no newline at the end", func(s string) string { return "tail " + s }},
	}
	for _, sec := range leakSecrets {
		for _, pos := range positions {
			t.Run(sec.name+"/"+pos.name, func(t *testing.T) {
				reg := newReg(t, sec.value)
				text := pos.line(sec.value)
				for cut := 0; cut <= len(text); cut++ {
					var buf bytes.Buffer
					w := redact.NewWriter(&buf, redact.WithRegistry(reg))
					for _, part := range []string{text[:cut], text[cut:]} {
						if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
							t.Fatalf("Write = %d, %v", n, err)
						}
					}
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					out := buf.String()
					for _, f := range encodedForms(sec.value) {
						if strings.Contains(out, f) {
							t.Fatalf("cut %d: output holds %q:\n%s", cut, f, out)
						}
					}
					if strings.HasPrefix(text, "{") {
						for _, obj := range jsonLines(t, out) {
							if obj["keep"] != "visible" {
								t.Fatalf("cut %d: keep lost: %s", cut, out)
							}
						}
					}
				}
			})
		}
	}
	t.Run("log package", func(t *testing.T) {
		reg := newReg(t, "hunter2-s3cr3t")
		var buf bytes.Buffer
		l := log.New(redact.NewWriter(&buf, redact.WithRegistry(reg)), "app ", 0)
		l.Printf("user=%s pw=%s", "bob", "hunter2-s3cr3t")
		l.Println("Authorization: Bearer abc.def-ghi")
		if got, want := buf.String(), "app user=bob pw=[REDACTED]\napp Authorization: Bearer [REDACTED]\n"; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

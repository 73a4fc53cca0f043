package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/seclambda/seclambda/redact"
)

func TestSlogtest(t *testing.T) {
	for _, withSecrets := range []bool{false, true} {
		t.Run(fmt.Sprint("secrets=", withSecrets), func(t *testing.T) {
			var buf bytes.Buffer
			reg := redact.NewRegistry()
			if withSecrets {
				_ = reg.Add("never-logged-1", "never-logged-2")
			}
			h := redact.NewHandler(slog.NewJSONHandler(&buf, nil), redact.WithRegistry(reg))
			results := func() []map[string]any {
				var ms []map[string]any
				for _, line := range bytes.Split(buf.Bytes(), []byte{'\n'}) {
					if len(line) == 0 {
						continue
					}
					var m map[string]any
					if err := json.Unmarshal(line, &m); err != nil {
						t.Fatal(err)
					}
					ms = append(ms, m)
				}
				return ms
			}
			if err := slogtest.TestHandler(h, results); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// noTime drops the time so that output is deterministic.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

type plainStruct struct {
	User string
	Raw  []byte
}

type nestedStruct struct {
	Ptr    *plainStruct
	M      map[int]string
	S      []any
	hidden string
	E      error
}

type textM struct{ s string }

func (m textM) MarshalText() ([]byte, error) { return []byte("text:" + m.s), nil }

type jsonM struct{ s string }

func (m jsonM) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]string{"j": m.s}) }

type selfRedacting string

func (selfRedacting) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// TestHandlerIdenticalWhenClean checks that a record with nothing to mask
// comes out exactly as the wrapped slog handler prints it.
func TestHandlerIdenticalWhenClean(t *testing.T) {
	ip := net.ParseIP("10.0.0.1")
	args := []any{
		"s", "plain string", "i", 42, "u", uint64(7), "f", 1.5, "b", true,
		"d", 3 * time.Second, "t", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"err", errors.New("boom"), "ip", ip, "bytes", []byte("raw bytes"),
		"struct", plainStruct{User: "bob"},
		"nested", &nestedStruct{Ptr: &plainStruct{User: "ptr"}, M: map[int]string{2: "b", 1: "a"}, S: []any{1, "x", nil}, hidden: "unexported", E: errors.New("e")},
		"map", map[string]int{"a": 1}, "text", textM{"t"}, "json", jsonM{"j"},
		"nil", nil, "sr", selfRedacting("x"),
		slog.Group("g", slog.String("a", "b"), slog.Group("h", slog.Int("n", 1))),
	}
	for _, tt := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"JSON", func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{ReplaceAttr: noTime})
		}},
		{"text", func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{ReplaceAttr: noTime})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var plain, red bytes.Buffer
			reg := newReg(t, "some-other-secret")
			slog.New(tt.new(&plain)).With("w", 1).WithGroup("G").Info("hello", args...)
			slog.New(redact.NewHandler(tt.new(&red), redact.WithRegistry(reg))).With("w", 1).WithGroup("G").Info("hello", args...)
			if plain.String() != red.String() {
				t.Fatalf("outputs differ\nplain: %s\nredact: %s", plain.String(), red.String())
			}
		})
	}
}

func TestHandlerOutput(t *testing.T) {
	const s = "hunter2-s3cr3t"
	tests := []struct {
		name string
		opts []redact.HandlerOption
		log  func(l *slog.Logger)
		want string
	}{
		{
			name: "message attr and group",
			log:  func(l *slog.Logger) { l.Info("pw "+s, "a", s, slog.Group("g", "b", "x"+s)) },
			want: `level=INFO msg="pw [REDACTED]" a=[REDACTED] g.b=x[REDACTED]`,
		},
		{
			name: "mask option",
			opts: []redact.HandlerOption{redact.WithMask("***")},
			log:  func(l *slog.Logger) { l.Info("m", "a", s) },
			want: `level=INFO msg=m a=***`,
		},
		{
			name: "sensitive keys in any case and spelling",
			log: func(l *slog.Logger) {
				l.Info("m", "Password", "p1", "API-Key", "k", "apiKey", 5, "x_api_key", "k", "Authorization", "Basic abc", "tokens", 3)
			},
			want: `level=INFO msg=m Password=[REDACTED] API-Key=[REDACTED] apiKey=[REDACTED] x_api_key=[REDACTED] Authorization=[REDACTED] tokens=3`,
		},
		{
			name: "sensitive group key masks the group",
			log:  func(l *slog.Logger) { l.Info("m", slog.Group("credentials", "user", "bob")) },
			want: `level=INFO msg=m credentials=[REDACTED]`,
		},
		{
			name: "sensitive WithGroup masks what it holds",
			log: func(l *slog.Logger) {
				l.With("a", 1).WithGroup("credentials").With("user", "bob").Info("m", "pass", "x", slog.Group("g", "b", "c"), slog.Group("", "d", "e"))
			},
			want: `level=INFO msg=m a=1 credentials.user=[REDACTED] credentials.pass=[REDACTED] credentials.g=[REDACTED] credentials.d=[REDACTED]`,
		},
		{
			name: "below a sensitive WithGroup",
			opts: []redact.HandlerOption{redact.WithKeys("vault")},
			log:  func(l *slog.Logger) { l.WithGroup("Vault").WithGroup("db").Info("m", "user", "bob", "n", 3) },
			want: `level=INFO msg=m Vault.db.user=[REDACTED] Vault.db.n=[REDACTED]`,
		},
		{
			name: "extra keys",
			opts: []redact.HandlerOption{redact.WithKeys("PIN")},
			log:  func(l *slog.Logger) { l.Info("m", "pin", 1234, "password", "p") },
			want: `level=INFO msg=m pin=[REDACTED] password=[REDACTED]`,
		},
		{
			name: "without default keys",
			opts: []redact.HandlerOption{redact.WithoutDefaultKeys(), redact.WithKeys("pin")},
			log:  func(l *slog.Logger) { l.Info("m", "pin", 1234, "password", "p") },
			want: `level=INFO msg=m pin=[REDACTED] password=p`,
		},
		{
			name: "self-redacting value",
			log:  func(l *slog.Logger) { l.Info("m", "key", selfRedacting(s)) },
			want: `level=INFO msg=m key=REDACTED`,
		},
		{
			name: "overlapping secrets masked as one",
			log:  func(l *slog.Logger) { l.Info("m", "a", "xx"+s+"-tail-xx") },
			want: `level=INFO msg=m a=xx[REDACTED]-xx`,
		},
		{
			name: "detector in attribute",
			log:  func(l *slog.Logger) { l.Info("m", "h", "Bearer abc.def") },
			want: `level=INFO msg=m h="Bearer [REDACTED]"`,
		},
		{
			name: "without detectors",
			opts: []redact.HandlerOption{redact.WithoutDetectors()},
			log:  func(l *slog.Logger) { l.Info("m", "h", "Bearer abc.def") },
			want: `level=INFO msg=m h="Bearer abc.def"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			reg := newReg(t, s, "s3cr3t-tail")
			opts := append([]redact.HandlerOption{redact.WithRegistry(reg)}, tt.opts...)
			tt.log(slog.New(redact.NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}), opts...)))
			if got := strings.TrimSuffix(buf.String(), "\n"); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestHandlerLateSecret registers a secret after the logger, a child logger
// holding the secret in WithAttrs, and a group were built.
func TestHandlerLateSecret(t *testing.T) {
	const s = "late-secret-value"
	var buf bytes.Buffer
	reg := redact.NewRegistry()
	l := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, nil), redact.WithRegistry(reg)))
	child := l.With("pre", s).WithGroup("g").With("in", s)
	child.Info("before")
	if !strings.Contains(buf.String(), s) {
		t.Fatal("an unregistered value was masked")
	}
	buf.Reset()
	if err := reg.Add(s); err != nil {
		t.Fatal(err)
	}
	child.Info("after", "rec", s)
	l.Info(s)
	assertNoLeak(t, buf.String(), s)
	jsonLines(t, buf.String())
}

func TestHandlerSemantics(t *testing.T) {
	var buf bytes.Buffer
	inner := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn, AddSource: true, ReplaceAttr: noTime})
	h := redact.NewHandler(inner, redact.WithRegistry(newReg(t, "hunter2-s3cr3t")))
	ctx := context.Background()
	t.Run("Enabled is the wrapped handler's", func(t *testing.T) {
		if h.Enabled(ctx, slog.LevelInfo) || !h.Enabled(ctx, slog.LevelWarn) {
			t.Fatal("Enabled does not follow the wrapped handler's level")
		}
		if h.WithGroup("g").Enabled(ctx, slog.LevelInfo) {
			t.Fatal("a derived handler changed Enabled")
		}
	})
	t.Run("empty group and attrs return the receiver", func(t *testing.T) {
		if h.WithGroup("") != h || h.WithAttrs(nil) != h {
			t.Fatal("WithGroup(\"\") or WithAttrs(nil) did not return the receiver")
		}
	})
	t.Run("WithAttrs owns its slice", func(t *testing.T) {
		buf.Reset()
		as := []slog.Attr{slog.String("a", "1"), slog.String("b", "hunter2-s3cr3t")}
		h2 := h.WithAttrs(as)
		as[0] = slog.String("a", "changed")
		_ = h2.Handle(ctx, slog.NewRecord(time.Time{}, slog.LevelWarn, "m", 0))
		if !strings.Contains(buf.String(), `"a":"1","b":"[REDACTED]"`) {
			t.Fatalf("output %s", buf.String())
		}
	})
	t.Run("source, level and attribute order", func(t *testing.T) {
		buf.Reset()
		slog.New(h).Warn("hunter2-s3cr3t", "z", 1, "a", "hunter2-s3cr3t", "m", 2)
		_, file, _, _ := runtime.Caller(0)
		objs := jsonLines(t, buf.String())
		src, _ := objs[0]["source"].(map[string]any)
		if src["file"] != file || objs[0]["level"] != "WARN" {
			t.Fatalf("source or level lost: %s", buf.String())
		}
		if !strings.Contains(buf.String(), `"msg":"[REDACTED]","z":1,"a":"[REDACTED]","m":2}`) {
			t.Fatalf("order changed: %s", buf.String())
		}
	})
}

// TestRegistryGrowthDuringLogging adds secrets while goroutines log them
// through shared and derived loggers; a secret logged after its Add returned
// must never appear.
func TestRegistryGrowthDuringLogging(t *testing.T) {
	const nSecrets, nLoggers = 60, 4
	secrets := make([]string, nSecrets)
	for i := range secrets {
		secrets[i] = fmt.Sprintf("grow-secret-%03d", i)
	}
	reg := redact.NewRegistry()
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})
	base := slog.New(redact.NewHandler(slog.NewJSONHandler(w, nil), redact.WithRegistry(reg))).With("svc", "x")
	raw := redact.NewWriter(w, redact.WithRegistry(reg))
	var added atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, s := range secrets {
			if err := reg.Add(s); err != nil {
				t.Error(err)
			}
			added.Store(int64(i + 1))
		}
	}()
	for g := range nLoggers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; added.Load() < nSecrets; i++ {
				n := int(added.Load())
				if n == 0 {
					runtime.Gosched()
					continue
				}
				s := secrets[(i+g)%n]
				base.Info("m", "v", s)
				base.With("w", s).WithGroup("g").Info(s)
				fmt.Fprintf(raw, "raw %s\n", s)
			}
		}()
	}
	wg.Wait()
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range secrets {
		assertNoLeak(t, out, s)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestRendersOnce checks that a value of kind Any is rendered once per record,
// and that numbers are not rendered by the handler at all.
func TestRendersOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"JSON", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var calls atomic.Int32
			v := countingErr{&calls}
			slog.New(redact.NewHandler(tt.new(&buf), redact.WithRegistry(redact.NewRegistry()))).Info("m", "err", v)
			if n := calls.Load(); n != 1 {
				t.Fatalf("value rendered %d times, want 1", n)
			}
		})
	}
}

type countingErr struct{ n *atomic.Int32 }

func (e countingErr) Error() string { e.n.Add(1); return "counted" }

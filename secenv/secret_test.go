package secenv_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
)

const marker = "s3cr3t-MARKER-value"

type holder struct {
	Name     string
	Password secenv.Secret
	Ptr      *secenv.Secret
	hidden   secenv.Secret
	Nested   struct{ Token secenv.Secret }
	List     []secenv.Secret
	Map      map[string]secenv.Secret
	Any      any
}

func newHolder() holder {
	s := secenv.NewSecret(marker)
	h := holder{Name: "svc", Password: s, Ptr: &s, hidden: s, List: []secenv.Secret{s}, Map: map[string]secenv.Secret{"k": s}, Any: s}
	h.Nested.Token = s
	return h
}

func TestSecretNeverPrints(t *testing.T) {
	s := secenv.NewSecret(marker)
	h := newHolder()
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%10s", "%-10v", "%.3s", "% x", "%#x", "%+q", "%#q", "%p", "%t", "%U", "%c", "%e", "%08v"}
	type testCase struct {
		name string
		out  func() string
	}
	var tests []testCase
	for _, v := range verbs {
		tests = append(tests,
			testCase{name: "secret " + v, out: func() string { return fmt.Sprintf(v, s) }},
			testCase{name: "pointer " + v, out: func() string { return fmt.Sprintf(v, &s) }},
			testCase{name: "struct " + v, out: func() string { return fmt.Sprintf(v, h) }},
			testCase{name: "struct pointer " + v, out: func() string { return fmt.Sprintf(v, &h) }},
		)
	}
	tests = append(tests,
		testCase{name: "Sprint", out: func() string { return fmt.Sprint(s, h, &h) }},
		testCase{name: "Sprintln", out: func() string { return fmt.Sprintln(s, h) }},
		testCase{name: "String", out: func() string { return s.String() }},
		testCase{name: "GoString", out: func() string { return s.GoString() }},
		testCase{name: "error wrapping", out: func() string { return fmt.Errorf("connect with %v: %w", s, errors.New("refused")).Error() }},
		testCase{name: "json", out: func() string { b, _ := json.Marshal(h); return string(b) }},
		testCase{name: "json indent", out: func() string { b, _ := json.MarshalIndent(map[string]any{"s": s, "p": &s}, "", " "); return string(b) }},
		testCase{name: "xml", out: func() string { b, _ := xml.Marshal(struct{ S secenv.Secret }{s}); return string(b) }},
		testCase{name: "text", out: func() string { b, _ := s.MarshalText(); return string(b) }},
		testCase{name: "slog json", out: func() string {
			var buf bytes.Buffer
			l := slog.New(slog.NewJSONHandler(&buf, nil))
			l.Info("msg", "secret", s, "holder", h, slog.Any("ptr", &s), slog.Group("g", "s", s))
			return buf.String()
		}},
		testCase{name: "slog text", out: func() string {
			var buf bytes.Buffer
			l := slog.New(slog.NewTextHandler(&buf, nil))
			l.Info("msg", "secret", s, "holder", h, slog.Any("ptr", &s))
			l.With("s", s).WithGroup("g").Info("again", "s", s)
			return buf.String()
		}},
		testCase{name: "log.Printf", out: func() string {
			var buf bytes.Buffer
			l := log.New(&buf, "", 0)
			l.Printf("secret=%v holder=%+v %s %q %#v", s, h, s, s, h)
			l.Println(s, h)
			return buf.String()
		}},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.out()
			if strings.Contains(out, marker) || strings.Contains(out, fmt.Sprintf("%x", marker)) || strings.Contains(out, "s3cr3t") {
				t.Fatalf("output shows the secret: %s", out)
			}
		})
	}
}

func TestSecretMasks(t *testing.T) {
	s := secenv.NewSecret(marker)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "%v", got: fmt.Sprintf("%v", s), want: redact.DefaultMask},
		{name: "%q", got: fmt.Sprintf("%q", s), want: redact.DefaultMask},
		{name: "%x", got: fmt.Sprintf("%x", s), want: redact.DefaultMask},
		{name: "struct", got: fmt.Sprintf("%+v", struct{ P secenv.Secret }{s}), want: "{P:" + redact.DefaultMask + "}"},
		{name: "json", got: func() string { b, _ := json.Marshal(s); return string(b) }(), want: `"` + redact.DefaultMask + `"`},
		{name: "slog", got: s.LogValue().String(), want: redact.DefaultMask},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestSecretGobRefused(t *testing.T) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(struct{ S secenv.Secret }{secenv.NewSecret(marker)})
	if !errors.Is(err, secenv.ErrNotEncodable) {
		t.Fatalf("gob Encode error = %v, want ErrNotEncodable", err)
	}
	if strings.Contains(buf.String(), marker) {
		t.Fatal("gob output shows the secret")
	}
}

func TestSecretAccessors(t *testing.T) {
	tests := []struct {
		name    string
		s       secenv.Secret
		set     bool
		reveal  string
		equal   string
		isEqual bool
	}{
		{name: "zero", s: secenv.Secret{}, set: false, reveal: "", equal: "", isEqual: false},
		{name: "empty but set", s: secenv.NewSecret(""), set: true, reveal: "", equal: "", isEqual: true},
		{name: "equal", s: secenv.NewSecret(marker), set: true, reveal: marker, equal: marker, isEqual: true},
		{name: "prefix is not equal", s: secenv.NewSecret(marker), set: true, reveal: marker, equal: marker[:5], isEqual: false},
		{name: "longer is not equal", s: secenv.NewSecret(marker), set: true, reveal: marker, equal: marker + "x", isEqual: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.s.IsSet() != tt.set {
				t.Errorf("IsSet = %v, want %v", tt.s.IsSet(), tt.set)
			}
			if tt.s.Reveal() != tt.reveal || string(tt.s.RevealBytes()) != tt.reveal || tt.s.Len() != len(tt.reveal) {
				t.Errorf("Reveal/RevealBytes/Len disagree with %q", tt.reveal)
			}
			if tt.s.Equal(tt.equal) != tt.isEqual {
				t.Errorf("Equal = %v, want %v", !tt.isEqual, tt.isEqual)
			}
		})
	}
	s := secenv.NewSecret(marker)
	b := s.RevealBytes()
	b[0] = 'X'
	if s.Reveal() != marker {
		t.Fatal("RevealBytes returned the secret's own memory")
	}
}

type fuzzConfig struct {
	S string                   `env:"S"`
	B bool                     `env:"B"`
	I int8                     `env:"I"`
	U uint32                   `env:"U"`
	F float64                  `env:"F"`
	D time.Duration            `env:"D"`
	L []string                 `env:"L"`
	R url.URL                  `env:"R"`
	K secenv.Secret            `env:"K,required"`
	M map[string]time.Duration `env:"M"`
	P *int                     `env:"P"`
	J struct {
		A []int             `json:"a"`
		B map[string]string `json:"b"`
	} `env:"J,json"`
	N struct {
		X int `env:"X"`
	} `envPrefix:"N_"`
}

// FuzzLoad feeds arbitrary values to every field type and checks that Load
// neither panics nor puts a value in an error or in the printed struct.
func FuzzLoad(f *testing.F) {
	f.Add("x", "true", "1", "2", "3.5", "1s", "a,b", "http://h", "key-value", "4")
	f.Add("", "maybe", "999", "-1", "x", "1 parsec", "", "http://[::1", "", "z")
	f.Fuzz(func(t *testing.T, s, b, i, u, fl, d, l, r, k, x string) {
		vars := env{"S": s, "B": marker + b, "I": marker + i, "U": u + marker, "F": fl, "D": marker + d, "L": l, "R": r + marker, "K": marker + k, "N_X": marker + x,
			"M": l + marker + d, "P": i + marker, "J": s + marker}
		var c fuzzConfig
		err := secenv.Load(context.Background(), &c, secenv.WithLookup(vars.lookup), secenv.WithRegistry(redact.NewRegistry()), secenv.WithLogger(nil))
		if err != nil && strings.Contains(err.Error(), marker) {
			t.Fatalf("error %q leaks a value", err)
		}
		out := fmt.Sprintf("%v %+v %#v", c, c, c.K)
		if strings.Contains(out, marker+k) && len(k) > 0 {
			t.Fatalf("printed struct shows the secret: %s", out)
		}
	})
}

package secenv_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
)

type level int8

type dbConfig struct {
	Host string `env:"HOST,required"`
	Port uint16 `env:"PORT" envDefault:"5432"`
}

type textValue struct{ v string }

func (t *textValue) UnmarshalText(b []byte) error {
	if len(b) == 0 || b[0] != '@' {
		return errors.New("want @")
	}
	t.v = string(b[1:])
	return nil
}

type routing struct {
	Default string            `json:"default"`
	Weights map[string]int    `json:"weights"`
	Hosts   []string          `json:"hosts"`
	Retry   struct{ Max int } `json:"retry"`
}

type allTypes struct {
	Str      string                `env:"STR"`
	Bool     bool                  `env:"BOOL"`
	Int      int                   `env:"INT"`
	Int8     int8                  `env:"INT8"`
	Int16    int16                 `env:"INT16"`
	Int32    int32                 `env:"INT32"`
	Int64    int64                 `env:"INT64"`
	Uint     uint                  `env:"UINT"`
	Uint8    uint8                 `env:"UINT8"`
	Uint16   uint16                `env:"UINT16"`
	Uint32   uint32                `env:"UINT32"`
	Uint64   uint64                `env:"UINT64"`
	Float32  float32               `env:"FLOAT32"`
	Float64  float64               `env:"FLOAT64"`
	Level    level                 `env:"LEVEL"`
	Timeout  time.Duration         `env:"TIMEOUT"`
	List     []string              `env:"LIST"`
	Semi     []string              `env:"SEMI" envSeparator:";"`
	Ints     []int                 `env:"INTS"`
	Floats   []float64             `env:"FLOATS" envSeparator:" "`
	Waits    []time.Duration       `env:"WAITS"`
	Flags    []bool                `env:"FLAGS"`
	Times    []time.Time           `env:"TIMES" envSeparator:";"`
	Labels   map[string]string     `env:"LABELS"`
	Weights  map[string]int        `env:"WEIGHTS" envSeparator:";" envKeyValSeparator:"="`
	Limits   map[int]time.Duration `env:"LIMITS"`
	OptInt   *int                  `env:"OPT_INT"`
	OptBool  *bool                 `env:"OPT_BOOL"`
	OptWait  *time.Duration        `env:"OPT_WAIT" envDefault:"2s"`
	OptUnset *string               `env:"OPT_UNSET"`
	OptTime  *time.Time            `env:"OPT_TIME"`
	Routing  routing               `env:"ROUTING,json"`
	RoutePtr *routing              `env:"ROUTE_PTR,json"`
	JSONMap  map[string][]int      `env:"JSON_MAP,json"`
	URL      url.URL               `env:"URL"`
	URLPtr   *url.URL              `env:"URL_PTR"`
	Time     time.Time             `env:"TIME"`
	Text     textValue             `env:"TEXT"`
	Key      secenv.Secret         `env:"KEY"`
	Default  string                `env:"DEFAULTED" envDefault:"fallback"`
	Untagged string
	Skipped  string   `env:"-"`
	DB       dbConfig `envPrefix:"DB_"`
	Inner    struct {
		Name string `env:"NAME"`
	}
}

func TestLoadTypes(t *testing.T) {
	vars := env{
		"STR": "hello", "BOOL": "true", "INT": "-42", "INT8": "-128", "INT16": "32767", "INT32": "7", "INT64": "-9000000000",
		"UINT": "42", "UINT8": "255", "UINT16": "65535", "UINT32": "7", "UINT64": "18446744073709551615",
		"FLOAT32": "1.5", "FLOAT64": "-2.25e3", "LEVEL": "3", "TIMEOUT": "1m30s", "LIST": " a, b ,,c ", "SEMI": "a;b, c;",
		"INTS": "1, -2,3", "FLOATS": "1.5  2e3 -0", "WAITS": "1s,250ms, 1h", "FLAGS": "true,0,T", "TIMES": "2025-01-02T03:04:05Z;2026-12-01T00:00:00Z",
		"LABELS": "team:core, env : prod,url:https://x", "WEIGHTS": "a=1;b=2", "LIMITS": "1:1s,2:2m",
		"OPT_INT": "0", "OPT_BOOL": "false", "OPT_TIME": "2025-01-02T03:04:05Z",
		"ROUTING":   `{"default":"blue","weights":{"blue":90,"green":10},"hosts":["a","b"],"retry":{"Max":3}}`,
		"ROUTE_PTR": `{"default":"green"}`, "JSON_MAP": `{"a":[1,2],"b":[]}`,
		"URL": "https://example.com/x?y=1", "URL_PTR": "http://localhost:8080", "TIME": "2025-01-02T03:04:05Z",
		"TEXT": "@ok", "KEY": "plain-api-key", "DB_HOST": "db.internal", "NAME": "inner", "Untagged": "no", "Skipped": "no",
	}
	reg := redact.NewRegistry()
	var c allTypes
	c.Untagged = "kept"
	if err := secenv.Load(context.Background(), &c, secenv.WithLookup(vars.lookup), secenv.WithRegistry(reg)); err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := allTypes{
		Str: "hello", Bool: true, Int: -42, Int8: -128, Int16: 32767, Int32: 7, Int64: -9000000000,
		Uint: 42, Uint8: 255, Uint16: 65535, Uint32: 7, Uint64: 18446744073709551615,
		Float32: 1.5, Float64: -2250, Level: 3, Timeout: 90 * time.Second, List: []string{"a", "b", "c"}, Semi: []string{"a", "b, c"},
		Ints: []int{1, -2, 3}, Floats: []float64{1.5, 2000, 0}, Waits: []time.Duration{time.Second, 250 * time.Millisecond, time.Hour},
		Flags: []bool{true, false, true}, Times: []time.Time{time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		Labels: map[string]string{"team": "core", "env": "prod", "url": "https://x"}, Weights: map[string]int{"a": 1, "b": 2},
		Limits: map[int]time.Duration{1: time.Second, 2: 2 * time.Minute},
		OptInt: ptr(0), OptBool: ptr(false), OptWait: ptr(2 * time.Second), OptTime: ptr(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)),
		Routing:  routing{Default: "blue", Weights: map[string]int{"blue": 90, "green": 10}, Hosts: []string{"a", "b"}, Retry: struct{ Max int }{3}},
		RoutePtr: &routing{Default: "green"}, JSONMap: map[string][]int{"a": {1, 2}, "b": {}},
		URL: url.URL{Scheme: "https", Host: "example.com", Path: "/x", RawQuery: "y=1"}, URLPtr: &url.URL{Scheme: "http", Host: "localhost:8080"},
		Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Text: textValue{v: "ok"},
		Default: "fallback", Untagged: "kept", DB: dbConfig{Host: "db.internal", Port: 5432},
	}
	want.Inner.Name = "inner"
	if c.Key.Reveal() != "plain-api-key" {
		t.Errorf("Key = %q", c.Key.Reveal())
	}
	c.Key = secenv.Secret{}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load filled\n%+v\nwant\n%+v", c, want)
	}
	if got := reg.Scrub("key=plain-api-key"); got != "key=[REDACTED]" {
		t.Errorf("plain Secret field not registered: %q", got)
	}
}

func ptr[T any](v T) *T { return &v }

func TestLoadErrors(t *testing.T) {
	type numbers struct {
		A int8          `env:"A"`
		B uint          `env:"B"`
		C float64       `env:"C"`
		D bool          `env:"D"`
		E time.Duration `env:"E"`
		F url.URL       `env:"F"`
		G textValue     `env:"G"`
	}
	type lists struct {
		Ints    []int8            `env:"INTS"`
		Waits   []time.Duration   `env:"WAITS"`
		Map     map[string]int    `env:"MAP"`
		NoSep   map[string]string `env:"NO_SEP"`
		Empty   map[string]string `env:"EMPTY_KEY"`
		Twice   map[string]string `env:"TWICE"`
		BadKey  map[int]string    `env:"BAD_KEY"`
		Ptr     *uint8            `env:"PTR"`
		JSON    routing           `env:"JSON,json"`
		Unknown routing           `env:"UNKNOWN,json"`
		Trail   routing           `env:"TRAIL,json"`
		Type    routing           `env:"TYPE,json"`
		Short   []int             `env:"SHORT,json"`
	}
	type required struct {
		Must  string        `env:"MUST,required"`
		Also  int           `env:"ALSO,required"`
		Key   secenv.Secret `env:"KEY,required"`
		Maybe string        `env:"MAYBE"`
	}
	tests := []struct {
		name string
		dst  any
		vars env
		want map[string]error // variable -> sentinel
	}{
		{name: "every bad value at once", dst: &numbers{}, vars: env{"A": "999", "B": "-1", "C": "x1", "D": "maybe", "E": "5 parsecs", "F": "http://[::1", "G": "nope"},
			want: map[string]error{"A": secenv.ErrInvalid, "B": secenv.ErrInvalid, "C": secenv.ErrInvalid, "D": secenv.ErrInvalid, "E": secenv.ErrInvalid, "F": secenv.ErrInvalid, "G": secenv.ErrInvalid}},
		{name: "every bad list, map, pointer and JSON value at once", dst: &lists{}, vars: env{
			"INTS": "1,2,300", "WAITS": "1s,,soon", "MAP": "a:1,b:x-leak", "NO_SEP": "a:1,b-leak", "EMPTY_KEY": " :v-leak", "TWICE": "k:v1,k:v2-leak",
			"BAD_KEY": "1:a,x-leak:b", "PTR": "256", "JSON": `{"default":"blue-leak"`, "UNKNOWN": `{"secret-leak":1}`, "TRAIL": `{} {"x-leak":1}`,
			"TYPE": `{"weights":{"a":"str-leak"}}`, "SHORT": `[1,`},
			want: map[string]error{"INTS": secenv.ErrInvalid, "WAITS": secenv.ErrInvalid, "MAP": secenv.ErrInvalid, "NO_SEP": secenv.ErrInvalid,
				"EMPTY_KEY": secenv.ErrInvalid, "TWICE": secenv.ErrInvalid, "BAD_KEY": secenv.ErrInvalid, "PTR": secenv.ErrInvalid, "JSON": secenv.ErrInvalid,
				"UNKNOWN": secenv.ErrInvalid, "TRAIL": secenv.ErrInvalid, "TYPE": secenv.ErrInvalid, "SHORT": secenv.ErrInvalid}},
		{name: "missing and empty", dst: &required{}, vars: env{"ALSO": ""},
			want: map[string]error{"MUST": secenv.ErrMissing, "ALSO": secenv.ErrEmpty, "KEY": secenv.ErrMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := secenv.Load(context.Background(), tt.dst, secenv.WithLookup(tt.vars.lookup), secenv.WithRegistry(redact.NewRegistry()))
			checkFieldErrors(t, err, tt.want)
			for _, v := range tt.vars {
				if len(v) >= 3 && strings.Contains(err.Error(), v) {
					t.Errorf("error %q contains the value %q", err, v)
				}
			}
			if strings.Contains(err.Error(), "leak") {
				t.Errorf("error %q contains part of a value", err)
			}
			if !reflect.ValueOf(tt.dst).Elem().IsZero() {
				t.Errorf("dst was modified on error: %+v", tt.dst)
			}
		})
	}
}

// checkFieldErrors checks that err holds exactly one *FieldError per
// variable in want, each matching its sentinel.
func checkFieldErrors(t *testing.T, err error, want map[string]error) {
	t.Helper()
	if err == nil {
		t.Fatal("Load returned nil, want errors")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v is not a joined error", err)
	}
	got := map[string]bool{}
	for _, e := range joined.Unwrap() {
		var fe *secenv.FieldError
		if !errors.As(e, &fe) {
			t.Errorf("error %v is not a *FieldError", e)
			continue
		}
		got[fe.Var] = true
		sentinel, ok := want[fe.Var]
		if !ok {
			t.Errorf("unexpected error for %s: %v", fe.Var, e)
			continue
		}
		if !errors.Is(e, sentinel) {
			t.Errorf("error for %s = %v, want %v", fe.Var, e, sentinel)
		}
		if !strings.Contains(e.Error(), fe.Var) || !strings.Contains(e.Error(), fe.Field) {
			t.Errorf("error %q does not name the variable and field", e)
		}
	}
	for v := range want {
		if !got[v] {
			t.Errorf("no error for %s in %v", v, err)
		}
	}
}

func TestLoadSetupErrors(t *testing.T) {
	tests := []struct {
		name string
		dst  any
	}{
		{name: "nil", dst: nil},
		{name: "not a pointer", dst: struct{}{}},
		{name: "pointer to non-struct", dst: new(string)},
		{name: "nil pointer", dst: (*struct{})(nil)},
		{name: "kms on string", dst: &struct {
			P string `env:"P,kms"`
		}{}},
		{name: "secretsmanager on []string", dst: &struct {
			P []string `env:"P,secretsmanager"`
		}{}},
		{name: "kms and secretsmanager", dst: &struct {
			P secenv.Secret `env:"P,kms,secretsmanager"`
		}{}},
		{name: "unknown option", dst: &struct {
			P string `env:"P,requird"`
		}{}},
		{name: "bad name", dst: &struct {
			P string `env:"1P"`
		}{}},
		{name: "empty name", dst: &struct {
			P string `env:",required"`
		}{}},
		{name: "unsupported type", dst: &struct {
			P chan int `env:"P"`
		}{}},
		{name: "map of slices", dst: &struct {
			P map[string][]int `env:"P"`
		}{}},
		{name: "slice of slices", dst: &struct {
			P [][]string `env:"P"`
		}{}},
		{name: "bytes", dst: &struct {
			P []byte `env:"P"`
		}{}},
		{name: "pointer to Secret", dst: &struct {
			P *secenv.Secret `env:"P"`
		}{}},
		{name: "slice of Secret", dst: &struct {
			P []secenv.Secret `env:"P"`
		}{}},
		{name: "pointer to pointer", dst: &struct {
			P **int `env:"P"`
		}{}},
		{name: "struct without json", dst: &struct {
			P routing `env:"P"`
		}{}},
		{name: "json on Secret", dst: &struct {
			P secenv.Secret `env:"P,json"`
		}{}},
		{name: "json with kms", dst: &struct {
			P secenv.Secret `env:"P,kms,json"`
		}{}},
		{name: "json on a func", dst: &struct {
			P func() `env:"P,json"`
		}{}},
		{name: "bad json default", dst: &struct {
			P routing `env:"P,json" envDefault:"{"`
		}{}},
		{name: "bad map default", dst: &struct {
			P map[string]int `env:"P" envDefault:"a:b"`
		}{}},
		{name: "same separators", dst: &struct {
			P map[string]int `env:"P" envSeparator:"=" envKeyValSeparator:"="`
		}{}},
		{name: "separator on json", dst: &struct {
			P []int `env:"P,json" envSeparator:";"`
		}{}},
		{name: "unexported tagged", dst: &struct {
			p string `env:"P"`
		}{}},
		{name: "required with default", dst: &struct {
			P string `env:"P,required" envDefault:"x"`
		}{}},
		{name: "hardcoded secret", dst: &struct {
			P secenv.Secret `env:"P" envDefault:"hunter22"`
		}{}},
		{name: "hardcoded ciphertext", dst: &struct {
			P secenv.Secret `env:"P,kms" envDefault:"AQICAHg="`
		}{}},
		{name: "bad default", dst: &struct {
			P int `env:"P" envDefault:"ten"`
		}{}},
		{name: "prefix on leaf", dst: &struct {
			P string `env:"P" envPrefix:"X_"`
		}{}},
		{name: "env on struct", dst: &struct {
			D dbConfig `env:"D"`
		}{}},
		{name: "bad prefix", dst: &struct {
			D dbConfig `envPrefix:"D-"`
		}{}},
		{name: "default without env", dst: &struct {
			P string `envDefault:"x"`
		}{}},
		{name: "ssm with json", dst: &struct {
			P map[string]int `env:"P,ssm,json"`
		}{}},
		{name: "version stage without secretsmanager", dst: &struct {
			P secenv.Secret `env:"P,kms" envVersionStage:"AWSPREVIOUS"`
		}{}},
		{name: "version stage and ID", dst: &struct {
			P secenv.Secret `env:"P,secretsmanager" envVersionStage:"AWSPREVIOUS" envVersionID:"v1"`
		}{}},
		{name: "bad version stage", dst: &struct {
			P secenv.Secret `env:"P,secretsmanager" envVersionStage:"AWS PREVIOUS"`
		}{}},
		{name: "Live without a source", dst: &struct {
			P secenv.Live `env:"P"`
		}{}},
		{name: "kms Live with a default", dst: &struct {
			P secenv.Live `env:"P,kms" envDefault:"AQID"`
		}{}},
		{name: "secret is not an option", dst: &struct {
			P secenv.Secret `env:"P,secret"`
		}{}},
		{name: "legacy default tag", dst: &struct {
			P string `env:"P" default:"x"`
		}{}},
		{name: "legacy prefix tag", dst: &struct {
			D dbConfig `prefix:"D_"`
		}{}},
		{name: "separator on a scalar", dst: &struct {
			P string `env:"P" envSeparator:";"`
		}{}},
		{name: "empty separator", dst: &struct {
			P []string `env:"P" envSeparator:""`
		}{}},
		{name: "key-value separator on a slice", dst: &struct {
			P []string `env:"P" envKeyValSeparator:"="`
		}{}},
		{name: "separator without env", dst: &struct {
			P []string `envSeparator:";"`
		}{}},
		{name: "separator on a struct", dst: &struct {
			D dbConfig `envSeparator:";"`
		}{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := secenv.Load(context.Background(), tt.dst, secenv.WithLookup(env{"P": "v"}.lookup))
			if !errors.Is(err, secenv.ErrConfig) {
				t.Fatalf("Load error = %v, want ErrConfig", err)
			}
			if strings.Contains(err.Error(), "hunter22") {
				t.Fatalf("setup error %q shows the hardcoded default", err)
			}
		})
	}
}

func TestLoadDefaultsAndEmpty(t *testing.T) {
	type cfg struct {
		A string        `env:"A" envDefault:"da"`
		B int           `env:"B" envDefault:"7"`
		C string        `env:"C"`
		D []string      `env:"D" envDefault:"x,y"`
		S secenv.Secret `env:"S"`
	}
	tests := []struct {
		name string
		vars env
		want cfg
	}{
		{name: "unset uses defaults", vars: env{}, want: cfg{A: "da", B: 7, C: "pre", D: []string{"x", "y"}}},
		{name: "empty uses defaults", vars: env{"A": "", "B": "", "C": ""}, want: cfg{A: "da", B: 7, C: "pre", D: []string{"x", "y"}}},
		{name: "set overrides", vars: env{"A": "a", "B": "1", "C": "c", "D": "z"}, want: cfg{A: "a", B: 1, C: "c", D: []string{"z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg{C: "pre"}
			if err := secenv.Load(context.Background(), &c, secenv.WithLookup(tt.vars.lookup)); err != nil {
				t.Fatal(err)
			}
			if c.S.IsSet() {
				t.Error("unset Secret field is set")
			}
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("got %+v, want %+v", c, tt.want)
			}
		})
	}
}

func TestLoadReusesPlanConcurrently(t *testing.T) {
	type cfg struct {
		A string `env:"A,required"`
		B int    `env:"B"`
	}
	vars := env{"A": "a", "B": "2"}
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			var c cfg
			err := secenv.Load(context.Background(), &c, secenv.WithLookup(vars.lookup))
			if err == nil && (c.A != "a" || c.B != 2) {
				err = errors.New("wrong values")
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		var c cfg
		_ = secenv.Load(context.Background(), &c, secenv.WithLookup(vars.lookup))
	})
	if allocs > 12 {
		t.Errorf("Load of a cached plan allocates %v times, want a handful", allocs)
	}
}

func TestLoadNeedsClients(t *testing.T) {
	type cfg struct {
		Key   secenv.Secret `env:"KEY,kms"`
		DB    secenv.Secret `env:"DB,secretsmanager"`
		Plain string        `env:"PLAIN"`
	}
	tests := []struct {
		name string
		vars env
		opts []secenv.Option
		want map[string]error
	}{
		{name: "no clients, variables set", vars: env{"KEY": "AQID", "DB": "prod/db"}, want: map[string]error{"KEY": secenv.ErrConfig, "DB": secenv.ErrConfig}},
		{name: "no clients, variables unset", vars: env{"PLAIN": "x"}, want: map[string]error{"KEY": secenv.ErrConfig, "DB": secenv.ErrConfig}},
		{name: "the extension needs no Secrets Manager client", vars: env{}, opts: []secenv.Option{secenv.WithSecretsExtension(secenv.Extension{})},
			want: map[string]error{"KEY": secenv.ErrConfig}},
		{name: "nil clients set nothing", vars: env{}, opts: []secenv.Option{secenv.WithClients(nil, nil)},
			want: map[string]error{"KEY": secenv.ErrConfig, "DB": secenv.ErrConfig}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c cfg
			opts := append([]secenv.Option{secenv.WithLookup(tt.vars.lookup)}, tt.opts...)
			err := secenv.Load(context.Background(), &c, opts...)
			checkFieldErrors(t, err, tt.want)
			if !reflect.ValueOf(c).IsZero() {
				t.Error("dst changed on error")
			}
		})
	}
}

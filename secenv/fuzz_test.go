package secenv

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const fuzzMarker = "FUZZ-SECRET-MARKER"

func FuzzParseEnvTag(f *testing.F) {
	for _, s := range []string{"NAME", "NAME,required", "DB_PASSWORD,kms,required", "S,secretsmanager", "S,ssm", ",kms", "1X", "A,,", "A,kms,secretsmanager", "A, required ", "\x00", "A,unknown"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := parseEnvTag(s)
		if err != nil {
			// The messages are fixed lowercase prose, which a short tag of
			// lowercase words can match by chance (" a d" in "a digit"); a
			// tag holding anything else that shows up in one was echoed.
			prose := !strings.ContainsFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && !strings.ContainsRune(" ,():", r) })
			if strings.Contains(err.Error(), s) && len(s) > 3 && !prose {
				t.Fatalf("error %q repeats the tag", err)
			}
			return
		}
		if !validName(tag.name) || (tag.kms && tag.sm) {
			t.Fatalf("accepted %q as %+v", s, tag)
		}
	})
}

// fuzzFields is the plan of a struct with one field of every supported
// kind.
var fuzzFields = func() []field {
	type all struct {
		S  string                `env:"S"`
		B  bool                  `env:"B"`
		I  int16                 `env:"I"`
		U  uint8                 `env:"U"`
		F  float32               `env:"F"`
		D  time.Duration         `env:"D"`
		L  []string              `env:"L"`
		R  url.URL               `env:"R"`
		RP *url.URL              `env:"RP"`
		T  time.Time             `env:"T"`
		S1 Secret                `env:"S1"`
		LI []int                 `env:"LI"`
		LF []float64             `env:"LF" envSeparator:" "`
		LD []time.Duration       `env:"LD"`
		LT []time.Time           `env:"LT" envSeparator:";"`
		M  map[string]int        `env:"M"`
		MD map[int]time.Duration `env:"MD" envSeparator:";" envKeyValSeparator:"="`
		MB map[bool]url.URL      `env:"MB"`
		PI *int                  `env:"PI"`
		PD *time.Duration        `env:"PD"`
		PU *url.URL              `env:"PU"`
		PT *time.Time            `env:"PT"`
		J  struct {
			A string         `json:"a"`
			B []int          `json:"b"`
			C map[string]any `json:"c"`
			T time.Time      `json:"t"`
		} `env:"J,json"`
		JM map[string][]float64 `env:"JM,json"`
		JP *[]string            `env:"JP,json"`
	}
	p := buildPlan(reflect.TypeFor[all]())
	if p.err != nil {
		panic(p.err)
	}
	return p.fields
}()

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"", "0", "-1", "1e309", "true", "TRUE", "1h2m3s", "a,b,,c", "https://x/y?z", "http://[::1", "0x10", "  42  ", "NaN", "\xff\xfe", "2025-01-02T03:04:05Z",
		"a:1,b:2", "1=1s;2=2m", "a:1,a:2", ":1", "k", "true:http://x", `{"a":"x","b":[1],"c":{"d":null},"t":"2025-01-02T03:04:05Z"}`, `{"a":1}`, `{"z":1}`, `{} x`, `[1,`, `{"k":[1.5]}`, `["a"]`, "null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for i := range fuzzFields {
			fl := &fuzzFields[i]
			v := reflect.New(fl.rtype).Elem()
			for _, in := range []string{raw, fuzzMarker + raw, raw + fuzzMarker} {
				err := setValue(v, fl, in)
				if err != nil && strings.Contains(err.Error(), fuzzMarker) {
					t.Fatalf("%s: error %q leaks the value", fl.typ, err)
				}
			}
		}
	})
}

func FuzzSecretPick(f *testing.F) {
	f.Add(`{"k":"v"}`, "k")
	f.Add(`{"k":1}`, "k")
	f.Add(`{"k":null}`, "k")
	f.Add(`[1,2]`, "0")
	f.Add(`not json`, "")
	f.Add(`{"k":"\u00"}`, "k")
	f.Fuzz(func(t *testing.T, secret, key string) {
		for _, p := range []secretPayload{{str: fuzzMarker + secret, hasStr: true}, {bin: []byte(secret + fuzzMarker), isBin: true}, {str: secret, hasStr: true}} {
			_, err := p.pick(key)
			if err != nil && strings.Contains(err.Error(), fuzzMarker) {
				t.Fatalf("error %q leaks the secret", err)
			}
		}
		if _, _, err := parseSecretRef(fuzzMarker + secret + "#" + key); err != nil && strings.Contains(err.Error(), fuzzMarker) {
			t.Fatalf("parseSecretRef error %q leaks the reference", err)
		}
	})
}

func FuzzDecodeCiphertext(f *testing.F) {
	for _, s := range []string{"", "AQID", "AQICAHh+", "not base64!", "====", strings.Repeat("A", 9000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		b, err := decodeCiphertext(raw)
		if err != nil {
			if len(raw) > 3 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error %q leaks the ciphertext", err)
			}
			return
		}
		if len(b) == 0 || len(b) > maxCiphertext {
			t.Fatalf("accepted a blob of %d bytes", len(b))
		}
	})
}

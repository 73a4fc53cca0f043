package redact

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzMaskJSONKeys checks that maskJSONKeys never panics, keeps valid JSON
// valid, and leaves no value under a sensitive key but the mask.
func FuzzMaskJSONKeys(f *testing.F) {
	f.Add([]byte(`{"password":"x","a":[{"Token":{"b":1}},"c"],"pass\u0077ord":2}`))
	f.Add([]byte(`{"a":"b\"password\":1","x-api-key" : [1,2] , "n":null}`))
	f.Add([]byte(`{"secret`))
	f.Add([]byte(`"`))
	f.Add([]byte(`{"cookie":`))
	sc := scrubber{cfg: newConfig(handlerOptions(nil)), m: baseMatcher()}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _ := sc.maskJSONKeys(data)
		if !json.Valid(data) {
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil || !json.Valid(out) {
			t.Fatalf("invalid output %q for %q: %v", out, data, err)
		}
		var check func(any)
		check = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if sensitiveKey(sc.cfg, k) && x != DefaultMask {
						t.Fatalf("key %q kept its value in %q", k, out)
					}
					check(x)
				}
			case []any:
				for _, x := range v {
					check(x)
				}
			}
		}
		check(v)
	})
}

// TestSensitiveKey checks the key comparison, and that a key longer than
// every key of the set is rejected without allocating, however long.
func TestSensitiveKey(t *testing.T) {
	long := strings.Repeat("password", 2<<10)
	tests := []struct {
		name string
		opts []HandlerOption
		key  string
		want bool
	}{
		{"exact", nil, "password", true},
		{"case and separators", nil, "X-Api_Key", true},
		{"separators only add length", nil, "-_-p.a.s.s.w.o.r.d-_-", true},
		{"longer than every key", nil, "x-password-x-and-more-and-more-and-more", false},
		{"16 KiB", nil, long, false},
		{"16 KiB of separators around a key", nil, strings.Repeat("-", 16<<10) + "token", true},
		{"WithKeys longer than 64 bytes", []HandlerOption{WithKeys(strings.Repeat("k", 100))}, strings.Repeat("K", 100), true},
		{"no keys", []HandlerOption{WithoutDefaultKeys()}, "password", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newConfig(handlerOptions(tt.opts))
			if got := sensitiveKey(cfg, tt.key); got != tt.want {
				t.Fatalf("sensitiveKey(%.40q) = %v, want %v", tt.key, got, tt.want)
			}
			if got := sensitiveKey(cfg, []byte(tt.key)); got != tt.want {
				t.Fatalf("sensitiveKey([]byte %.40q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
	cfg := newConfig(handlerOptions(nil))
	if n := testing.AllocsPerRun(100, func() { sensitiveKey(cfg, long) }); n != 0 {
		t.Fatalf("a long key allocates %v times", n)
	}
}

package redact

import (
	"bytes"
	"encoding/json"
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
	sc := scrubber{cfg: newConfig(buildOptions(nil)), m: baseMatcher()}
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

package secenv

import (
	"reflect"
	"strings"
	"testing"
)

const fuzzMarker = "FUZZ-SECRET-MARKER"

func FuzzParseEnvTag(f *testing.F) {
	for _, s := range []string{"NAME", "NAME,required", "DB_PASSWORD,kms,required", "S,secret", ",kms", "1X", "A,,", "A,kms,secret", "A, required ", "\x00", "A,unknown"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := parseEnvTag(s)
		if err != nil {
			if strings.Contains(err.Error(), s) && len(s) > 3 {
				t.Fatalf("error %q repeats the tag", err)
			}
			return
		}
		if !validName(tag.name) || (tag.kms && tag.secret) {
			t.Fatalf("accepted %q as %+v", s, tag)
		}
	})
}

// fuzzKinds is one field plan per value kind, over a struct that can hold
// every kind.
var fuzzKinds = func() (fields []field) {
	type all struct {
		S  string
		B  bool
		I  int16
		U  uint8
		F  float32
		D  int64
		L  []string
		U1 struct{ X string }
		S1 Secret
	}
	add := func(name string, k kind, bits int, typ string) {
		sf, _ := reflect.TypeFor[all]().FieldByName(name)
		fields = append(fields, field{index: sf.Index, path: name, name: name, kind: k, bits: bits, typ: typ})
	}
	add("S", kindString, 0, "string")
	add("B", kindBool, 0, "bool")
	add("I", kindInt, 16, "int16")
	add("U", kindUint, 8, "uint8")
	add("F", kindFloat, 32, "float32")
	add("D", kindDuration, 0, "time.Duration")
	add("L", kindStrings, 0, "[]string")
	add("S1", kindSecret, 0, "secenv.Secret")
	return fields
}()

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"", "0", "-1", "1e309", "true", "TRUE", "1h2m3s", "a,b,,c", "https://x/y?z", "http://[::1", "0x10", "  42  ", "NaN", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for i := range fuzzKinds {
			fk := &fuzzKinds[i]
			for _, k := range []kind{fk.kind, kindURL, kindURLPtr} {
				fl := *fk
				fl.kind = k
				var v reflect.Value
				switch k {
				case kindURL:
					v = reflect.New(urlType).Elem()
				case kindURLPtr:
					v = reflect.New(urlPtrType).Elem()
				default:
					v = reflect.New(reflectTypeForKind(&fl)).Elem()
					if k == kindSecret {
						v = reflect.New(secretType).Elem()
					}
				}
				if k == kindDuration {
					v = reflect.New(durationType).Elem()
				}
				for _, in := range []string{raw, fuzzMarker + raw} {
					err := setValue(v, &fl, in)
					if err != nil && strings.Contains(err.Error(), fuzzMarker) {
						t.Fatalf("kind %d: error %q leaks the value", k, err)
					}
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

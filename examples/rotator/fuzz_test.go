package main

import (
	"strings"
	"testing"
)

// FuzzParseCredential parses arbitrary secret strings as the rotator's
// credential: no panic, an error never holds the value, and a credential
// that parses marshals back with its username and password.
func FuzzParseCredential(f *testing.F) {
	const marker = "FUZZ-PASSWORD-MARKER"
	for _, s := range []string{
		`{"username":"notes","password":"p"}`, `{"username":"","password":"p"}`, `{"username":1}`, `[]`, `null`, ``,
		`{"username":"u","password":"p","host":"h","port":5432}`, `{"username":"u_clone","password":"\u00e9"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		raw = strings.ReplaceAll(raw, `"p"`, `"`+marker+`"`)
		c, err := parseCredential(&raw)
		if err != nil {
			if strings.Contains(err.Error(), marker) {
				t.Fatalf("error holds the value: %v", err)
			}
			return
		}
		out, err := c.marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseCredential(&out)
		if err != nil || back.Username != c.Username || back.Password != c.Password {
			t.Fatalf("round trip changed the credential: %v", err)
		}
		if otherUser(otherUser(c.Username)) != c.Username && !strings.HasSuffix(c.Username, "_clone_clone") {
			t.Fatalf("otherUser is not its own inverse for %q", c.Username)
		}
	})
}

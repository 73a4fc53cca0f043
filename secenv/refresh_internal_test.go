package secenv

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestJitter checks that refresh times fall between half the TTL and the
// TTL.
func TestJitter(t *testing.T) {
	for _, ttl := range []time.Duration{0, 1, 2, time.Second, 5 * time.Minute} {
		for range 200 {
			d := jitter(ttl)
			if d < ttl/2 || d > ttl {
				t.Fatalf("jitter(%v) = %v, want within [%v, %v]", ttl, d, ttl/2, ttl)
			}
		}
	}
}

// FuzzParameterAnswer parses the extension's answer to a parameter read:
// no panic, and an error never quotes the body.
func FuzzParameterAnswer(f *testing.F) {
	for _, s := range []string{
		`{"Parameter":{"Value":"v","Type":"SecureString","Version":3}}`,
		`{"Parameter":{"Type":"String"}}`, `{"Parameter":null}`, `[]`, ``, `{"Parameter":{"Value":1}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, b := range []string{body, strings.ReplaceAll(body, `"v"`, `"`+fuzzMarker+`"`)} {
			p, err := parseParameterAnswer([]byte(b))
			if err != nil && strings.Contains(err.Error(), fuzzMarker) {
				t.Fatalf("error quotes the body: %v", err)
			}
			if err == nil && !p.hasStr {
				t.Fatal("a parameter without a string value")
			}
		}
	})
}

// FuzzSecretStruct decodes arbitrary JSON secrets into an RDS secret: no
// panic, and an error never holds the marker value.
func FuzzSecretStruct(f *testing.F) {
	for _, s := range []string{
		`{"engine":"postgres","host":"h","port":5432,"username":"u","password":"%s","dbname":"d"}`,
		`{"port":"%s"}`, `{"password":{"x":"%s"}}`, `{"Password":"%s","PORT":1}`, `[%q]`, `null`, `{"password":null}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		raw := strings.ReplaceAll(format, "%s", fuzzMarker)
		fd := &field{path: "DB", name: "DB", rtype: reflect.TypeFor[RDSSecret]()}
		var reg collector
		v, err := decodeSecretStruct(fd, raw, &reg)
		if err != nil {
			if strings.Contains(err.Error(), fuzzMarker) {
				t.Fatalf("error holds the value: %v", err)
			}
			return
		}
		s := v.Interface().(RDSSecret)
		if strings.Contains(s.Password.String(), fuzzMarker) {
			t.Fatal("a Secret prints")
		}
	})
}

// FuzzVersionTag checks the envVersionStage and envVersionID rules: no
// panic, and an accepted label holds only the allowed characters.
func FuzzVersionTag(f *testing.F) {
	for _, s := range []string{"AWSCURRENT", "AWSPREVIOUS", "a1b2-c3", "", "with space", strings.Repeat("x", 300), "ü", fuzzMarker + " "} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, stage, id string) {
		err := checkVersionTag(stage, id, stage != "", id != "")
		if err == nil && stage != "" && id != "" {
			t.Fatal("both a stage and an ID accepted")
		}
		if err == nil && (len(stage) > 256 || strings.ContainsAny(stage+id, " \t\n#?&=/")) {
			t.Fatalf("accepted %q %q", stage, id)
		}
		if err != nil && strings.Contains(err.Error(), fuzzMarker) {
			t.Fatalf("error quotes the label: %v", err)
		}
	})
}

// TestLiveEviction fills a small cache with live entries: it never holds
// more than CacheSize, and the least recently used entry goes first.
func TestLiveEviction(t *testing.T) {
	c, err := NewCacheFrom(CacheConfig{CacheSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	get := func(id string) {
		t.Helper()
		lf := liveFetch{id: id, get: func(context.Context, string) (secretPayload, error) {
			return secretPayload{str: "v-" + id, hasStr: true}, nil
		}}
		if _, _, err := c.liveGet(context.Background(), cacheKey{src: "s", id: id}, time.Minute, clock, refreshDue, lf); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
	}
	for _, id := range []string{"a", "b", "c", "a", "d"} {
		get(id)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	c.mu.Lock()
	_, hasB := c.live[cacheKey{src: "s", id: "b"}]
	_, hasA := c.live[cacheKey{src: "s", id: "a"}]
	c.mu.Unlock()
	if hasB || !hasA {
		t.Fatalf("evicted the wrong entry: a kept %v, b kept %v", hasA, hasB)
	}
}

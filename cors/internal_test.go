package cors

import (
	"net/http"
	"reflect"
	"testing"
)

func TestOriginProblem(t *testing.T) {
	tests := []struct {
		name   string
		origin string
		ok     bool
	}{
		{name: "https", origin: "https://app.example.com", ok: true},
		{name: "http with port", origin: "http://localhost:3000", ok: true},
		{name: "IPv4", origin: "http://127.0.0.1:8080", ok: true},
		{name: "IPv6", origin: "http://[::1]:5173", ok: true},
		{name: "IPv6 without port", origin: "http://[2001:db8::1]", ok: true},
		{name: "extension", origin: "chrome-extension://abcdefghijklmnop", ok: true},
		{name: "punycode", origin: "https://xn--bcher-kva.example", ok: true},
		{name: "underscore", origin: "https://my_host.example.com", ok: true},
		{name: "max port", origin: "https://a.test:65535", ok: true},
		{name: "port zero", origin: "https://a.test:0", ok: true},

		{name: "empty", origin: ""},
		{name: "null", origin: "null"},
		{name: "no scheme", origin: "app.example.com"},
		{name: "empty scheme", origin: "://app.example.com"},
		{name: "scheme starts with digit", origin: "1http://a.test"},
		{name: "uppercase scheme", origin: "HTTPS://a.test"},
		{name: "mixed-case scheme", origin: "Https://a.test"},
		{name: "uppercase host", origin: "https://A.test"},
		{name: "trailing slash", origin: "https://a.test/"},
		{name: "path", origin: "https://a.test/x"},
		{name: "path after port", origin: "https://a.test:443/"},
		{name: "query", origin: "https://a.test?x"},
		{name: "fragment", origin: "https://a.test#x"},
		{name: "userinfo", origin: "https://u@a.test"},
		{name: "userinfo with password", origin: "https://u:p@a.test"},
		{name: "empty host", origin: "https://"},
		{name: "leading dot", origin: "https://.a.test"},
		{name: "double dot", origin: "https://a..test"},
		{name: "trailing dot", origin: "https://a.test."},
		{name: "empty port", origin: "https://a.test:"},
		{name: "port too long", origin: "https://a.test:123456"},
		{name: "port too large", origin: "https://a.test:65536"},
		{name: "port leading zero", origin: "https://a.test:080"},
		{name: "port not a number", origin: "https://a.test:8x"},
		{name: "host after port", origin: "https://a.test:80.evil.com"},
		{name: "two ports", origin: "https://a.test:80:81"},
		{name: "space", origin: "https://a.test "},
		{name: "CRLF", origin: "https://a.test\r\nX-Evil: 1"},
		{name: "NUL", origin: "https://a.test\x00"},
		{name: "non-ASCII", origin: "https://bücher.example"},
		{name: "two origins", origin: "https://a.test, https://b.test"},
		{name: "wildcard", origin: "https://*.a.test"},
		{name: "IPv6 unclosed", origin: "http://[::1"},
		{name: "IPv6 empty", origin: "http://[]"},
		{name: "IPv6 bad char", origin: "http://[::g]"},
		{name: "IPv6 text after", origin: "http://[::1]x"},
		{name: "IPv6 empty port", origin: "http://[::1]:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := originProblem(tc.origin)
			if (p == "") != tc.ok {
				t.Errorf("originProblem(%q) = %q, want ok=%v", tc.origin, p, tc.ok)
			}
		})
	}
}

// TestCacheComparesWholeKey stores an entry in the slot of another key and
// checks that the other key misses.
func TestCacheComparesWholeKey(t *testing.T) {
	c := newDecisionCache()
	a := cacheKey{method: "GET", origin: "https://a.test"}
	b := cacheKey{method: "GET", origin: "https://b.test"}
	c.slot(&b).Store(&cacheEntry{key: a, d: decision{allowOrigin: "https://a.test"}})
	if d, ok := c.get(&b); ok {
		t.Fatalf("get(b) hit a's entry: %+v", d)
	}
	c.put(&b, decision{allowOrigin: "https://b.test"})
	if d, ok := c.get(&b); !ok || d.allowOrigin != "https://b.test" {
		t.Fatalf("get(b) after put = %+v, %v", d, ok)
	}
	long := cacheKey{method: "OPTIONS", origin: "https://a.test", acrm: "GET", acrh: string(make([]byte, cacheMaxKey))}
	c.put(&long, decision{allowOrigin: "https://a.test"})
	if _, ok := c.get(&long); ok {
		t.Error("a key longer than cacheMaxKey was cached")
	}
}

// TestCacheMatchesRSCors checks, for every kind of allowed request, that the
// answer from the cache equals the answer rs/cors gave on the miss.
func TestCacheMatchesRSCors(t *testing.T) {
	c, err := New(Options{
		AllowedOrigins:      []string{"https://*.example.com"},
		AllowedMethods:      []string{"GET", "PUT"},
		AllowedHeaders:      []string{"*"},
		ExposedHeaders:      []string{"X-Id"},
		AllowCredentials:    true,
		AllowPrivateNetwork: true,
		MaxAge:              60,
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := []request{
		{method: "GET", origin: "https://a.example.com"},
		{method: "OPTIONS", origin: "https://a.example.com"},
		{method: "OPTIONS", origin: "https://a.example.com", acrm: "PUT"},
		{method: "OPTIONS", origin: "https://a.example.com", acrm: "PUT", acrh: "x-a,x-b"},
		{method: "OPTIONS", origin: "https://a.example.com", acrm: "PUT", acrh: "x-a", acrpn: "true"},
		{method: "OPTIONS", origin: "https://b.example.com", acrm: "GET"},
	}
	for _, r := range reqs {
		miss := c.ask(&r, r.preflight())
		first := c.decide(&r)
		hit := c.decide(&r)
		if !reflect.DeepEqual(first, miss) || !reflect.DeepEqual(hit, miss) {
			t.Errorf("%+v: rs/cors %+v, first %+v, cached %+v", r, miss, first, hit)
		}
		k := cacheKey{method: r.method, origin: r.origin, acrm: r.acrm, acrh: r.acrh, acrpn: r.acrpn}
		if _, ok := c.cache.get(&k); !ok {
			t.Errorf("%+v was not cached", r)
		}
	}
	denied := request{method: "GET", origin: "https://evil.test"}
	c.decide(&denied)
	if _, ok := c.cache.get(&cacheKey{method: "GET", origin: "https://evil.test"}); ok {
		t.Error("a refused decision was cached")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		v      string
		list   bool
		ok     bool
	}{
		{name: "lowercase", single: map[string]string{"origin": "a"}, v: "a", ok: true},
		{name: "canonical", single: map[string]string{"Origin": "a"}, v: "a", ok: true},
		{name: "odd case", single: map[string]string{"oRIGIN": "a"}, v: "a", ok: true},
		{name: "absent", single: map[string]string{"Originx": "a", "rigin": "b"}},
		{name: "nil maps"},
		{name: "multi first", single: map[string]string{"Origin": "last"}, multi: map[string][]string{"origin": {"first"}}, v: "first", ok: true},
		{name: "multi odd case", multi: map[string][]string{"ORIGIN": {"a"}}, v: "a", ok: true},
		{name: "multi several", multi: map[string][]string{"Origin": {"a", "b"}}, v: "a", list: true, ok: true},
		{name: "multi empty list falls back", single: map[string]string{"Origin": "a"}, multi: map[string][]string{"Origin": {}}, v: "a", ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, list, ok := lookup(tc.single, tc.multi, hOrigin, "origin")
			if v != tc.v || (list != nil) != tc.list || ok != tc.ok {
				t.Errorf("lookup = %q, %v, %v; want %q, list %v, %v", v, list, ok, tc.v, tc.list, tc.ok)
			}
		})
	}
}

// TestStateReuse checks that a pooled state carries nothing from one
// request to the next: a preflight that echoed request headers, followed
// by one without them.
func TestStateReuse(t *testing.T) {
	c, err := New(Options{AllowOriginFunc: func(string) bool { return true }, AllowedHeaders: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		r1 := request{method: http.MethodOptions, origin: "https://a.test", acrm: "GET", acrh: "x-a", acrhList: []string{"x-a", "x-b"}}
		if d := c.decide(&r1); d.allowOrigin == "" || d.allowHeadersList == nil {
			t.Fatalf("first preflight: %+v", d)
		}
		r2 := request{method: http.MethodOptions, origin: "https://b.test", acrm: "GET"}
		if d := c.decide(&r2); d.allowHeaders != "" || d.allowHeadersList != nil || d.allowOrigin != "https://b.test" {
			t.Fatalf("second preflight kept state: %+v", d)
		}
	}
}

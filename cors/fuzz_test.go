package cors_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	rscors "github.com/rs/cors"

	"github.com/seclambda/seclambda/cors"
)

// FuzzOrigin checks, for a random origin, configured pattern and request,
// that the package never sends Access-Control-Allow-Origin (or
// credentials) unless rs/cors on net/http sends the same for the same
// request, that it never echoes a malformed origin, and that the wrappers
// and Headers agree, and that Vary is always rs/cors's, requests without
// Origin included. It must not panic whatever the input.
func FuzzOrigin(f *testing.F) {
	seeds := []struct {
		origin, pattern string
		creds, useFunc  bool
		method, reqHdrs string
		preflight       bool
	}{
		{"https://app.example.com", "https://app.example.com", true, false, "GET", "", false},
		{"https://a.example.com", "https://*.example.com", true, false, "PUT", "content-type", true},
		{"https://evilexample.com", "https://*.example.com", false, false, "GET", "", false},
		{"https://example.com.evil.net", "https://*.example.com", false, false, "GET", "", true},
		{"HTTPS://A.EXAMPLE.COM", "https://*.example.com", true, false, "GET", "", false},
		{"https://user@a.example.com", "https://*.example.com", true, false, "GET", "", false},
		{"https://evil.com/.example.com", "https://*.example.com", true, true, "GET", "", false},
		{"https://a.example.com/", "https://a.example.com", false, false, "GET", "", false},
		{"null", "null", true, false, "GET", "", false},
		{"null", "*", false, false, "POST", "x-a,x-b", true},
		{"http://localhost:80.evil.com", "http://localhost:*", false, false, "GET", "", false},
		{"https://a.example.com\r\nx: y", "https://*.example.com", false, true, "GET", "", false},
		{"https://[::1]:443", "https://[::1]:443", false, false, "OPTIONS", "", false},
		{"", "https://app.example.com", false, false, "GET", "", false},
		{"", "*", false, false, "PUT", "content-type", true},
	}
	for _, s := range seeds {
		f.Add(s.origin, s.pattern, s.creds, s.useFunc, s.method, s.reqHdrs, s.preflight)
	}
	f.Fuzz(func(t *testing.T, origin, pattern string, creds, useFunc bool, method, reqHdrs string, preflight bool) {
		o := cors.Options{
			AllowedMethods:   []string{"GET", "POST", "PUT"},
			AllowedHeaders:   []string{"Content-Type", "X-A", "X-B"},
			AllowCredentials: creds,
		}
		if useFunc {
			// A careless function: it allows anything that ends with the
			// pattern, so the package's own origin check must stop forgeries.
			o.AllowOriginFunc = func(s string) bool { return strings.HasSuffix(s, pattern) }
		} else {
			o.AllowedOrigins = []string{pattern}
		}
		c, err := cors.New(o)
		if err != nil {
			return
		}
		if !isToken(method) {
			return
		}
		var got map[string]string
		reqMethod := method
		var hs []header
		if preflight {
			reqMethod = http.MethodOptions
			got = c.PreflightHeaders(origin, method, reqHdrs)
			hs = []header{{"Origin", origin}, {"Access-Control-Request-Method", method}}
			if reqHdrs != "" {
				hs = append(hs, header{"Access-Control-Request-Headers", reqHdrs})
			}
		} else {
			got = c.Headers(origin, method)
			hs = []header{{"Origin", origin}}
		}

		// rs/cors on net/http with the same options and request.
		r := &http.Request{Method: reqMethod, Header: http.Header{}}
		for _, h := range hs {
			r.Header[h.name] = []string{h.value}
		}
		w := newRecorder()
		rscors.New(rsOptions(o)).Handler(okHandler).ServeHTTP(w, r)
		want := w.Header()

		acao := got["Access-Control-Allow-Origin"]
		if acao != "" {
			if rs := strings.Join(want.Values("Access-Control-Allow-Origin"), ", "); rs != acao {
				t.Fatalf("Access-Control-Allow-Origin %q, rs/cors %q", acao, rs)
			}
			if acao != "*" && acao != origin {
				t.Fatalf("Access-Control-Allow-Origin %q for origin %q", acao, origin)
			}
			if origin != "null" && !wellFormed(origin) {
				t.Fatalf("malformed origin %q allowed", origin)
			}
		}
		if got["Access-Control-Allow-Credentials"] != "" {
			if acao == "" || acao == "*" || want.Get("Access-Control-Allow-Credentials") != "true" {
				t.Fatalf("credentials allowed with %q; rs/cors %v", acao, want)
			}
		}

		// The wrappers agree with Headers.
		resp, err := c.WrapREST(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 200}, nil
		})(context.Background(), restEvent(t, reqMethod, hs, false))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Headers["Access-Control-Allow-Origin"] != acao {
			t.Fatalf("WrapREST Access-Control-Allow-Origin %q, Headers %q", resp.Headers["Access-Control-Allow-Origin"], acao)
		}
		// Vary is rs/cors's, with or without Origin.
		if v, rs := resp.Headers["Vary"], strings.Join(want.Values("Vary"), ", "); v != rs || got["Vary"] != rs {
			t.Fatalf("Vary %q (Headers %q), rs/cors %q", v, got["Vary"], rs)
		}
	})
}

// isToken reports whether s is a non-empty HTTP token, as a method is.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// wellFormed is an independent, deliberately simple statement of what a
// browser sends: lowercase scheme://host[:port] with no other characters.
func wellFormed(o string) bool {
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || scheme == "" || rest == "" || strings.ContainsAny(rest, "/?#@ \t\r\n\\") {
		return false
	}
	if strings.ToLower(o) != o {
		return false
	}
	for _, r := range o {
		if r > 0x7e || r < 0x21 {
			return false
		}
	}
	return true
}

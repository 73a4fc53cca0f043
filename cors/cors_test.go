package cors_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/cors"
)

var (
	optExact = cors.Options{
		AllowedOrigins:   []string{"https://app.example.com", "http://localhost:3000"},
		AllowedMethods:   []string{"GET", "POST", "PUT"},
		AllowedHeaders:   []string{"Authorization", "Content-Type"},
		ExposedHeaders:   []string{"X-Request-Id", "etag"},
		AllowCredentials: true,
		MaxAge:           600,
	}
	optWild = cors.Options{
		AllowedOrigins: []string{"https://*.example.com"},
		AllowedMethods: []string{"GET", "POST"},
		AllowedHeaders: []string{"Content-Type"},
	}
	optAll  = cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "PATCH"}}
	optFunc = cors.Options{
		AllowOriginFunc:  func(o string) bool { return o == "null" || strings.HasSuffix(o, ".example.org") },
		AllowCredentials: true,
	}
	optPort      = cors.Options{AllowedOrigins: []string{"http://localhost:*"}}
	optPN        = with(optExact, func(o *cors.Options) { o.AllowPrivateNetwork = true })
	optPass      = with(optExact, func(o *cors.Options) { o.OptionsPassthrough = true })
	optNull      = cors.Options{AllowedOrigins: []string{"null", "https://app.example.com"}, InsecureAllowNullOrigin: true}
	optAnyHeader = with(optExact, func(o *cors.Options) { o.AllowedHeaders = []string{"*"}; o.MaxAge = -1 })
	optDefaults  = cors.Options{AllowedOrigins: []string{"https://app.example.com"}}
	optStatus200 = with(optExact, func(o *cors.Options) { o.OptionsSuccessStatus = 200 })
	optUpper     = cors.Options{AllowedOrigins: []string{"HTTPS://App.Example.COM"}}
)

func with(o cors.Options, f func(*cors.Options)) cors.Options { f(&o); return o }

func actual(origin string) []header { return []header{{"Origin", origin}} }

func preflight(origin, method, reqHeaders string) []header {
	hs := []header{{"Origin", origin}, {"Access-Control-Request-Method", method}}
	if reqHeaders != "" {
		hs = append(hs, header{"Access-Control-Request-Headers", reqHeaders})
	}
	return hs
}

type diffCase struct {
	name    string
	opts    cors.Options
	method  string
	headers []header
	// refuse marks an origin that rs/cors accepts and this package refuses
	// because no browser sends it: the test checks that rs/cors grants it
	// and that the wrappers send only rs/cors's Vary.
	refuse bool
}

var diffCases = []diffCase{
	// Exact origins.
	{name: "exact/actual GET", opts: optExact, method: "GET", headers: actual("https://app.example.com")},
	{name: "exact/actual PUT", opts: optExact, method: "PUT", headers: actual("https://app.example.com")},
	{name: "exact/actual method not allowed", opts: optExact, method: "DELETE", headers: actual("https://app.example.com")},
	{name: "exact/actual origin not allowed", opts: optExact, method: "GET", headers: actual("https://evil.com")},
	{name: "exact/second origin with port", opts: optExact, method: "POST", headers: actual("http://localhost:3000")},
	{name: "exact/port mismatch", opts: optExact, method: "GET", headers: actual("http://localhost:3001")},
	{name: "exact/scheme mismatch", opts: optExact, method: "GET", headers: actual("http://app.example.com")},
	{name: "exact/trailing slash", opts: optExact, method: "GET", headers: actual("https://app.example.com/")},
	{name: "exact/mixed-case scheme", opts: optExact, method: "GET", headers: actual("HTTPS://app.example.com"), refuse: true},
	{name: "exact/uppercase host", opts: optExact, method: "GET", headers: actual("https://APP.example.com"), refuse: true},
	{name: "exact/userinfo", opts: optExact, method: "GET", headers: actual("https://user@app.example.com")},
	{name: "exact/suffix trick", opts: optExact, method: "GET", headers: actual("https://app.example.com.evil.net")},
	{name: "exact/prefix trick", opts: optExact, method: "GET", headers: actual("https://evilapp.example.com")},
	{name: "exact/null", opts: optExact, method: "GET", headers: actual("null")},
	{name: "exact/two origins", opts: optExact, method: "GET", headers: []header{{"Origin", "https://app.example.com"}, {"Origin", "https://evil.com"}}, refuse: true},
	{name: "exact/preflight", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "authorization,content-type")},
	{name: "exact/preflight without request headers", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "POST", "")},
	{name: "exact/preflight header not allowed", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "authorization,x-evil")},
	{name: "exact/preflight headers unsorted", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "content-type,authorization")},
	{name: "exact/preflight headers with space", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "authorization, content-type")},
	{name: "exact/preflight method not allowed", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "DELETE", "")},
	{name: "exact/preflight lowercase method", opts: optExact, method: "OPTIONS", headers: preflight("https://app.example.com", "put", "")},
	{name: "exact/preflight origin not allowed", opts: optExact, method: "OPTIONS", headers: preflight("https://evil.com", "PUT", "authorization")},
	{name: "exact/preflight split request headers", opts: optExact, method: "OPTIONS", headers: append(preflight("https://app.example.com", "PUT", "authorization"), header{"Access-Control-Request-Headers", "content-type"})},
	{name: "exact/preflight private network not enabled", opts: optExact, method: "OPTIONS", headers: append(preflight("https://app.example.com", "GET", ""), header{"Access-Control-Request-Private-Network", "true"})},
	{name: "exact/OPTIONS without request method", opts: optExact, method: "OPTIONS", headers: actual("https://app.example.com")},
	{name: "exact/OPTIONS with empty request method", opts: optExact, method: "OPTIONS", headers: []header{{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", ""}}},
	{name: "exact/preflight by GET is not a preflight", opts: optExact, method: "GET", headers: preflight("https://app.example.com", "PUT", "authorization")},

	// No Origin: the handler runs, and the response varies on Origin even
	// so (Fetch standard, "CORS protocol and HTTP caches").
	{name: "no origin/exact", opts: optExact, method: "GET"},
	{name: "no origin/exact POST", opts: optExact, method: "POST", headers: []header{{"Content-Type", "text/plain"}}},
	{name: "no origin/empty origin", opts: optExact, method: "GET", headers: []header{{"Origin", ""}}},
	{name: "no origin/OPTIONS", opts: optExact, method: "OPTIONS"},
	{name: "no origin/wildcard", opts: optWild, method: "GET"},
	{name: "no origin/every origin", opts: optAll, method: "GET"},
	{name: "no origin/origin func", opts: optFunc, method: "PUT"},
	{name: "no origin/private network", opts: optPN, method: "GET"},
	{name: "no origin/passthrough", opts: optPass, method: "OPTIONS"},

	// Subdomain wildcard.
	{name: "wild/subdomain", opts: optWild, method: "GET", headers: actual("https://api.example.com")},
	{name: "wild/deeper subdomain", opts: optWild, method: "GET", headers: actual("https://a.b.example.com")},
	{name: "wild/apex not matched", opts: optWild, method: "GET", headers: actual("https://example.com")},
	{name: "wild/prefix trick", opts: optWild, method: "GET", headers: actual("https://evilexample.com")},
	{name: "wild/suffix trick", opts: optWild, method: "GET", headers: actual("https://example.com.evil.net")},
	{name: "wild/subdomain suffix trick", opts: optWild, method: "GET", headers: actual("https://api.example.com.evil.net")},
	{name: "wild/userinfo", opts: optWild, method: "GET", headers: actual("https://user@api.example.com"), refuse: true},
	{name: "wild/userinfo with evil host", opts: optWild, method: "GET", headers: actual("https://evil.com@x.example.com"), refuse: true},
	{name: "wild/path", opts: optWild, method: "GET", headers: actual("https://evil.com/.example.com"), refuse: true},
	{name: "wild/empty label", opts: optWild, method: "GET", headers: actual("https://.example.com"), refuse: true},
	{name: "wild/mixed-case scheme", opts: optWild, method: "GET", headers: actual("HTTPS://api.example.com"), refuse: true},
	{name: "wild/trailing slash", opts: optWild, method: "GET", headers: actual("https://api.example.com/")},
	{name: "wild/port", opts: optWild, method: "GET", headers: actual("https://api.example.com:8443")},
	{name: "wild/scheme", opts: optWild, method: "GET", headers: actual("http://api.example.com")},
	{name: "wild/preflight", opts: optWild, method: "OPTIONS", headers: preflight("https://api.example.com", "POST", "content-type")},
	{name: "wild/preflight suffix trick", opts: optWild, method: "OPTIONS", headers: preflight("https://example.com.evil.net", "POST", "content-type")},

	// Every origin.
	{name: "all/actual", opts: optAll, method: "GET", headers: actual("https://anything.test")},
	{name: "all/preflight", opts: optAll, method: "OPTIONS", headers: preflight("https://anything.test", "PATCH", "x-custom")},
	{name: "all/preflight default headers", opts: optAll, method: "OPTIONS", headers: preflight("https://anything.test", "PATCH", "content-type")},
	{name: "all/null", opts: optAll, method: "GET", headers: actual("null")},
	{name: "all/malformed origin", opts: optAll, method: "GET", headers: actual("https://evil.com/x"), refuse: true},
	{name: "all/chrome extension", opts: optAll, method: "GET", headers: actual("chrome-extension://abcdefghijklmnop")},

	// AllowOriginFunc.
	{name: "func/allowed", opts: optFunc, method: "GET", headers: actual("https://x.example.org")},
	{name: "func/refused", opts: optFunc, method: "GET", headers: actual("https://example.org")},
	{name: "func/null without opt-in", opts: optFunc, method: "GET", headers: actual("null"), refuse: true},
	{name: "func/malformed", opts: optFunc, method: "GET", headers: actual("https://x.example.org/"), refuse: false},
	{name: "func/userinfo", opts: optFunc, method: "GET", headers: actual("https://a@x.example.org"), refuse: true},
	{name: "func/preflight", opts: optFunc, method: "OPTIONS", headers: preflight("https://x.example.org", "POST", "accept")},

	// Port wildcard.
	{name: "port/any port", opts: optPort, method: "GET", headers: actual("http://localhost:5173")},
	{name: "port/no port", opts: optPort, method: "GET", headers: actual("http://localhost")},
	{name: "port/host after port", opts: optPort, method: "GET", headers: actual("http://localhost:5173.evil.com"), refuse: true},
	{name: "port/not a number", opts: optPort, method: "GET", headers: actual("http://localhost:evil"), refuse: true},

	// Private network access.
	{name: "pn/preflight", opts: optPN, method: "OPTIONS", headers: append(preflight("https://app.example.com", "GET", ""), header{"Access-Control-Request-Private-Network", "true"})},
	{name: "pn/preflight without request", opts: optPN, method: "OPTIONS", headers: preflight("https://app.example.com", "GET", "")},
	{name: "pn/refused origin", opts: optPN, method: "OPTIONS", headers: append(preflight("https://evil.com", "GET", ""), header{"Access-Control-Request-Private-Network", "true"})},
	{name: "pn/actual", opts: optPN, method: "GET", headers: actual("https://app.example.com")},

	// OptionsPassthrough.
	{name: "pass/preflight", opts: optPass, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "content-type")},
	{name: "pass/refused preflight", opts: optPass, method: "OPTIONS", headers: preflight("https://evil.com", "PUT", "content-type")},

	// The null origin, opted in.
	{name: "null/allowed", opts: optNull, method: "GET", headers: actual("null")},
	{name: "null/other origin", opts: optNull, method: "GET", headers: actual("https://app.example.com")},
	{name: "null/preflight", opts: optNull, method: "OPTIONS", headers: preflight("null", "POST", "content-type")},

	// Other options.
	{name: "anyheader/preflight", opts: optAnyHeader, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "x-anything,x-other")},
	{name: "defaults/preflight", opts: optDefaults, method: "OPTIONS", headers: preflight("https://app.example.com", "POST", "content-type")},
	{name: "defaults/preflight PUT", opts: optDefaults, method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "")},
	{name: "defaults/actual", opts: optDefaults, method: "HEAD", headers: actual("https://app.example.com")},
	{name: "status200/preflight", opts: optStatus200, method: "OPTIONS", headers: preflight("https://app.example.com", "GET", "")},
	{name: "status200/refused preflight", opts: optStatus200, method: "OPTIONS", headers: preflight("https://evil.com", "GET", "")},
	{name: "upper config/allowed", opts: optUpper, method: "GET", headers: actual("https://app.example.com")},
}

// TestDifferential sends every case through rs/cors on net/http and
// through every wrapper, and compares status, whether the handler ran and
// the CORS response headers.
func TestDifferential(t *testing.T) {
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cors.New(tc.opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			want := viaRSCors(t, tc.opts, tc.method, tc.headers)
			if tc.refuse {
				if want.get("Access-Control-Allow-Origin") == "" {
					t.Fatalf("rs/cors refuses too; the case is not a refusal of ours: %v", want.h)
				}
				want.h = map[string]string{"Vary": want.get("Vary")}
			}
			repeats := false
			seen := map[string]bool{}
			for _, h := range tc.headers {
				repeats = repeats || seen[h.name]
				seen[h.name] = true
			}
			for _, tr := range transports {
				if repeats && !tr.repeats {
					continue
				}
				t.Run(tr.name, func(t *testing.T) {
					got := tr.run(t, c, tc.method, tc.headers)
					if !equalResults(got, want) {
						t.Errorf("got  status %d called %v %v\nwant status %d called %v %v (rs/cors)",
							got.status, got.called, got.h, want.status, want.called, want.h)
					}
				})
			}
		})
	}
}

// TestNoOrigin checks that a request without Origin reaches the handler and
// comes back as the handler answered plus the Vary that rs/cors sends (and
// without Access-Control-* headers, which the wrapper owns), and that a
// handler error comes back unchanged.
func TestNoOrigin(t *testing.T) {
	errBoom := context.DeadlineExceeded
	const preVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	tests := []struct {
		name    string
		opts    cors.Options
		method  string
		headers []header
		handler map[string]string // the handler's headers besides A: b
		fail    bool
		want    map[string]string // response headers besides A: b
	}{
		{name: "GET", opts: optExact, method: "GET", want: map[string]string{"Vary": "Origin"}},
		{name: "empty origin", opts: optExact, method: "GET", headers: []header{{"Origin", ""}},
			want: map[string]string{"Vary": "Origin"}},
		{name: "wildcard", opts: optWild, method: "POST", want: map[string]string{"Vary": "Origin"}},
		{name: "every origin", opts: optAll, method: "GET", want: map[string]string{"Vary": "Origin"}},
		{name: "origin func", opts: optFunc, method: "GET", want: map[string]string{"Vary": "Origin"}},
		{name: "OPTIONS with request method", opts: optExact, method: "OPTIONS",
			headers: []header{{"Access-Control-Request-Method", "PUT"}}, want: map[string]string{"Vary": preVary}},
		{name: "OPTIONS without request method", opts: optExact, method: "OPTIONS", want: map[string]string{"Vary": "Origin"}},
		{name: "handler Vary kept", opts: optExact, method: "GET", handler: map[string]string{"vary": "Accept-Encoding"},
			want: map[string]string{"Vary": "Accept-Encoding, Origin"}},
		{name: "handler Vary: Origin not repeated", opts: optExact, method: "GET", handler: map[string]string{"Vary": "Origin"},
			want: map[string]string{"Vary": "Origin"}},
		{name: "handler CORS headers removed", opts: optExact, method: "GET",
			handler: map[string]string{"Access-Control-Allow-Origin": "*", "access-control-allow-credentials": "true"},
			want:    map[string]string{"Vary": "Origin"}},
		{name: "handler error", opts: optExact, method: "POST", fail: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cors.New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			single := func() map[string]string {
				m := map[string]string{"A": "b"}
				for k, v := range tc.handler {
					m[k] = v
				}
				return m
			}
			multi := func() map[string][]string {
				m := map[string][]string{"A": {"b"}}
				for k, v := range tc.handler {
					m[k] = []string{v}
				}
				return m
			}
			t.Run("REST", func(t *testing.T) {
				resp, err := c.WrapREST(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
					if tc.fail {
						return events.APIGatewayProxyResponse{}, errBoom
					}
					return events.APIGatewayProxyResponse{StatusCode: 201, Headers: single(), MultiValueHeaders: multi(), Body: "x"}, nil
				})(context.Background(), restEvent(t, tc.method, tc.headers, false))
				checkNoOrigin(t, tc.fail, err, errBoom, resp.StatusCode, resp.Headers, tc.want)
				if !tc.fail {
					checkNoOrigin(t, tc.fail, err, errBoom, resp.StatusCode, joinMulti(resp.MultiValueHeaders), tc.want)
				}
			})
			t.Run("HTTPAPI", func(t *testing.T) {
				resp, err := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
					if tc.fail {
						return events.APIGatewayV2HTTPResponse{}, errBoom
					}
					return events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: single(), Body: "x"}, nil
				})(context.Background(), httpAPIEvent(t, tc.method, tc.headers))
				checkNoOrigin(t, tc.fail, err, errBoom, resp.StatusCode, resp.Headers, tc.want)
				if len(resp.MultiValueHeaders) != 0 {
					t.Errorf("MultiValueHeaders = %v, want none", resp.MultiValueHeaders)
				}
			})
			for _, mode := range []string{"ALB", "ALB/multi"} {
				multiMode := mode == "ALB/multi"
				t.Run(mode, func(t *testing.T) {
					resp, err := c.WrapALB(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
						if tc.fail {
							return events.ALBTargetGroupResponse{}, errBoom
						}
						r := events.ALBTargetGroupResponse{StatusCode: 201, Body: "x"}
						if multiMode {
							r.MultiValueHeaders = multi()
						} else {
							r.Headers = single()
						}
						return r, nil
					})(context.Background(), albEvent(t, tc.method, tc.headers, multiMode))
					if multiMode {
						checkNoOrigin(t, tc.fail, err, errBoom, resp.StatusCode, joinMulti(resp.MultiValueHeaders), tc.want)
						if len(resp.Headers) != 0 {
							t.Errorf("Headers = %v, want none in multi-value mode", resp.Headers)
						}
					} else {
						checkNoOrigin(t, tc.fail, err, errBoom, resp.StatusCode, resp.Headers, tc.want)
						if len(resp.MultiValueHeaders) != 0 {
							t.Errorf("MultiValueHeaders = %v, want none in single-value mode", resp.MultiValueHeaders)
						}
					}
				})
			}
		})
	}
}

// joinMulti flattens multi-value headers, joining each header's values with
// ", ".
func joinMulti(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// checkNoOrigin checks a wrapper's answer to a request without Origin: the
// handler's error unchanged when fail is set, otherwise status 201 with the
// header A: b and exactly the headers of want.
func checkNoOrigin(t *testing.T, fail bool, err, wantErr error, status int, hs, want map[string]string) {
	t.Helper()
	if fail {
		if err != wantErr {
			t.Fatalf("err = %v, want the handler's error unchanged", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	w := map[string]string{"A": "b"}
	for k, v := range want {
		w[k] = v
	}
	if status != 201 || !maps.Equal(hs, w) {
		t.Errorf("got status %d headers %v\nwant status 201 headers %v", status, hs, w)
	}
}

// TestOriginFuncSeesOnlyWellFormedOrigins checks that AllowOriginFunc is
// never asked about an origin that no browser sends.
func TestOriginFuncSeesOnlyWellFormedOrigins(t *testing.T) {
	var asked []string
	c, err := cors.New(cors.Options{AllowOriginFunc: func(o string) bool { asked = append(asked, o); return true }})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"null", "HTTPS://a.test", "https://a.test/", "https://u@a.test", "https://a.test:0x1", "https://a.test?x", "a.test"} {
		if h := c.Headers(o, http.MethodGet); h["Access-Control-Allow-Origin"] != "" {
			t.Errorf("Headers(%q) allowed it: %v", o, h)
		}
	}
	if len(asked) != 0 {
		t.Errorf("AllowOriginFunc asked about %q", asked)
	}
	if h := c.Headers("https://a.test", http.MethodGet); h["Access-Control-Allow-Origin"] != "https://a.test" || len(asked) != 1 {
		t.Errorf("well-formed origin: %v, asked %q", h, asked)
	}
}

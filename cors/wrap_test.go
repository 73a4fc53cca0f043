package cors_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/cors"
)

// fixtureOptions is the policy of the fixture tests.
var fixtureOptions = cors.Options{
	AllowedOrigins:   []string{"https://app.example.com"},
	AllowedMethods:   []string{"GET", "POST", "PUT"},
	AllowedHeaders:   []string{"Authorization", "Content-Type"},
	ExposedHeaders:   []string{"X-Request-Id"},
	AllowCredentials: true,
	MaxAge:           300,
}

var (
	wantPreflight = map[string]string{
		"Vary":                             "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
		"Access-Control-Allow-Origin":      "https://app.example.com",
		"Access-Control-Allow-Methods":     "PUT",
		"Access-Control-Allow-Headers":     "authorization,content-type",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Max-Age":           "300",
	}
	wantActual = map[string]string{
		"Vary":                             "Origin",
		"Access-Control-Allow-Origin":      "https://app.example.com",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Expose-Headers":    "X-Request-Id",
	}
	wantRefusedPreflight = map[string]string{"Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}
	wantRefusedActual    = map[string]string{"Vary": "Origin"}
)

// withHandler returns want plus the header the handlers below set.
func withHandler(want map[string]string) map[string]string {
	out := map[string]string{"Content-Type": "application/json"}
	for k, v := range want {
		out[k] = v
	}
	return out
}

func flatten(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// fixtureCase is one request in the fixture tests.
type fixtureCase struct {
	name       string
	method     string
	headers    []header
	wantStatus int
	wantCalled bool
	want       map[string]string // every response header
}

var fixtureCases = []fixtureCase{
	{name: "preflight", method: "OPTIONS", headers: preflight("https://app.example.com", "PUT", "authorization,content-type"),
		wantStatus: 204, want: wantPreflight},
	{name: "refused preflight", method: "OPTIONS", headers: preflight("https://evil.example.net", "PUT", "authorization"),
		wantStatus: 204, want: wantRefusedPreflight},
	{name: "actual", method: "POST", headers: actual("https://app.example.com"),
		wantStatus: 200, wantCalled: true, want: withHandler(wantActual)},
	{name: "refused actual", method: "POST", headers: actual("https://evil.example.net"),
		wantStatus: 200, wantCalled: true, want: withHandler(wantRefusedActual)},
}

// TestREST runs preflight and actual requests built from a real REST API
// event through WrapREST.
func TestREST(t *testing.T) {
	c := mustNew(t, fixtureOptions)
	for _, tc := range fixtureCases {
		t.Run(tc.name, func(t *testing.T) {
			e := restEvent(t, tc.method, tc.headers, false)
			orig := restEvent(t, tc.method, tc.headers, false)
			called := false
			resp, err := c.WrapREST(func(_ context.Context, got events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
				called = true
				if !reflect.DeepEqual(got, orig) {
					t.Error("the handler got a changed event")
				}
				return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}"}, nil
			})(context.Background(), e)
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, tc, called, resp.StatusCode, resp.Headers)
			checkBothMaps(t, resp.Headers, resp.MultiValueHeaders)
		})
	}
}

// TestHTTPAPI runs preflight and actual requests built from a real HTTP API
// event through WrapHTTPAPI.
func TestHTTPAPI(t *testing.T) {
	c := mustNew(t, fixtureOptions)
	for _, tc := range fixtureCases {
		t.Run(tc.name, func(t *testing.T) {
			orig := httpAPIEvent(t, tc.method, tc.headers)
			called := false
			resp, err := c.WrapHTTPAPI(func(_ context.Context, got events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				called = true
				if !reflect.DeepEqual(got, orig) {
					t.Error("the handler got a changed event")
				}
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: "{}", Cookies: []string{"a=b"}}, nil
			})(context.Background(), httpAPIEvent(t, tc.method, tc.headers))
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, tc, called, resp.StatusCode, resp.Headers)
			if len(resp.MultiValueHeaders) != 0 {
				t.Errorf("MultiValueHeaders = %v, want none", resp.MultiValueHeaders)
			}
			if called && (len(resp.Cookies) != 1 || resp.Body != "{}") {
				t.Errorf("handler's cookies or body lost: %+v", resp)
			}
		})
	}
}

// TestALB runs preflight and actual requests built from real ALB events,
// with multi-value headers off and on, through WrapALB.
func TestALB(t *testing.T) {
	c := mustNew(t, fixtureOptions)
	for _, multi := range []bool{false, true} {
		mode := "single"
		if multi {
			mode = "multi"
		}
		for _, tc := range fixtureCases {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				orig := albEvent(t, tc.method, tc.headers, multi)
				called := false
				resp, err := c.WrapALB(func(_ context.Context, got events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
					called = true
					if !reflect.DeepEqual(got, orig) {
						t.Error("the handler got a changed event")
					}
					r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "{}"}
					if multi {
						r.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
					} else {
						r.Headers = map[string]string{"Content-Type": "application/json"}
					}
					return r, nil
				})(context.Background(), albEvent(t, tc.method, tc.headers, multi))
				if err != nil {
					t.Fatal(err)
				}
				wantDesc := "200 OK"
				if tc.wantStatus == 204 {
					wantDesc = "204 No Content"
				}
				if resp.StatusDescription != wantDesc {
					t.Errorf("StatusDescription = %q, want %q", resp.StatusDescription, wantDesc)
				}
				if multi {
					if len(resp.Headers) != 0 {
						t.Errorf("Headers = %v, want none in multi-value mode", resp.Headers)
					}
					checkResponse(t, tc, called, resp.StatusCode, flatten(resp.MultiValueHeaders))
				} else {
					if len(resp.MultiValueHeaders) != 0 {
						t.Errorf("MultiValueHeaders = %v, want none in single-value mode", resp.MultiValueHeaders)
					}
					checkResponse(t, tc, called, resp.StatusCode, resp.Headers)
				}
			})
		}
	}
}

// checkBothMaps checks that a REST response carries every CORS header in
// both maps with the same value.
func checkBothMaps(t *testing.T, single map[string]string, multi map[string][]string) {
	t.Helper()
	a, b := fromSingle(0, single, false), fromMulti(0, multi, false)
	if !reflect.DeepEqual(a.h, b.h) {
		t.Errorf("CORS headers differ: Headers %v, MultiValueHeaders %v", a.h, b.h)
	}
}

func mustNew(t testing.TB, o cors.Options) *cors.CORS {
	t.Helper()
	c, err := cors.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkResponse(t *testing.T, tc fixtureCase, called bool, status int, got map[string]string) {
	t.Helper()
	if called != tc.wantCalled {
		t.Errorf("handler called = %v, want %v", called, tc.wantCalled)
	}
	if status != tc.wantStatus {
		t.Errorf("status = %d, want %d", status, tc.wantStatus)
	}
	if !reflect.DeepEqual(got, tc.want) {
		t.Errorf("headers\n got %v\nwant %v", got, tc.want)
	}
}

var errHandler = errors.New("db password rejected")

// TestHandlerErrorsAndClientErrors checks that a handler error becomes a
// 500 with CORS headers (and is reported), and that 4xx answers keep their
// status and body and get CORS headers.
func TestHandlerErrorsAndClientErrors(t *testing.T) {
	var reported []error
	o := fixtureOptions
	o.OnHandlerError = func(_ context.Context, err error) { reported = append(reported, err) }
	c := mustNew(t, o)
	type outcome struct {
		status int
		body   string
		h      map[string]string
	}
	runs := []struct {
		name string
		run  func(status int, err error) outcome
	}{
		{name: "REST", run: func(status int, err error) outcome {
			resp, rerr := c.WrapREST(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
				return events.APIGatewayProxyResponse{StatusCode: status, Body: "denied"}, err
			})(context.Background(), restEvent(t, "GET", actual("https://app.example.com"), false))
			if rerr != nil {
				t.Fatalf("wrapper returned %v", rerr)
			}
			checkBothMaps(t, resp.Headers, resp.MultiValueHeaders)
			return outcome{resp.StatusCode, resp.Body, resp.Headers}
		}},
		{name: "HTTPAPI", run: func(status int, err error) outcome {
			resp, rerr := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: "denied"}, err
			})(context.Background(), httpAPIEvent(t, "GET", actual("https://app.example.com")))
			if rerr != nil {
				t.Fatalf("wrapper returned %v", rerr)
			}
			return outcome{resp.StatusCode, resp.Body, resp.Headers}
		}},
		{name: "ALB", run: func(status int, err error) outcome {
			resp, rerr := c.WrapALB(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
				return events.ALBTargetGroupResponse{StatusCode: status, Body: "denied"}, err
			})(context.Background(), albEvent(t, "GET", actual("https://app.example.com"), false))
			if rerr != nil {
				t.Fatalf("wrapper returned %v", rerr)
			}
			return outcome{resp.StatusCode, resp.Body, resp.Headers}
		}},
		{name: "ALB/multi", run: func(status int, err error) outcome {
			resp, rerr := c.WrapALB(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
				return events.ALBTargetGroupResponse{StatusCode: status, Body: "denied"}, err
			})(context.Background(), albEvent(t, "GET", actual("https://app.example.com"), true))
			if rerr != nil {
				t.Fatalf("wrapper returned %v", rerr)
			}
			return outcome{resp.StatusCode, resp.Body, flatten(resp.MultiValueHeaders)}
		}},
	}
	tests := []struct {
		name       string
		status     int
		err        error
		wantStatus int
		wantBody   string
		wantType   string
	}{
		{name: "handler error", err: errHandler, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantType: "application/json"},
		{name: "wrapped handler error", status: 200, err: errors.Join(errHandler, context.Canceled), wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`, wantType: "application/json"},
		{name: "400", status: 400, wantStatus: 400, wantBody: "denied"},
		{name: "401", status: 401, wantStatus: 401, wantBody: "denied"},
		{name: "403", status: 403, wantStatus: 403, wantBody: "denied"},
		{name: "404", status: 404, wantStatus: 404, wantBody: "denied"},
		{name: "503", status: 503, wantStatus: 503, wantBody: "denied"},
	}
	for _, tc := range tests {
		for _, r := range runs {
			t.Run(tc.name+"/"+r.name, func(t *testing.T) {
				reported = nil
				got := r.run(tc.status, tc.err)
				if got.status != tc.wantStatus || got.body != tc.wantBody {
					t.Errorf("status %d body %q, want %d %q", got.status, got.body, tc.wantStatus, tc.wantBody)
				}
				if strings.Contains(got.body, "password") {
					t.Errorf("the handler's error text reached the client: %q", got.body)
				}
				want := map[string]string{}
				for k, v := range wantActual {
					want[k] = v
				}
				if tc.wantType != "" {
					want["Content-Type"] = tc.wantType
				}
				if !reflect.DeepEqual(got.h, want) {
					t.Errorf("headers\n got %v\nwant %v", got.h, want)
				}
				if tc.err == nil {
					if len(reported) != 0 {
						t.Errorf("OnHandlerError called with %v", reported)
					}
				} else if len(reported) != 1 || !errors.Is(reported[0], errHandler) {
					t.Errorf("OnHandlerError got %v, want the handler's error", reported)
				}
			})
		}
	}
}

// TestHandlerErrorDefaultLog checks that without OnHandlerError the
// handler's error goes to slog's default logger.
func TestHandlerErrorDefaultLog(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	c := mustNew(t, fixtureOptions)
	resp, err := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{}, errHandler
	})(context.Background(), httpAPIEvent(t, "GET", actual("https://app.example.com")))
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("got %d, %v", resp.StatusCode, err)
	}
	if !strings.Contains(buf.String(), "level=ERROR") || !strings.Contains(buf.String(), errHandler.Error()) {
		t.Errorf("log = %q", buf.String())
	}
}

// TestMergeWithHandlerHeaders checks how the wrappers combine their headers
// with CORS headers the handler set itself, in any case and in either map.
func TestMergeWithHandlerHeaders(t *testing.T) {
	c := mustNew(t, fixtureOptions)
	handlerSingle := func() map[string]string {
		return map[string]string{
			"vary":                        "Accept-Encoding",
			"access-control-allow-origin": "*",
			"ACCESS-CONTROL-MAX-AGE":      "99999",
			"X-Other":                     "kept",
		}
	}
	handlerMulti := func() map[string][]string {
		return map[string][]string{
			"Vary":                             {"Accept-Encoding", "Cookie"},
			"Access-Control-Allow-Credentials": {"true"},
			"Set-Cookie":                       {"a=1", "b=2"},
		}
	}
	tests := []struct {
		name   string
		origin string
		want   map[string]string
	}{
		{name: "allowed", origin: "https://app.example.com", want: map[string]string{
			"Vary":                             "Accept-Encoding, Cookie, Origin",
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers":    "X-Request-Id",
			"X-Other":                          "kept",
			"Set-Cookie":                       "a=1, b=2",
		}},
		{name: "refused", origin: "https://evil.example.net", want: map[string]string{
			"Vary":       "Accept-Encoding, Cookie, Origin",
			"X-Other":    "kept",
			"Set-Cookie": "a=1, b=2",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/REST", func(t *testing.T) {
			resp, err := c.WrapREST(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
				return events.APIGatewayProxyResponse{StatusCode: 200, Headers: handlerSingle(), MultiValueHeaders: handlerMulti()}, nil
			})(context.Background(), restEvent(t, "GET", actual(tc.origin), false))
			if err != nil {
				t.Fatal(err)
			}
			// API Gateway merges the two maps; so does this check.
			got := flatten(resp.MultiValueHeaders)
			for k, v := range resp.Headers {
				if mv, ok := got[k]; ok && mv != v {
					t.Errorf("%s: Headers %q, MultiValueHeaders %q", k, v, mv)
				}
				got[k] = v
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("headers\n got %v\nwant %v", got, tc.want)
			}
			if v := resp.MultiValueHeaders["Vary"]; len(v) != 3 {
				t.Errorf("MultiValueHeaders Vary = %q, want three values", v)
			}
		})
		t.Run(tc.name+"/HTTPAPI", func(t *testing.T) {
			resp, err := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				h := handlerSingle()
				h["Vary"] = "Cookie"
				h["Set-Cookie"] = "a=1, b=2"
				return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: h}, nil
			})(context.Background(), httpAPIEvent(t, "GET", actual(tc.origin)))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for k, v := range tc.want {
				want[k] = v
			}
			if want["Access-Control-Allow-Credentials"] != "" {
				want["Access-Control-Allow-Credentials"] = "true"
			}
			if !reflect.DeepEqual(resp.Headers, want) {
				// The order of the handler's two Vary entries is the map's.
				alt := strings.Replace(resp.Headers["Vary"], "Cookie, Accept-Encoding", "Accept-Encoding, Cookie", 1)
				resp.Headers["Vary"] = alt
				if !reflect.DeepEqual(resp.Headers, want) {
					t.Errorf("headers\n got %v\nwant %v", resp.Headers, want)
				}
			}
		})
	}
}

// TestPassthrough checks OptionsPassthrough: the handler answers the
// preflight and the wrapper adds the preflight headers.
func TestPassthrough(t *testing.T) {
	o := fixtureOptions
	o.OptionsPassthrough = true
	c := mustNew(t, o)
	called := false
	resp, err := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		called = true
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Allow": "GET, PUT"}}, nil
	})(context.Background(), httpAPIEvent(t, "OPTIONS", preflight("https://app.example.com", "PUT", "authorization,content-type")))
	if err != nil || !called || resp.StatusCode != 200 {
		t.Fatalf("called %v, status %d, err %v", called, resp.StatusCode, err)
	}
	want := map[string]string{"Allow": "GET, PUT"}
	for k, v := range wantPreflight {
		want[k] = v
	}
	if !reflect.DeepEqual(resp.Headers, want) {
		t.Errorf("headers\n got %v\nwant %v", resp.Headers, want)
	}
}

// TestHeaders checks Headers and PreflightHeaders against the wrappers'
// answers.
func TestHeaders(t *testing.T) {
	c := mustNew(t, fixtureOptions)
	tests := []struct {
		name string
		got  map[string]string
		want map[string]string
	}{
		{name: "actual", got: c.Headers("https://app.example.com", "POST"), want: wantActual},
		{name: "actual refused", got: c.Headers("https://evil.example.net", "POST"), want: wantRefusedActual},
		{name: "actual method refused", got: c.Headers("https://app.example.com", "DELETE"), want: wantRefusedActual},
		{name: "actual without origin", got: c.Headers("", "POST"), want: map[string]string{"Vary": "Origin"}},
		{name: "preflight", got: c.PreflightHeaders("https://app.example.com", "PUT", "authorization,content-type"), want: wantPreflight},
		{name: "preflight refused", got: c.PreflightHeaders("https://app.example.com", "PUT", "x-evil"), want: wantRefusedPreflight},
		{name: "preflight without origin", got: c.PreflightHeaders("", "PUT", ""), want: wantRefusedPreflight},
		{name: "preflight without method", got: c.PreflightHeaders("https://app.example.com", "", ""), want: map[string]string{
			"Vary":                             "Origin",
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers":    "X-Request-Id",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got  %v\nwant %v", tc.got, tc.want)
			}
		})
	}
}

// TestConcurrent runs allowed, refused and cache-evicting requests from
// many goroutines at once (run it with -race); every answer must be the one
// a lone request gets.
func TestConcurrent(t *testing.T) {
	o := fixtureOptions
	o.AllowedOrigins = []string{"https://app.example.com", "https://*.preview.example.com"}
	c := mustNew(t, o)
	h := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	})
	const workers, rounds = 8, 300
	errs := make(chan string, workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer func() { errs <- "" }()
			for i := 0; i < rounds; i++ {
				var origin string
				allowed := true
				switch i % 3 {
				case 0:
					origin = "https://app.example.com"
				case 1:
					origin = "https://pr-" + string(rune('a'+w)) + strings.Repeat("x", i%50) + ".preview.example.com"
				default:
					origin, allowed = "https://evil"+strings.Repeat("y", i%40)+".test", false
				}
				method, hs := "GET", actual(origin)
				if i%2 == 1 {
					method, hs = "OPTIONS", preflight(origin, "PUT", "content-type")
				}
				var e events.APIGatewayV2HTTPRequest
				e.RequestContext.HTTP.Method = method
				e.Headers = map[string]string{}
				for _, kv := range hs {
					e.Headers[strings.ToLower(kv.name)] = kv.value
				}
				resp, err := h(context.Background(), e)
				got := resp.Headers["Access-Control-Allow-Origin"]
				if err != nil || (allowed && got != origin) || (!allowed && got != "") {
					errs <- origin + " got " + got
					return
				}
				if allowed && method == "OPTIONS" && resp.Headers["Access-Control-Allow-Headers"] != "content-type" {
					errs <- origin + " lost its preflight headers"
					return
				}
			}
		}()
	}
	for w := 0; w < workers; w++ {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

// TestVaryNotRepeated checks that a handler's own Vary: Origin is not
// repeated.
func TestVaryNotRepeated(t *testing.T) {
	c := mustNew(t, fixtureOptions)
	resp, err := c.WrapHTTPAPI(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"vary": "Origin"}}, nil
	})(context.Background(), httpAPIEvent(t, "GET", actual("https://app.example.com")))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := resp.Headers["vary"]; ok || resp.Headers["Vary"] != "Origin" {
		t.Errorf("Vary = %q (lowercase %q)", resp.Headers["Vary"], v)
	}
}

package cors_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	rscors "github.com/rs/cors"

	"github.com/seclambda/seclambda/cors"
)

// corsHeaders are the response headers compared between rs/cors and the
// wrappers.
var corsHeaders = []string{
	"Vary",
	"Access-Control-Allow-Origin",
	"Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers",
	"Access-Control-Allow-Credentials",
	"Access-Control-Allow-Private-Network",
	"Access-Control-Max-Age",
	"Access-Control-Expose-Headers",
}

// header is one request header line; a name may repeat.
type header struct{ name, value string }

// result is a response reduced to what the differential tests compare.
type result struct {
	status int
	h      map[string]string // CORS header name -> values joined with ", "
	called bool              // the handler ran
}

func (r result) get(name string) string { return r.h[name] }

// rsOptions translates Options into rs/cors options field by field,
// without any of the package's own processing.
func rsOptions(o cors.Options) rscors.Options {
	return rscors.Options{
		AllowedOrigins:       o.AllowedOrigins,
		AllowOriginFunc:      o.AllowOriginFunc,
		AllowedMethods:       o.AllowedMethods,
		AllowedHeaders:       o.AllowedHeaders,
		ExposedHeaders:       o.ExposedHeaders,
		MaxAge:               o.MaxAge,
		AllowCredentials:     o.AllowCredentials,
		AllowPrivateNetwork:  o.AllowPrivateNetwork,
		OptionsPassthrough:   o.OptionsPassthrough,
		OptionsSuccessStatus: o.OptionsSuccessStatus,
	}
}

// okHandler is the net/http twin of the event handlers below: 200, "ok".
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Handler", "yes")
	_, _ = w.Write([]byte("ok"))
})

// viaRSCors sends the request through rs/cors in front of okHandler with
// net/http's own request and response types.
func viaRSCors(t testing.TB, o cors.Options, method string, hs []header) result {
	t.Helper()
	r, err := http.NewRequest(method, "https://api.example.com/items", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		r.Header.Add(h.name, h.value)
	}
	w := newRecorder()
	rscors.New(rsOptions(o)).Handler(okHandler).ServeHTTP(w, r)
	res := result{status: w.status, h: map[string]string{}, called: w.Header().Get("X-Handler") != ""}
	if res.status == 0 {
		res.status = http.StatusOK
	}
	for _, n := range corsHeaders {
		if v := w.Header().Values(n); len(v) > 0 {
			res.h[n] = strings.Join(v, ", ")
		}
	}
	return res
}

// recorder is a minimal http.ResponseWriter for the rs/cors side.
type recorder struct {
	h      http.Header
	status int
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (w *recorder) Header() http.Header         { return w.h }
func (w *recorder) Write(b []byte) (int, error) { w.WriteHeader(http.StatusOK); return len(b), nil }
func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

// loadJSON decodes testdata/name into v.
func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// transport turns a method and request headers into one event type, runs
// it through the matching wrapper around a handler answering 200 "ok", and
// reduces the response.
type transport struct {
	name string
	// repeats is false for event sources that keep only one value of a
	// repeated header (ALB without multi-value headers keeps the last).
	repeats bool
	run     func(t testing.TB, c *cors.CORS, method string, hs []header) result
}

func restEvent(t testing.TB, method string, hs []header, lower bool) events.APIGatewayProxyRequest {
	t.Helper()
	var e events.APIGatewayProxyRequest
	loadJSON(t, "apigw-request.json", &e)
	e.HTTPMethod = method
	for _, h := range hs {
		n := h.name
		if lower {
			n = strings.ToLower(n)
		}
		e.Headers[n] = h.value
		e.MultiValueHeaders[n] = append(e.MultiValueHeaders[n], h.value)
	}
	return e
}

func httpAPIEvent(t testing.TB, method string, hs []header) events.APIGatewayV2HTTPRequest {
	t.Helper()
	var e events.APIGatewayV2HTTPRequest
	loadJSON(t, "apigw-v2-request-no-authorizer.json", &e)
	e.RequestContext.HTTP.Method = method
	for _, h := range hs {
		n := strings.ToLower(h.name)
		if v, ok := e.Headers[n]; ok {
			e.Headers[n] = v + "," + h.value // HTTP API joins repeated headers
		} else {
			e.Headers[n] = h.value
		}
	}
	return e
}

func albEvent(t testing.TB, method string, hs []header, multi bool) events.ALBTargetGroupRequest {
	t.Helper()
	var e events.ALBTargetGroupRequest
	if multi {
		loadJSON(t, "alb-lambda-target-request-multivalue-headers.json", &e)
	} else {
		loadJSON(t, "alb-lambda-target-request-headers-only.json", &e)
	}
	e.HTTPMethod = method
	for _, h := range hs {
		n := strings.ToLower(h.name)
		if multi {
			e.MultiValueHeaders[n] = append(e.MultiValueHeaders[n], h.value)
		} else {
			e.Headers[n] = h.value
		}
	}
	return e
}

func fromSingle(status int, hs map[string]string, called bool) result {
	res := result{status: status, h: map[string]string{}, called: called}
	for k, v := range hs {
		for _, n := range corsHeaders {
			if strings.EqualFold(k, n) {
				res.h[n] = v
			}
		}
	}
	return res
}

func fromMulti(status int, hs map[string][]string, called bool) result {
	res := result{status: status, h: map[string]string{}, called: called}
	for k, v := range hs {
		for _, n := range corsHeaders {
			if strings.EqualFold(k, n) {
				res.h[n] = strings.Join(v, ", ")
			}
		}
	}
	return res
}

var transports = []transport{
	{name: "REST", repeats: true, run: func(t testing.TB, c *cors.CORS, method string, hs []header) result {
		return runREST(t, c, restEvent(t, method, hs, false))
	}},
	{name: "REST/lowercase", repeats: true, run: func(t testing.TB, c *cors.CORS, method string, hs []header) result {
		return runREST(t, c, restEvent(t, method, hs, true))
	}},
	{name: "HTTPAPI", repeats: true, run: func(t testing.TB, c *cors.CORS, method string, hs []header) result {
		t.Helper()
		called := false
		resp, err := c.WrapHTTPAPI(func(_ context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			called = true
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "ok", Headers: map[string]string{"X-Handler": "yes"}}, nil
		})(context.Background(), httpAPIEvent(t, method, hs))
		if err != nil {
			t.Fatal(err)
		}
		return fromSingle(resp.StatusCode, resp.Headers, called)
	}},
	{name: "ALB", repeats: false, run: func(t testing.TB, c *cors.CORS, method string, hs []header) result {
		return runALB(t, c, albEvent(t, method, hs, false), false)
	}},
	{name: "ALB/multi", repeats: true, run: func(t testing.TB, c *cors.CORS, method string, hs []header) result {
		return runALB(t, c, albEvent(t, method, hs, true), true)
	}},
}

func runREST(t testing.TB, c *cors.CORS, e events.APIGatewayProxyRequest) result {
	t.Helper()
	called := false
	resp, err := c.WrapREST(func(_ context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		called = true
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "ok", Headers: map[string]string{"X-Handler": "yes"}}, nil
	})(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	single := fromSingle(resp.StatusCode, resp.Headers, called)
	multi := fromMulti(resp.StatusCode, resp.MultiValueHeaders, called)
	if !equalResults(single, multi) {
		t.Errorf("REST Headers %v and MultiValueHeaders %v disagree", single.h, multi.h)
	}
	return single
}

func runALB(t testing.TB, c *cors.CORS, e events.ALBTargetGroupRequest, multi bool) result {
	t.Helper()
	called := false
	resp, err := c.WrapALB(func(_ context.Context, _ events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		called = true
		r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "ok"}
		if multi {
			r.MultiValueHeaders = map[string][]string{"X-Handler": {"yes"}}
		} else {
			r.Headers = map[string]string{"X-Handler": "yes"}
		}
		return r, nil
	})(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	if multi {
		if len(resp.Headers) > 0 {
			t.Errorf("ALB multi-value mode: Headers = %v, want none", resp.Headers)
		}
		return fromMulti(resp.StatusCode, resp.MultiValueHeaders, called)
	}
	if len(resp.MultiValueHeaders) > 0 {
		t.Errorf("ALB single-value mode: MultiValueHeaders = %v, want none", resp.MultiValueHeaders)
	}
	if want := http.StatusText(resp.StatusCode); !strings.HasSuffix(resp.StatusDescription, want) {
		t.Errorf("ALB StatusDescription = %q, want it to end in %q", resp.StatusDescription, want)
	}
	return fromSingle(resp.StatusCode, resp.Headers, called)
}

func equalResults(a, b result) bool {
	a.h, b.h = normalizeLists(a.h), normalizeLists(b.h)
	if a.status != b.status || a.called != b.called || len(a.h) != len(b.h) {
		return false
	}
	for k, v := range a.h {
		if b.h[k] != v {
			return false
		}
	}
	return true
}

// normalizeLists rewrites Access-Control-Allow-Headers as a list without
// optional whitespace: HTTP API joins a repeated request header with ","
// where net/http's header lines come back joined with ", ".
func normalizeLists(h map[string]string) map[string]string {
	v, ok := h["Access-Control-Allow-Headers"]
	if !ok {
		return h
	}
	out := make(map[string]string, len(h))
	for k, x := range h {
		out[k] = x
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	out["Access-Control-Allow-Headers"] = strings.Join(parts, ",")
	return out
}

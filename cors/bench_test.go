package cors_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	rscors "github.com/rs/cors"

	"github.com/seclambda/seclambda/cors"
)

// The benchmarks serve the same request through WrapHTTPAPI and through
// rs/cors on net/http: a browser's GET (or its preflight) from an allowed
// origin, with the headers an HTTP API passes on, and a handler that
// answers 200 with a JSON content type. On both sides the request is
// already parsed; each iteration gets a fresh response header map.

// Sinks keep the compiler from proving that a benchmark's results are
// unused and allocating them on the stack.
var (
	httpAPISink events.APIGatewayV2HTTPResponse
	restSink    events.APIGatewayProxyResponse
	albSink     events.ALBTargetGroupResponse
	headerSink  map[string]string
)

var benchOptions = cors.Options{
	AllowedOrigins:   []string{"https://app.example.com", "https://*.preview.example.com"},
	AllowedMethods:   []string{"GET", "POST", "PUT"},
	AllowedHeaders:   []string{"Authorization", "Content-Type"},
	ExposedHeaders:   []string{"X-Request-Id"},
	AllowCredentials: true,
	MaxAge:           600,
}

var benchHeaders = []header{
	{"Accept", "*/*"},
	{"Accept-Language", "en-GB,en;q=0.9"},
	{"Content-Length", "0"},
	{"Host", "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com"},
	{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"},
	{"X-Amzn-Trace-Id", "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"},
	{"X-Forwarded-For", "1.2.3.4"},
	{"X-Forwarded-Port", "443"},
	{"X-Forwarded-Proto", "https"},
	{"Origin", "https://app.example.com"},
}

var benchPreflight = append(benchHeaders[:len(benchHeaders):len(benchHeaders)],
	header{"Access-Control-Request-Method", "PUT"},
	header{"Access-Control-Request-Headers", "authorization,content-type"},
)

func benchHTTPAPIHandler(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       `{"ok":true}`,
	}, nil
}

var benchNetHTTPHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	_, _ = w.Write([]byte(`{"ok":true}`))
})

func benchWrapHTTPAPI(b *testing.B, method string, hs []header) {
	c, err := cors.New(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	h := c.WrapHTTPAPI(benchHTTPAPIHandler)
	e := httpAPIEvent(b, method, hs)
	ctx := context.Background()
	if resp, _ := h(ctx, e); resp.Headers["Access-Control-Allow-Origin"] == "" {
		b.Fatalf("not allowed: %v", resp.Headers)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		httpAPISink, _ = h(ctx, e)
	}
}

func benchRSCors(b *testing.B, method string, hs []header) {
	h := rscors.New(rsOptions(benchOptions)).Handler(benchNetHTTPHandler)
	r, err := http.NewRequest(method, "https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/items", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, kv := range hs {
		r.Header.Add(kv.name, kv.value)
	}
	w := &recorder{h: http.Header{}}
	if h.ServeHTTP(w, r); w.h.Get("Access-Control-Allow-Origin") == "" {
		b.Fatalf("not allowed: %v", w.h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ServeHTTP(&recorder{h: http.Header{}}, r)
	}
}

// BenchmarkWrapHTTPAPI_Actual is an allowed GET through WrapHTTPAPI.
func BenchmarkWrapHTTPAPI_Actual(b *testing.B) { benchWrapHTTPAPI(b, "GET", benchHeaders) }

// BenchmarkWrapHTTPAPI_Preflight is an allowed preflight through WrapHTTPAPI.
func BenchmarkWrapHTTPAPI_Preflight(b *testing.B) { benchWrapHTTPAPI(b, "OPTIONS", benchPreflight) }

// BenchmarkRSCors_Actual is the same GET through rs/cors on net/http.
func BenchmarkRSCors_Actual(b *testing.B) { benchRSCors(b, "GET", benchHeaders) }

// BenchmarkRSCors_Preflight is the same preflight through rs/cors on net/http.
func BenchmarkRSCors_Preflight(b *testing.B) { benchRSCors(b, "OPTIONS", benchPreflight) }

// BenchmarkWrapREST_Actual is an allowed GET through WrapREST, which fills
// both header maps.
func BenchmarkWrapREST_Actual(b *testing.B) {
	c, err := cors.New(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	h := c.WrapREST(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`}, nil
	})
	e := restEvent(b, "GET", benchHeaders, false)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		restSink, _ = h(ctx, e)
	}
}

// BenchmarkWrapALB_Preflight is an allowed preflight through WrapALB in
// multi-value mode.
func BenchmarkWrapALB_Preflight(b *testing.B) {
	c, err := cors.New(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	h := c.WrapALB(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		b.Fatal("handler called for a preflight")
		return events.ALBTargetGroupResponse{}, nil
	})
	e := albEvent(b, "OPTIONS", benchPreflight, true)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		albSink, _ = h(ctx, e)
	}
}

// BenchmarkPreflightHeaders is the preflight decision alone.
func BenchmarkPreflightHeaders(b *testing.B) {
	c, err := cors.New(benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		headerSink = c.PreflightHeaders("https://app.example.com", "PUT", "authorization,content-type")
	}
}

// uncachedOptions is benchOptions with the origin list replaced by an
// equivalent AllowOriginFunc, which turns the decision cache off: every
// request goes to rs/cors.
func uncachedOptions() cors.Options {
	o := benchOptions
	o.AllowedOrigins = nil
	o.AllowOriginFunc = func(origin string) bool { return origin == "https://app.example.com" }
	return o
}

func benchWrapHTTPAPIUncached(b *testing.B, method string, hs []header) {
	c, err := cors.New(uncachedOptions())
	if err != nil {
		b.Fatal(err)
	}
	h := c.WrapHTTPAPI(benchHTTPAPIHandler)
	e := httpAPIEvent(b, method, hs)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		httpAPISink, _ = h(ctx, e)
	}
}

// BenchmarkWrapHTTPAPI_ActualUncached is BenchmarkWrapHTTPAPI_Actual with
// every decision asked of rs/cors.
func BenchmarkWrapHTTPAPI_ActualUncached(b *testing.B) {
	benchWrapHTTPAPIUncached(b, "GET", benchHeaders)
}

// BenchmarkWrapHTTPAPI_PreflightUncached is BenchmarkWrapHTTPAPI_Preflight
// with every decision asked of rs/cors.
func BenchmarkWrapHTTPAPI_PreflightUncached(b *testing.B) {
	benchWrapHTTPAPIUncached(b, "OPTIONS", benchPreflight)
}

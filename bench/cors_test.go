package bench

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	rscors "github.com/rs/cors"

	"github.com/seclambda/seclambda/cors"
)

// The CORS contenders answer the same browser request from an allowed
// origin, an actual GET or its preflight, with the same options:
//
//   - seclambda: cors.WrapHTTPAPI around an HTTP API (payload 2.0) handler,
//     given the event as the Lambda runtime decodes it;
//   - rs/cors: rs/cors's handler on net/http, given the request as
//     net/http's server parses it. As a real server would, it reuses the
//     handler and (here) the parsed request, and writes each response into
//     a fresh header map;
//   - naive-adapter: what a function would do to reuse rs/cors as it is,
//     event to http.Request, rs/cors, recorder to response. It is reported
//     for information; the goal is set against rs/cors on net/http.

var corsOptions = cors.Options{
	AllowedOrigins:   []string{"https://app.example.com", "https://*.preview.example.com"},
	AllowedMethods:   []string{"GET", "POST", "PUT"},
	AllowedHeaders:   []string{"Authorization", "Content-Type"},
	ExposedHeaders:   []string{"X-Request-Id"},
	AllowCredentials: true,
	MaxAge:           600,
}

func rsOptions(o cors.Options) rscors.Options {
	return rscors.Options{
		AllowedOrigins:   o.AllowedOrigins,
		AllowedMethods:   o.AllowedMethods,
		AllowedHeaders:   o.AllowedHeaders,
		ExposedHeaders:   o.ExposedHeaders,
		AllowCredentials: o.AllowCredentials,
		MaxAge:           o.MaxAge,
	}
}

// browserHeaders are the headers of a browser's GET as an HTTP API passes
// them on.
var browserHeaders = [][2]string{
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

// corsRequest is one of the two requests.
type corsRequest struct {
	name    string
	method  string
	headers [][2]string
}

var corsRequests = []corsRequest{
	{"actual", "GET", browserHeaders},
	{"preflight", "OPTIONS", append(browserHeaders[:len(browserHeaders):len(browserHeaders)],
		[2]string{"Access-Control-Request-Method", "PUT"},
		[2]string{"Access-Control-Request-Headers", "authorization,content-type"})},
}

// event is r as an HTTP API (payload 2.0) event: lowercase header names.
func (r corsRequest) event() events.APIGatewayV2HTTPRequest {
	e := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        "/items",
		RawQueryString: "",
		Headers:        make(map[string]string, len(r.headers)),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:    "123456789012",
			APIID:        "aaaaaaaaaa",
			DomainName:   "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
			DomainPrefix: "aaaaaaaaaa",
			RequestID:    "JKJaXmPLvHcESHA=",
			RouteKey:     "$default",
			Stage:        "$default",
			Time:         "10/Mar/2020:00:03:59 +0000",
			TimeEpoch:    1583798639428,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.method, Path: "/items", Protocol: "HTTP/1.1",
				SourceIP: "1.2.3.4", UserAgent: "Mozilla/5.0",
			},
		},
	}
	for _, h := range r.headers {
		e.Headers[strings.ToLower(h[0])] = h[1]
	}
	return e
}

// request is r as net/http's server parses it.
func (r corsRequest) request(tb testing.TB) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(r.method, "https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/items", nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, h := range r.headers {
		req.Header.Add(h[0], h[1])
	}
	return req
}

func eventHandler(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       `{"ok":true}`,
	}, nil
}

var netHTTPHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	_, _ = w.Write([]byte(`{"ok":true}`))
})

// recorder is a minimal http.ResponseWriter, cheaper than httptest's.
type recorder struct {
	h      http.Header
	status int
	body   []byte
}

func (w *recorder) Header() http.Header { return w.h }
func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(200)
	w.body = append(w.body, b...)
	return len(b), nil
}
func (w *recorder) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}

// naiveAdapter wraps rs/cors for HTTP API events the obvious way.
func naiveAdapter(c *rscors.Cors) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		req, err := http.NewRequestWithContext(ctx, e.RequestContext.HTTP.Method, "https://"+e.RequestContext.DomainName+e.RawPath, strings.NewReader(e.Body))
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		for k, v := range e.Headers {
			req.Header.Set(k, v)
		}
		w := &recorder{h: http.Header{}}
		var resp events.APIGatewayV2HTTPResponse
		c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			out, err := eventHandler(r.Context(), e)
			if err != nil {
				w.WriteHeader(500)
				return
			}
			for k, v := range out.Headers {
				w.Header().Set(k, v)
			}
			w.WriteHeader(out.StatusCode)
			_, _ = w.Write([]byte(out.Body))
		})).ServeHTTP(w, req)
		resp.StatusCode = w.status
		resp.Body = string(w.body)
		resp.Headers = make(map[string]string, len(w.h))
		for k, v := range w.h {
			resp.Headers[k] = strings.Join(v, ", ")
		}
		return resp, nil
	}
}

// corsHeaders reduces a response to its status and CORS headers, with Vary
// as a sorted set.
func corsHeaders(status int, get func(string) string) map[string]string {
	out := map[string]string{"status": http.StatusText(status)}
	for _, name := range []string{
		"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
		"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
	} {
		if v := get(name); v != "" {
			out[name] = v
		}
	}
	var vary []string
	for _, v := range strings.Split(get("Vary"), ",") {
		if v = strings.TrimSpace(v); v != "" {
			vary = append(vary, strings.ToLower(v))
		}
	}
	slices.Sort(vary)
	out["Vary"] = strings.Join(vary, ",")
	return out
}

// TestCORSContendersAgree checks that the three contenders answer both
// requests with the same status and CORS headers.
func TestCORSContendersAgree(t *testing.T) {
	c, err := cors.New(corsOptions)
	if err != nil {
		t.Fatal(err)
	}
	ours := c.WrapHTTPAPI(eventHandler)
	rs := rscors.New(rsOptions(corsOptions))
	naive := naiveAdapter(rs)
	ctx := context.Background()
	for _, r := range corsRequests {
		t.Run(r.name, func(t *testing.T) {
			w := &recorder{h: http.Header{}}
			rs.Handler(netHTTPHandler).ServeHTTP(w, r.request(t))
			want := corsHeaders(w.status, w.h.Get)
			if want["Access-Control-Allow-Origin"] == "" {
				t.Fatalf("rs/cors did not allow the request: %v", want)
			}
			for name, h := range map[string]func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error){
				"seclambda": ours, "naive-adapter": naive,
			} {
				resp, err := h(ctx, r.event())
				if err != nil {
					t.Fatal(err)
				}
				got := corsHeaders(resp.StatusCode, func(k string) string { return resp.Headers[k] })
				for k, v := range want {
					if got[k] != v {
						t.Errorf("%s: %s = %q, rs/cors sent %q", name, k, got[k], v)
					}
				}
				for k, v := range got {
					if _, ok := want[k]; !ok {
						t.Errorf("%s: extra %s = %q", name, k, v)
					}
				}
			}
		})
	}
}

// eventSink and headerSink keep results alive.
var (
	eventSink  events.APIGatewayV2HTTPResponse
	headerSink http.Header
)

// BenchmarkCORS serves each request through each contender.
func BenchmarkCORS(b *testing.B) {
	c, err := cors.New(corsOptions)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, r := range corsRequests {
		b.Run(r.name, func(b *testing.B) {
			rsHandler := rscors.New(rsOptions(corsOptions)).Handler(netHTTPHandler)
			ours := c.WrapHTTPAPI(eventHandler)
			naive := naiveAdapter(rscors.New(rsOptions(corsOptions)))
			e, req := r.event(), r.request(b)
			subs := []struct {
				name string
				fn   func()
			}{
				{"seclambda", func() { eventSink, _ = ours(ctx, e) }},
				{"rs-cors", func() {
					w := &recorder{h: http.Header{}}
					rsHandler.ServeHTTP(w, req)
					headerSink = w.h
				}},
				{"naive-adapter", func() { eventSink, _ = naive(ctx, e) }},
			}
			for _, sub := range rotate(subs) {
				b.Run(sub.name, func(b *testing.B) { measure(b, sub.fn) })
			}
		})
	}
}

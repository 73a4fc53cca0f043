package redact_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/redact"
)

// Header values that no detector recognises: only the key set masks them.
const (
	cookieVal = "session=s3ss10nVALUEopaque"
	apiKeyVal = "apikeyVALUE123456"
	basicAuth = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ"
	passVal   = "hunter2hunter2"
)

type credStruct struct {
	User     string
	Password string
}

type keyName string

type hiddenCreds struct {
	user     string
	password string
}

// TestKeysInsideValues checks that the key set applies inside values of
// kind Any (events, header maps, structs), with the JSON and the text
// handler, and that the rest of the value is kept.
func TestKeysInsideValues(t *testing.T) {
	v2 := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /orders", RawPath: "/orders",
		Cookies: []string{cookieVal},
		Headers: map[string]string{"cookie": cookieVal, "x-api-key": apiKeyVal, "authorization": basicAuth, "host": "api.example.com"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-v2", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/orders"},
		},
	}
	v1 := events.APIGatewayProxyRequest{
		Resource: "/orders", Path: "/orders", HTTPMethod: "GET",
		Headers: map[string]string{"Cookie": cookieVal, "X-Api-Key": apiKeyVal, "Authorization": basicAuth, "Host": "api.example.com"},
		MultiValueHeaders: map[string][]string{
			"Cookie": {cookieVal}, "X-API-Key": {apiKeyVal}, "Authorization": {basicAuth}, "Host": {"api.example.com"},
		},
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: "req-v1", Identity: events.APIGatewayRequestIdentity{APIKey: apiKeyVal, SourceIP: "192.0.2.1"},
		},
	}
	hdr := http.Header{}
	hdr.Set("Authorization", basicAuth)
	hdr.Set("Cookie", cookieVal)
	hdr.Set("Accept", "application/json")
	tests := []struct {
		name  string
		value any
		leaks []string
		keeps []string // text that must survive, in both outputs
	}{
		{"API Gateway v2 event", v2, []string{cookieVal, apiKeyVal, basicAuth}, []string{"api.example.com", "req-v2", "/orders"}},
		{"API Gateway v2 event pointer", &v2, []string{cookieVal, apiKeyVal, basicAuth}, []string{"api.example.com", "req-v2"}},
		{"API Gateway v1 event", v1, []string{cookieVal, apiKeyVal, basicAuth}, []string{"api.example.com", "req-v1", "192.0.2.1"}},
		{"headers map", v2.Headers, []string{cookieVal, apiKeyVal, basicAuth}, []string{"api.example.com"}},
		{"multi-value headers", v1.MultiValueHeaders, []string{cookieVal, apiKeyVal, basicAuth}, []string{"api.example.com"}},
		{"http.Header", hdr, []string{cookieVal, basicAuth}, []string{"application/json"}},
		{"struct with Password", credStruct{User: "bob", Password: passVal}, []string{passVal}, []string{"bob"}},
		{"nested maps", map[string]any{"db": map[string]any{"host": "db.internal", "password": passVal}, "n": 1}, []string{passVal}, []string{"db.internal"}},
		{"slice of structs", []credStruct{{"a", passVal}, {"b", passVal + "2"}}, []string{passVal}, []string{"{"}},
		{"escaped key", json.RawMessage(`{"pass\u0077ord":"` + passVal + `","ok":"yes"}`), []string{passVal}, []string{"yes"}},
	}
	handlers := []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
		json bool
	}{
		{"JSON", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }, true},
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }, false},
		{"third-party", func(b *bytes.Buffer) slog.Handler { return newKVHandler(b) }, true},
	}
	for _, hh := range handlers {
		for _, tt := range tests {
			t.Run(hh.name+"/"+tt.name, func(t *testing.T) {
				var buf bytes.Buffer
				l := slog.New(redact.NewHandler(hh.new(&buf), redact.WithRegistry(redact.NewRegistry())))
				l.Info("event", "v", tt.value)
				l.With("w", tt.value).WithGroup("g").Info("with", "x", 1)
				out := buf.String()
				for _, s := range tt.leaks {
					assertNoLeak(t, out, s)
				}
				if !strings.Contains(out, redact.DefaultMask) {
					t.Fatalf("nothing masked:\n%s", out)
				}
				for _, s := range tt.keeps {
					if !strings.Contains(out, s) {
						t.Fatalf("output lost %q:\n%s", s, out)
					}
				}
				if hh.json {
					jsonLines(t, out)
				}
			})
		}
	}
}

// TestKeysInsideValuesText checks the text rendering exactly, including
// unexported fields, which encoding/json would not see but fmt prints.
func TestKeysInsideValuesText(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"struct", credStruct{"bob", passVal}, `v="{User:bob Password:[REDACTED]}"`},
		{"pointer", &credStruct{"bob", passVal}, `v="&{User:bob Password:[REDACTED]}"`},
		{"unexported field", hiddenCreds{"bob", passVal}, `v="{user:bob password:[REDACTED]}"`},
		{"map", map[string]string{"X-Api-Key": apiKeyVal, "a": "b"}, `v="map[X-Api-Key:[REDACTED] a:b]"`},
		{"http.Header", http.Header{"Cookie": {cookieVal}, "Accept": {"*/*"}}, `v="map[Accept:[*/*] Cookie:[REDACTED]]"`},
		{"no sensitive key", map[string]int{"b": 2, "a": 1}, `v="map[a:1 b:2]"`},
		{"map[any]any, as YAML decoders produce", map[any]any{"Password": passVal, "db": map[any]any{"host": "h", "token": passVal}},
			`v="map[Password:[REDACTED] db:map[host:h token:[REDACTED]]]"`},
		{"named string key type", map[keyName]string{"api_key": apiKeyVal}, `v=map[api_key:[REDACTED]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(redact.NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}), redact.WithRegistry(redact.NewRegistry())))
			l.Info("m", "v", tt.value)
			if got := strings.TrimSpace(strings.TrimPrefix(buf.String(), "level=INFO msg=m ")); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestKeysInsideValuesJSON checks that the JSON rendering keeps its
// structure: only the value of a sensitive member changes.
func TestKeysInsideValuesJSON(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}), redact.WithRegistry(redact.NewRegistry())))
	l.Info("m", "v", map[string]any{
		"credentials": map[string]string{"user": "bob"}, "list": []any{map[string]any{"token": 12, "id": "x"}}, "s": `a "password": b`,
	})
	const want = `{"level":"INFO","msg":"m","v":{"credentials":"[REDACTED]","list":[{"id":"x","token":"[REDACTED]"}],"s":"a \"password\": b"}}` + "\n"
	if got := buf.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

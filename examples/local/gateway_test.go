package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestEvaluate(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:restapi001/prod/GET/token"
	st := func(effect string, res ...string) events.IAMPolicyStatement {
		return events.IAMPolicyStatement{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: res}
	}
	tests := []struct {
		name string
		stmt []events.IAMPolicyStatement
		want policyResult
	}{
		{name: "exact allow", stmt: []events.IAMPolicyStatement{st("Allow", arn)}, want: policyAllow},
		{name: "wildcard allow", stmt: []events.IAMPolicyStatement{st("Allow", "arn:aws:execute-api:us-east-1:123456789012:restapi001/prod/*")}, want: policyAllow},
		{name: "question mark", stmt: []events.IAMPolicyStatement{st("Allow", "arn:aws:execute-api:us-east-1:123456789012:restapi001/pro?/GET/token")}, want: policyAllow},
		{name: "other route", stmt: []events.IAMPolicyStatement{st("Allow", "arn:aws:execute-api:us-east-1:123456789012:restapi001/prod/GET/profile")}, want: policyImplicitDeny},
		{name: "other stage", stmt: []events.IAMPolicyStatement{st("Allow", "arn:aws:execute-api:us-east-1:123456789012:restapi001/dev/*")}, want: policyImplicitDeny},
		{name: "deny wins", stmt: []events.IAMPolicyStatement{st("Allow", "*"), st("Deny", arn)}, want: policyExplicitDeny},
		{name: "wrong action", stmt: []events.IAMPolicyStatement{{Action: []string{"s3:GetObject"}, Effect: "Allow", Resource: []string{"*"}}}, want: policyImplicitDeny},
		{name: "empty", want: policyImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate(tt.stmt, arn); got != tt.want {
				t.Fatalf("evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name  string
		plan  UsagePlan
		steps []time.Duration // offsets from t0
		want  []usageResult
	}{
		{name: "burst then throttle", plan: UsagePlan{RateLimit: 1, BurstLimit: 2},
			steps: []time.Duration{0, 0, 0, time.Second}, want: []usageResult{admitted, admitted, throttled, admitted}},
		{name: "quota", plan: UsagePlan{QuotaLimit: 2, QuotaPeriod: time.Hour},
			steps: []time.Duration{0, 1, 2, time.Hour + 2}, want: []usageResult{admitted, admitted, overQuota, admitted}},
		{name: "throttled requests do not use quota", plan: UsagePlan{RateLimit: 1, BurstLimit: 1, QuotaLimit: 2, QuotaPeriod: time.Hour},
			steps: []time.Duration{0, 0, 0, time.Second, 2 * time.Second}, want: []usageResult{admitted, throttled, throttled, admitted, overQuota}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUsage(tt.plan)
			for i, d := range tt.steps {
				if got := u.take("k", t0.Add(d)); got != tt.want[i] {
					t.Fatalf("step %d: %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestMatch(t *testing.T) {
	g, err := New(Config{HTTP: []HTTPRoute{
		{RouteKey: "GET /notes", Function: stub{}},
		{RouteKey: "GET /notes/{id}", Function: stub{}},
		{RouteKey: "OPTIONS /{proxy+}", Function: stub{}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, route, param string
	}{
		{name: "exact", method: "GET", path: "/notes", route: "GET /notes"},
		{name: "parameter", method: "GET", path: "/notes/a%20b", route: "GET /notes/{id}", param: "a b"},
		// route takes the path as sent and decodes a parameter once.
		{name: "decoded once", method: "GET", path: "/notes/%252e%252e", route: "GET /notes/{id}", param: "%2e%2e"},
		{name: "escaped percent", method: "GET", path: "/notes/100%25", route: "GET /notes/{id}", param: "100%"},
		{name: "greedy", method: "OPTIONS", path: "/notes/x/y", route: "OPTIONS /{proxy+}"},
		{name: "no method", method: "POST", path: "/notes"},
		{name: "too deep", method: "GET", path: "/notes/x/y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, params := g.route(tt.method, tt.path)
			if tt.route == "" {
				if r != nil {
					t.Fatalf("matched %s", r.RouteKey)
				}
				return
			}
			if r == nil || r.RouteKey != tt.route {
				t.Fatalf("route = %v, want %s", r, tt.route)
			}
			if tt.param != "" && params["id"] != tt.param {
				t.Errorf("id = %q, want %q", params["id"], tt.param)
			}
		})
	}
}

// stub is an Invoker that records the last event and answers 200.
type stub struct {
	mu   *sync.Mutex
	last *[]byte
}

func (s stub) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	if s.mu != nil {
		s.mu.Lock()
		*s.last = payload
		s.mu.Unlock()
	}
	return []byte(`{"statusCode":200,"body":"ok"}`), nil
}

func TestSigV4(t *testing.T) {
	now := time.Now()
	id := IAMIdentity{AccessKeyID: "ASIATEST", SecretAccessKey: "s3cr3t", SessionToken: "tok",
		CognitoIdentityID: "us-east-1:abc", CognitoIdentityPoolID: "us-east-1:pool"}
	var mu sync.Mutex
	var last []byte
	g, err := New(Config{
		REST: []RESTRoute{
			{Method: "GET", Resource: "/whoami", Function: stub{mu: &mu, last: &last}, IAM: true},
			{Method: "POST", Resource: "/whoami", Function: stub{mu: &mu, last: &last}, IAM: true},
		},
		IAM:   []IAMIdentity{id},
		Clock: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	// signBody signs r as the SDK does for a request whose body is body.
	signBody := func(r *http.Request, creds aws.Credentials, at time.Time, body string) {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", at); err != nil {
			t.Fatal(err)
		}
	}
	sign := func(r *http.Request, creds aws.Credentials, at time.Time) { signBody(r, creds, at, "") }
	hashOf := func(body string) string {
		sum := sha256.Sum256([]byte(body))
		return hex.EncodeToString(sum[:])
	}
	good := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
	tests := []struct {
		name   string
		body   string // a POST's body; empty for a GET
		mutate func(r *http.Request)
		want   int
	}{
		{name: "valid", mutate: func(r *http.Request) { sign(r, good, now) }, want: 200},
		{name: "signed POST with a body", body: "amount=1", mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", hashOf("amount=1"))
			signBody(r, good, now, "amount=1")
		}, want: 200},
		{name: "body replaced, signed hash header kept", body: "amount=1000000", mutate: func(r *http.Request) {
			// content-length left out of the signature, as with chunked
			// encoding: only the hash header could catch the new body.
			r.Header.Set("X-Amz-Content-Sha256", hashOf("amount=1"))
			r.ContentLength = 0
			signBody(r, good, now, "amount=1")
		}, want: 403},
		{name: "body replaced, no hash header", body: "amount=1000000", mutate: func(r *http.Request) {
			r.ContentLength = 0 // content-length left out of the signature
			signBody(r, good, now, "amount=1")
		}, want: 403},
		{name: "unsigned payload", body: "amount=1", mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			signBody(r, good, now, "amount=1")
		}, want: 403},
		{name: "unsigned", mutate: func(*http.Request) {}, want: 403},
		{name: "wrong secret", mutate: func(r *http.Request) {
			c := good
			c.SecretAccessKey = "other"
			sign(r, c, now)
		}, want: 403},
		{name: "unknown key", mutate: func(r *http.Request) {
			c := good
			c.AccessKeyID = "ASIAOTHER"
			sign(r, c, now)
		}, want: 403},
		{name: "wrong session token", mutate: func(r *http.Request) {
			c := good
			c.SessionToken = "other"
			sign(r, c, now)
		}, want: 403},
		{name: "expired", mutate: func(r *http.Request) { sign(r, good, now.Add(-6*time.Minute)) }, want: 403},
		{name: "query changed after signing", mutate: func(r *http.Request) {
			sign(r, good, now)
			r.URL.RawQuery = "x=1"
		}, want: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, body := "GET", io.Reader(nil)
			if tt.body != "" {
				method, body = "POST", strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(method, "http://127.0.0.1:9/whoami", body)
			tt.mutate(r)
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body, tt.want)
			}
			if tt.want != 200 {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal(last, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.RequestContext.Identity.CognitoIdentityID != id.CognitoIdentityID || ev.RequestContext.Identity.AccessKey != id.AccessKeyID {
				t.Errorf("identity = %+v", ev.RequestContext.Identity)
			}
			if strings.Contains(string(last), id.SecretAccessKey) {
				t.Error("the secret access key reached the event")
			}
		})
	}
}

// authz is a TOKEN authorizer that allows token "good" with key "k1",
// "nokey" without a key, denies "deny", and counts its invocations.
type authz struct {
	mu    sync.Mutex
	calls int
}

func (a *authz) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	a.mu.Lock()
	a.calls++
	a.mu.Unlock()
	var ev events.APIGatewayCustomAuthorizerRequest
	_ = json.Unmarshal(payload, &ev)
	resp := events.APIGatewayCustomAuthorizerResponse{PrincipalID: "p"}
	effect, key := "Allow", "k1"
	switch ev.AuthorizationToken {
	case "Bearer deny":
		effect = "Deny"
	case "Bearer nokey":
		key = ""
	case "Bearer bad":
		return []byte(`{"errorMessage":"Unauthorized","errorType":"errorString"}`), nil
	case "Bearer boom":
		return []byte(`{"errorMessage":"jwks down","errorType":"errorString"}`), nil
	}
	resp.UsageIdentifierKey = key
	resp.PolicyDocument.Version = "2012-10-17"
	resp.PolicyDocument.Statement = []events.IAMPolicyStatement{{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{ev.MethodArn}}}
	return json.Marshal(resp)
}

func TestLambdaAuthorizer(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	a := &authz{}
	g, err := New(Config{
		REST: []RESTRoute{{Method: "GET", Resource: "/token", Function: stub{}, APIKeyRequired: true,
			Authorizer: &LambdaAuthorizer{Function: a, Type: TokenAuthorizer, TTL: time.Minute,
				ValidationExpression: regexp.MustCompile(`^Bearer [-_A-Za-z0-9.]+$`)}}},
		UsagePlan:              UsagePlan{Keys: []string{"k1"}, QuotaLimit: 3, QuotaPeriod: time.Hour},
		GatewayResponseHeaders: map[string]string{"Access-Control-Allow-Origin": "https://app.example"},
		Clock:                  func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, auth string
		want       int
		wantCalls  int // authorizer invocations so far
	}{
		{name: "no token", want: 401, wantCalls: 0},
		{name: "fails the validation expression", auth: "Basic x", want: 401, wantCalls: 0},
		{name: "authorizer says Unauthorized", auth: "Bearer bad", want: 401, wantCalls: 1},
		{name: "authorizer error", auth: "Bearer boom", want: 500, wantCalls: 2},
		{name: "explicit deny", auth: "Bearer deny", want: 403, wantCalls: 3},
		{name: "deny cached", auth: "Bearer deny", want: 403, wantCalls: 3},
		{name: "no usage key", auth: "Bearer nokey", want: 403, wantCalls: 4},
		{name: "allow", auth: "Bearer good", want: 200, wantCalls: 5},
		{name: "allow cached", auth: "Bearer good", want: 200, wantCalls: 5},
		{name: "last of quota", auth: "Bearer good", want: 200, wantCalls: 5},
		{name: "quota exceeded", auth: "Bearer good", want: 429, wantCalls: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://127.0.0.1:9/token", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d (%s), want %d", w.Code, w.Body, tt.want)
			}
			if tt.want >= 400 && w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
				t.Error("gateway response without the CORS header")
			}
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.calls != tt.wantCalls {
				t.Errorf("authorizer calls = %d, want %d", a.calls, tt.wantCalls)
			}
		})
	}
	now = now.Add(2 * time.Minute) // the cache TTL passes
	r := httptest.NewRequest("GET", "http://127.0.0.1:9/token", nil)
	r.Header.Set("Authorization", "Bearer deny")
	g.ServeHTTP(httptest.NewRecorder(), r)
	if a.calls != 6 {
		t.Errorf("authorizer calls after the TTL = %d, want 6", a.calls)
	}
}

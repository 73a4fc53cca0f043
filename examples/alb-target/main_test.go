package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

const origin = "https://app.example.com"

// TestUnderRIE builds the target as bootstrap and runs it under
// aws-lambda-rie, with the authorizertest load balancer stand-in signing
// the tokens and serving their key over TLS on loopback (its certificate
// trusted through SSL_CERT_FILE), and checks each answer the load balancer
// would pass on.
func TestUnderRIE(t *testing.T) {
	lb := authorizertest.NewALB()
	t.Cleanup(lb.Close)
	// The function trusts the key endpoint's self-signed certificate as
	// its only root.
	roots := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: lb.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	fn := testpeer.StartFunction(t, testpeer.BuildFunction(t, ".", "."), map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "alb-target",
		"ALB_ARN":                  lb.ARN,
		"ALB_ISSUER":               lb.Issuer,
		"ALB_CLIENT_ID":            lb.ClientID,
		"ALB_KEY_ENDPOINT":         lb.KeyEndpoint,
		"ALLOWED_ORIGIN":           origin,
		"SSL_CERT_FILE":            roots,
	})
	claims := authorizertest.ALBClaims("user-1", "alice", "alice@example.com")
	sign := func(hdr map[string]any) string {
		tok, err := lb.Sign(claims, hdr)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := sign(nil)
	unpadded, err := lb.SignUnpadded(claims, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		method   string
		path     string
		token    string
		multi    bool
		status   int
		wantBody string
	}{
		{name: "valid", token: good, status: 200, wantBody: `{"email":"alice@example.com","sub":"user-1"}`},
		{name: "valid, multi-value headers", token: good, multi: true, status: 200, wantBody: `{"email":"alice@example.com","sub":"user-1"}`},
		{name: "valid, unpadded", token: unpadded, status: 200, wantBody: `{"email":"alice@example.com","sub":"user-1"}`},
		{name: "unknown path", path: "/admin", token: good, status: 404},
		{name: "no token", status: 401, wantBody: `{"message":"Unauthorized"}`},
		{name: "another load balancer", token: sign(map[string]any{"signer": "arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/evil/0123456789abcdef"}), status: 401},
		{name: "another app client", token: sign(map[string]any{"client": "other-client"}), status: 401},
		{name: "expired", token: sign(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), status: 401},
		{name: "preflight", method: "OPTIONS", status: 204},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := tt.method, tt.path
			if method == "" {
				method = "GET"
			}
			if path == "" {
				path = "/me"
			}
			e := lb.Event(method, path, tt.token, false)
			e.Headers["origin"] = origin
			if method == "OPTIONS" {
				e.Headers["access-control-request-method"] = "GET"
			}
			if tt.multi {
				e.MultiValueHeaders = map[string][]string{}
				for k, v := range e.Headers {
					e.MultiValueHeaders[k] = []string{v}
				}
				e.Headers = nil
			}
			event, _ := json.Marshal(e)
			body, err := fn.Invoke(ctx, event)
			if err != nil {
				t.Fatalf("invoke: %v\n%s", err, fn.Output())
			}
			var resp events.ALBTargetGroupResponse
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("response %s: %v", body, err)
			}
			if resp.StatusCode != tt.status || (tt.wantBody != "" && resp.Body != tt.wantBody) {
				t.Fatalf("response %d %q, want %d %q\n%s", resp.StatusCode, resp.Body, tt.status, tt.wantBody, fn.Output())
			}
			allow := resp.Headers["Access-Control-Allow-Origin"]
			if tt.multi {
				allow = first(resp.MultiValueHeaders["Access-Control-Allow-Origin"])
			}
			if allow != origin {
				t.Fatalf("CORS: Access-Control-Allow-Origin %q in %+v", allow, resp)
			}
		})
	}
	if n := lb.KeyFetches(); n != 1 {
		t.Errorf("key fetches = %d, want 1 (cached across invocations)", n)
	}
	// A new key while its endpoint is down: 503, never the handler.
	if _, err := lb.Rotate(); err != nil {
		t.Fatal(err)
	}
	lb.FailKeys(http.StatusInternalServerError)
	event, _ := json.Marshal(lb.Event("GET", "/me", sign(nil), false))
	body, err := fn.Invoke(ctx, event)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.ALBTargetGroupResponse
	if err := json.Unmarshal(body, &resp); err != nil || resp.StatusCode != 503 {
		t.Fatalf("outage: %s (%v)", body, err)
	}
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

const methodARN = "arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/device"

// TestUnderRIE runs the authorizer under aws-lambda-rie with a real test
// PKI, CRLs served over HTTP and cognito-local tokens.
func TestUnderRIE(t *testing.T) {
	const pw = "Passw0rd!mtls"
	now := time.Now()
	pki := testpeer.NewPKI(t, now)
	aliceCert, err := testpeer.NewLeaf(pki.Intermediate, now, testpeer.LeafOptions{CommonName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	revokedName := pki.Revoked.Cert.Subject.CommonName

	pool := testpeer.StartCognito(t).NewPool(t, "authorizer-mtls")
	aliceSub := pool.AddUser(t, "alice", pw, "writers")
	pool.AddUser(t, "bob", pw)
	pool.AddUser(t, revokedName, pw)
	alice := pool.SignIn(t, "alice", pw)
	bob := pool.SignIn(t, "bob", pw)
	revokedUser := pool.SignIn(t, revokedName, pw)

	var crlUp atomic.Bool
	var fetches atomic.Int32
	crlUp.Store(true)
	crls := bytes.Join(pki.CRLsPEM(), nil)
	crlSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		if !crlUp.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(crls)
	}))
	defer crlSrv.Close()

	dir := t.TempDir()
	store := filepath.Join(dir, "truststore.pem")
	if err := os.WriteFile(store, pki.TrustStorePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":   "authorizer-mtls",
		"COGNITO_USER_POOL_ID":       pool.ID,
		"COGNITO_CLIENT_IDS":         pool.ClientID,
		"COGNITO_ISSUER":             pool.Issuer,
		"ALLOW_HTTP_LOOPBACK_ISSUER": "true",
		"API_ROUTES":                 "GET /device",
		"USAGE_KEY_BY_GROUP":         "writers=writers-usage-key-0001",
		"TRUSTSTORE_FILE":            store,
		"CRL_URL":                    crlSrv.URL,
	}
	bootstrap := testpeer.BuildFunction(t, ".", ".")
	fn := testpeer.StartFunction(t, bootstrap, env)

	tests := []struct {
		name       string
		cert       *testpeer.Cert
		token      string
		wantError  string
		wantEffect string
	}{
		{name: "certificate and token of the same user", cert: aliceCert, token: "Bearer " + alice.AccessToken, wantEffect: "Allow"},
		{name: "token of another user", cert: aliceCert, token: "Bearer " + bob.AccessToken, wantEffect: "Deny"},
		{name: "revoked certificate", cert: pki.Revoked, token: "Bearer " + revokedUser.AccessToken, wantEffect: "Deny"},
		{name: "certificate under a revoked intermediate", cert: pki.UnderRevokedIntermediate, token: "Bearer " + alice.AccessToken, wantEffect: "Deny"},
		{name: "certificate from another CA", cert: pki.OtherCA, token: "Bearer " + alice.AccessToken, wantEffect: "Deny"},
		{name: "server-only certificate", cert: pki.ServerAuthOnly, token: "Bearer " + alice.AccessToken, wantEffect: "Deny"},
		{name: "no certificate", token: "Bearer " + alice.AccessToken, wantEffect: "Deny"},
		{name: "no token", cert: aliceCert, wantError: "Unauthorized"},
		{name: "tampered token", cert: aliceCert, token: "Bearer " + alice.AccessToken + "x", wantError: "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, failure := invoke(t, fn, tt.cert, tt.token)
			if tt.wantError != "" {
				if failure != tt.wantError {
					t.Fatalf("got %+v / %q, want error %q", resp, failure, tt.wantError)
				}
				return
			}
			if failure != "" {
				t.Fatalf("invocation failed: %s\n%s", failure, fn.Output())
			}
			if len(resp.PolicyDocument.Statement) == 0 {
				t.Fatal("no policy")
			}
			for _, st := range resp.PolicyDocument.Statement {
				if st.Effect != tt.wantEffect {
					t.Fatalf("effect = %s, want %s", st.Effect, tt.wantEffect)
				}
			}
			if tt.wantEffect == "Allow" {
				if resp.PrincipalID != aliceSub {
					t.Errorf("principalId = %q, want the token's sub", resp.PrincipalID)
				}
				if resp.Context["mtlsFingerprint"] == nil || resp.Context["username"] != "alice" {
					t.Errorf("context = %v, want the certificate and the user", resp.Context)
				}
				if resp.UsageIdentifierKey != "writers-usage-key-0001" {
					t.Errorf("usageIdentifierKey = %q, want the writers' key", resp.UsageIdentifierKey)
				}
			}
		})
	}
	out := fn.Stop()
	if strings.Contains(out, alice.AccessToken[strings.LastIndex(alice.AccessToken, ".")+1:]) {
		t.Fatal("a token signature reached the function's output")
	}

	t.Run("CRLs unavailable at cold start", func(t *testing.T) {
		crlUp.Store(false)
		defer crlUp.Store(true)
		cold := testpeer.StartFunction(t, bootstrap, env)
		before := fetches.Load()
		for range 3 {
			resp, failure := invoke(t, cold, aliceCert, "Bearer "+alice.AccessToken)
			if failure == "" || failure == "Unauthorized" {
				t.Fatalf("got %+v / %q, want a 500 error (never an allow)", resp, failure)
			}
		}
		// A failed fetch is retried after a backoff, not on every request.
		if n := fetches.Load() - before; n != 1 {
			t.Errorf("%d CRL fetches during the outage, want 1", n)
		}
	})
}

func invoke(t *testing.T, fn *testpeer.Function, cert *testpeer.Cert, token string) (events.APIGatewayCustomAuthorizerResponse, string) {
	t.Helper()
	req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: methodARN, Resource: "/device", Path: "/device", HTTPMethod: "GET",
		Headers: map[string]string{},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			AccountID: "123456789012", Stage: "prod", HTTPMethod: "GET", ResourcePath: "/device",
		},
	}
	if token != "" {
		req.Headers["Authorization"] = token
	}
	if cert != nil {
		req.RequestContext.Identity.ClientCert.ClientCertPem = cert.PEMString()
	}
	event, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := fn.Invoke(ctx, event)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, fn.Output())
	}
	var failed struct{ ErrorMessage string }
	_ = json.Unmarshal(raw, &failed)
	var resp events.APIGatewayCustomAuthorizerResponse
	_ = json.Unmarshal(raw, &resp)
	return resp, failed.ErrorMessage
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

const methodARN = "arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/token"

// TestUnderRIE builds the authorizer as bootstrap, runs it under
// aws-lambda-rie against a cognito-local pool, and checks each answer API
// Gateway would act on.
func TestUnderRIE(t *testing.T) {
	const pw = "Passw0rd!authz"
	pool := testpeer.StartCognito(t).NewPool(t, "authorizer-cognito")
	aliceSub := pool.AddUser(t, "alice", pw, "writers")
	bobSub := pool.AddUser(t, "bob", pw, "readers")
	pool.AddUser(t, "carol", pw)
	alice := pool.SignIn(t, "alice", pw)
	bob := pool.SignIn(t, "bob", pw)
	carol := pool.SignIn(t, "carol", pw)
	otherClient := pool.NewClient(t, "other-app")
	aliceOther := pool.SignInClient(t, otherClient, "alice", pw)

	fn := testpeer.StartFunction(t, testpeer.BuildFunction(t, ".", "."), map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":   "authorizer-cognito",
		"COGNITO_USER_POOL_ID":       pool.ID,
		"COGNITO_CLIENT_IDS":         pool.ClientID,
		"COGNITO_TOKEN_USE":          "access",
		"COGNITO_ISSUER":             pool.Issuer,
		"ALLOW_HTTP_LOOPBACK_ISSUER": "true",
		"ALLOWED_GROUPS":             "writers,readers",
		"API_ROUTES":                 "GET /token,GET /profile",
		"USAGE_KEY_BY_GROUP":         "writers=writers-usage-key-0001",
		"AWS_LAMBDA_LOG_FORMAT":      "JSON",
	})

	tampered := func(tok string) string {
		p := strings.Split(tok, ".")
		return p[0] + "." + p[1] + "x." + p[2]
	}
	tests := []struct {
		name          string
		token         string
		wantError     string // errorMessage of a failed invocation
		wantEffect    string
		wantPrincipal string
		wantKey       string
	}{
		{name: "writer allowed with the writers' key", token: "Bearer " + alice.AccessToken, wantEffect: "Allow", wantPrincipal: aliceSub, wantKey: "writers-usage-key-0001"},
		{name: "bare token allowed", token: alice.AccessToken, wantEffect: "Allow", wantPrincipal: aliceSub, wantKey: "writers-usage-key-0001"},
		{name: "reader allowed without a key", token: "Bearer " + bob.AccessToken, wantEffect: "Allow", wantPrincipal: bobSub},
		{name: "in no allowed group", token: "Bearer " + carol.AccessToken, wantEffect: "Deny"},
		{name: "id token where access is required", token: "Bearer " + alice.IDToken, wantError: "Unauthorized"},
		{name: "another app client", token: "Bearer " + aliceOther.AccessToken, wantError: "Unauthorized"},
		{name: "tampered", token: "Bearer " + tampered(alice.AccessToken), wantError: "Unauthorized"},
		{name: "missing", token: "", wantError: "Unauthorized"},
		{name: "garbage", token: "Bearer not-a-jwt", wantError: "Unauthorized"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{
				Type: "TOKEN", AuthorizationToken: tt.token, MethodArn: methodARN,
			})
			body, err := fn.Invoke(ctx, event)
			if err != nil {
				t.Fatalf("invoke: %v\n%s", err, fn.Output())
			}
			var failed struct{ ErrorMessage string }
			_ = json.Unmarshal(body, &failed)
			if tt.wantError != "" {
				if failed.ErrorMessage != tt.wantError {
					t.Fatalf("response %s, want error %q", body, tt.wantError)
				}
				return
			}
			if failed.ErrorMessage != "" {
				t.Fatalf("invocation failed: %s\n%s", body, fn.Output())
			}
			var resp events.APIGatewayCustomAuthorizerResponse
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatal(err)
			}
			if len(resp.PolicyDocument.Statement) == 0 {
				t.Fatalf("no policy statements: %s", body)
			}
			for _, st := range resp.PolicyDocument.Statement {
				if st.Effect != tt.wantEffect {
					t.Fatalf("statement effect %s, want %s: %s", st.Effect, tt.wantEffect, body)
				}
			}
			if tt.wantEffect != "Allow" {
				return
			}
			if resp.PrincipalID != tt.wantPrincipal {
				t.Errorf("principalId = %q, want %q", resp.PrincipalID, tt.wantPrincipal)
			}
			want := []string{
				"arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/token",
				"arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/profile",
			}
			got := resp.PolicyDocument.Statement[0].Resource
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("allowed resources = %v, want exactly %v", got, want)
			}
			// Without a key, API Gateway answers 403 on methods that
			// require one.
			if resp.UsageIdentifierKey != tt.wantKey {
				t.Errorf("usageIdentifierKey = %q, want %q", resp.UsageIdentifierKey, tt.wantKey)
			}
			if resp.Context["sub"] != tt.wantPrincipal || resp.Context["username"] == nil {
				t.Errorf("context = %v, want sub and username", resp.Context)
			}
		})
	}
	out := fn.Stop()
	for _, tok := range []string{alice.AccessToken, bob.AccessToken, carol.AccessToken, alice.IDToken, aliceOther.AccessToken} {
		sig := tok[strings.LastIndex(tok, ".")+1:]
		if strings.Contains(out, sig) {
			t.Fatalf("a token signature reached the function's output:\n%s", out)
		}
	}
	if !strings.Contains(out, `"message":"decision"`) {
		t.Errorf("no JSON decision log in the output:\n%s", out)
	}
}

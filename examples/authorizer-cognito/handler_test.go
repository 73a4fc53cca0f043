package main

// Unit tests of the handler, without AWS and without any peer: an
// authorizertest issuer shaped like the Cognito pool signs the tokens, and
// secenvtest.Env stands for the function's environment. Test a function of
// yours the same way; main_test.go runs the built binary against real
// peers.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvtest"
)

const (
	unitPool   = "us-east-1_unitTest1"
	unitClient = "client-1"
	writersKey = "writers-usage-key-0001"
	tokenARN   = "arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/token"
)

// unitEnv is the function's environment for a pool at issuer.
func unitEnv(issuer string) secenvtest.Env {
	return secenvtest.Env{
		"COGNITO_USER_POOL_ID": unitPool,
		"COGNITO_CLIENT_IDS":   unitClient,
		"COGNITO_TOKEN_USE":    "access",
		"COGNITO_ISSUER":       issuer,
		"ALLOWED_GROUPS":       "writers,readers",
		"API_ROUTES":           "GET /token, GET /profile",
		"USAGE_KEY_BY_GROUP":   "writers=" + writersKey,
	}
}

// newUnitHandler builds the handler as main does, from env, trusting iss.
func newUnitHandler(t *testing.T, iss *authorizertest.Issuer, log *bytes.Buffer) handler {
	t.Helper()
	cfg, err := loadConfig(context.Background(), unitEnv(iss.URL).Lookup)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHandler(cfg, iss.Client(), redact.NewLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandler(t *testing.T) {
	iss := authorizertest.NewCognitoIssuer(unitPool)
	defer iss.Close()
	var log bytes.Buffer
	h := newUnitHandler(t, iss, &log)

	sign := func(claims map[string]any) string {
		t.Helper()
		tok, err := iss.Sign(claims, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	access := func(u authorizertest.CognitoUser) string {
		return sign(authorizertest.CognitoAccessClaims(unitClient, u))
	}
	alice := authorizertest.CognitoUser{Sub: "sub-alice", Username: "alice", Groups: []string{"writers"}}
	bob := authorizertest.CognitoUser{Sub: "sub-bob", Username: "bob", Groups: []string{"readers"}}
	carol := authorizertest.CognitoUser{Sub: "sub-carol", Username: "carol"}
	expired := authorizertest.CognitoAccessClaims(unitClient, alice)
	expired["exp"] = time.Now().Add(-time.Minute).Unix()
	aliceToken := access(alice)

	tests := []struct {
		name          string
		token         string
		wantEffect    string // "" for a 401
		wantPrincipal string
		wantKey       string
	}{
		{name: "writer allowed with the writers' usage key", token: "Bearer " + aliceToken, wantEffect: "Allow", wantPrincipal: "sub-alice", wantKey: writersKey},
		{name: "bare token", token: aliceToken, wantEffect: "Allow", wantPrincipal: "sub-alice", wantKey: writersKey},
		{name: "reader allowed without a usage key", token: "Bearer " + access(bob), wantEffect: "Allow", wantPrincipal: "sub-bob"},
		{name: "in no allowed group", token: "Bearer " + access(carol), wantEffect: "Deny"},
		{name: "ID token where access is required", token: "Bearer " + sign(authorizertest.CognitoIDClaims(unitClient, alice))},
		{name: "another app client", token: "Bearer " + sign(authorizertest.CognitoAccessClaims("client-2", alice))},
		{name: "expired", token: "Bearer " + sign(expired)},
		{name: "tampered", token: "Bearer " + aliceToken[:len(aliceToken)-4] + "AAAA"},
		{name: "garbage", token: "Bearer not-a-jwt"},
		{name: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h(context.Background(), events.APIGatewayCustomAuthorizerRequest{
				Type: "TOKEN", AuthorizationToken: tt.token, MethodArn: tokenARN,
			})
			if tt.wantEffect == "" {
				assertUnauthorized(t, resp, err)
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want a %s policy", err, tt.wantEffect)
			}
			if got := effect(resp); got != tt.wantEffect {
				t.Fatalf("effect = %s, want %s", got, tt.wantEffect)
			}
			if tt.wantEffect != "Allow" {
				return
			}
			if resp.PrincipalID != tt.wantPrincipal {
				t.Errorf("principalId = %q, want %q", resp.PrincipalID, tt.wantPrincipal)
			}
			want := []string{tokenARN, strings.Replace(tokenARN, "GET/token", "GET/profile", 1)}
			if got := resp.PolicyDocument.Statement[0].Resource; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("allowed resources = %v, want every route of API_ROUTES: %v", got, want)
			}
			if resp.UsageIdentifierKey != tt.wantKey {
				t.Errorf("usageIdentifierKey = %q, want %q", resp.UsageIdentifierKey, tt.wantKey)
			}
		})
	}
	if sig := aliceToken[strings.LastIndex(aliceToken, ".")+1:]; strings.Contains(log.String(), sig) {
		t.Errorf("a token signature reached the log:\n%s", log.String())
	}
}

// A key set outage is a 500, never an Allow and never a 401 that a client
// would answer by signing in again.
func TestHandlerKeySetOutage(t *testing.T) {
	iss := authorizertest.NewCognitoIssuer(unitPool)
	defer iss.Close()
	iss.FailJWKS(http.StatusServiceUnavailable)
	var log bytes.Buffer
	h := newUnitHandler(t, iss, &log)
	tok, err := iss.Sign(authorizertest.CognitoAccessClaims(unitClient, authorizertest.CognitoUser{Username: "alice", Groups: []string{"writers"}}), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: tokenARN,
	})
	if !errors.Is(err, authorizer.ErrUnavailable) || errors.Is(err, authorizer.ErrUnauthorized) {
		t.Fatalf("err = %v, want authorizer.ErrUnavailable (a 500)", err)
	}
	if len(resp.PolicyDocument.Statement) != 0 {
		t.Fatalf("policy %+v with an error", resp.PolicyDocument)
	}
}

// assertUnauthorized checks the answer that API Gateway turns into 401: no
// policy, and an error whose message is exactly "Unauthorized".
func assertUnauthorized(t *testing.T, resp events.APIGatewayCustomAuthorizerResponse, err error) {
	t.Helper()
	if !errors.Is(err, authorizer.ErrUnauthorized) || errors.Is(err, authorizer.ErrForbidden) {
		t.Fatalf("err = %v, want authorizer.ErrUnauthorized (401)", err)
	}
	// API Gateway answers 401 only for this exact message.
	if err.Error() != "Unauthorized" {
		t.Fatalf("error message %q, want \"Unauthorized\"", err.Error())
	}
	if len(resp.PolicyDocument.Statement) != 0 {
		t.Fatalf("policy %+v with a 401", resp.PolicyDocument)
	}
}

func TestLoadConfig(t *testing.T) {
	ctx := context.Background()
	cfg, err := loadConfig(ctx, secenvtest.Env{
		"COGNITO_USER_POOL_ID": unitPool,
		"COGNITO_CLIENT_IDS":   "c1, c2",
		"API_ROUTES":           "GET /token,POST /notes/*",
		"USAGE_KEY_BY_GROUP":   "writers=k1, admins=k2",
	}.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TokenUse != tokenUse(authorizer.TokenUseAccess) || len(cfg.ClientIDs) != 2 || len(cfg.AllowedGroups) != 0 ||
		cfg.AllowHTTPLoopbackIssuer || cfg.UsageKeys["admins"] != "k2" {
		t.Errorf("config = %+v, want access tokens of c1 and c2, any group, admins' key k2", cfg)
	}
	if r := cfg.routes(); len(r) != 2 || r[1] != (authorizer.Route{Method: "POST", Resource: "/notes/*"}) {
		t.Errorf("routes = %v", r)
	}

	base := map[string]string{"COGNITO_USER_POOL_ID": unitPool, "COGNITO_CLIENT_IDS": "c", "API_ROUTES": "GET /x"}
	tests := []struct {
		name     string
		set      map[string]string // over base; "" unsets
		wantVar  string
		sentinel error
	}{
		{name: "no pool", set: map[string]string{"COGNITO_USER_POOL_ID": ""}, wantVar: "COGNITO_USER_POOL_ID", sentinel: secenv.ErrMissing},
		{name: "no clients", set: map[string]string{"COGNITO_CLIENT_IDS": ""}, wantVar: "COGNITO_CLIENT_IDS", sentinel: secenv.ErrMissing},
		{name: "a client list of nothing", set: map[string]string{"COGNITO_CLIENT_IDS": " , "}, wantVar: "COGNITO_CLIENT_IDS", sentinel: secenv.ErrEmpty},
		{name: "no routes", set: map[string]string{"API_ROUTES": ""}, wantVar: "API_ROUTES", sentinel: secenv.ErrMissing},
		{name: "route without a path", set: map[string]string{"API_ROUTES": "GET"}, wantVar: "API_ROUTES", sentinel: secenv.ErrInvalid},
		{name: "route with a relative path", set: map[string]string{"API_ROUTES": "GET /x,GET x"}, wantVar: "API_ROUTES", sentinel: secenv.ErrInvalid},
		{name: "token use both", set: map[string]string{"COGNITO_TOKEN_USE": "both"}, wantVar: "COGNITO_TOKEN_USE", sentinel: secenv.ErrInvalid},
		{name: "usage key without a group", set: map[string]string{"USAGE_KEY_BY_GROUP": "=k1"}, wantVar: "USAGE_KEY_BY_GROUP", sentinel: secenv.ErrInvalid},
		{name: "usage key without a key", set: map[string]string{"USAGE_KEY_BY_GROUP": "writers="}, wantVar: "USAGE_KEY_BY_GROUP", sentinel: secenv.ErrInvalid},
		{name: "usage key not group=key", set: map[string]string{"USAGE_KEY_BY_GROUP": "writers:k1"}, wantVar: "USAGE_KEY_BY_GROUP", sentinel: secenv.ErrInvalid},
		{name: "loopback switch not a bool", set: map[string]string{"ALLOW_HTTP_LOOPBACK_ISSUER": "yes please"}, wantVar: "ALLOW_HTTP_LOOPBACK_ISSUER", sentinel: secenv.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := secenvtest.Env{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.set {
				if v == "" {
					delete(env, k)
				} else {
					env[k] = v
				}
			}
			_, err := loadConfig(ctx, env.Lookup)
			var fe *secenv.FieldError
			if !errors.As(err, &fe) || fe.Var != tt.wantVar || !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want a *secenv.FieldError for %s matching %v", err, tt.wantVar, tt.sentinel)
			}
		})
	}
}

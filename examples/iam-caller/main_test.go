package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// TestUnderRIE runs the function under aws-lambda-rie with the request
// contexts API Gateway builds for each access-control method.
func TestUnderRIE(t *testing.T) {
	const origin = "https://app.example.com"
	fn := testpeer.StartFunction(t, testpeer.BuildFunction(t, ".", "."), map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "iam-caller",
		"ALLOWED_ORIGIN":           origin,
	})
	federated := events.APIGatewayRequestIdentity{
		CognitoIdentityPoolID:         "us-east-1:11111111-2222-3333-4444-555555555555",
		CognitoIdentityID:             "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		CognitoAuthenticationType:     "authenticated",
		CognitoAuthenticationProvider: "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123,cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123:CognitoSignIn:4f2b6c1e-0000-4000-8000-000000000001",
		AccountID:                     "123456789012",
		Caller:                        "AROAEXAMPLEROLEID:CognitoIdentityCredentials",
		AccessKey:                     "ASIAEXAMPLEKEYID0001",
		UserArn:                       "arn:aws:sts::123456789012:assumed-role/FederatedCallerRole/CognitoIdentityCredentials",
		User:                          "AROAEXAMPLEROLEID:CognitoIdentityCredentials",
	}
	iamUser := events.APIGatewayRequestIdentity{
		AccountID: "123456789012",
		Caller:    "AIDAEXAMPLEUSERID001",
		AccessKey: "AKIAEXAMPLEKEYID0001",
		UserArn:   "arn:aws:iam::123456789012:user/ops",
		User:      "AIDAEXAMPLEUSERID001",
	}
	request := func(resource string, id events.APIGatewayRequestIdentity, auth map[string]any) events.APIGatewayProxyRequest {
		return events.APIGatewayProxyRequest{
			Resource: resource, Path: resource, HTTPMethod: "GET",
			Headers: map[string]string{"Origin": origin},
			RequestContext: events.APIGatewayProxyRequestContext{
				AccountID: "123456789012", Stage: "prod", ResourcePath: resource, HTTPMethod: "GET",
				RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", Identity: id, Authorizer: auth,
			},
		}
	}
	tests := []struct {
		name          string
		req           events.APIGatewayProxyRequest
		wantStatus    int
		wantMethod    string
		wantPrincipal string
		wantProvider  string
	}{
		{
			name: "federated identity", req: request("/whoami", federated, nil), wantStatus: 200,
			wantMethod: "cognito-identity", wantPrincipal: federated.CognitoIdentityID,
			wantProvider: "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
		},
		{name: "IAM user", req: request("/whoami", iamUser, nil), wantStatus: 200, wantMethod: "iam", wantPrincipal: iamUser.UserArn},
		{name: "whoami without SigV4 identity", req: request("/whoami", events.APIGatewayRequestIdentity{SourceIP: "203.0.113.9"}, nil), wantStatus: 403},
		{
			name: "user pool claims", wantStatus: 200, wantMethod: "cognito-user-pool", wantPrincipal: "4f2b6c1e-0000-4000-8000-000000000001",
			req: request("/profile", events.APIGatewayRequestIdentity{}, map[string]any{"claims": map[string]any{
				"sub": "4f2b6c1e-0000-4000-8000-000000000001", "cognito:username": "alice", "token_use": "id",
				"cognito:groups": "writers", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
				"exp": "Sat Nov 28 12:00:00 UTC 2026",
			}}),
		},
		{name: "profile without claims", req: request("/profile", events.APIGatewayRequestIdentity{}, nil), wantStatus: 403},
		{
			name: "token authorizer context", wantStatus: 200, wantMethod: "lambda-authorizer", wantPrincipal: "4f2b6c1e-0000-4000-8000-000000000001",
			req: request("/token", events.APIGatewayRequestIdentity{}, map[string]any{
				"principalId": "4f2b6c1e-0000-4000-8000-000000000001", "seclambda": "1",
				"sub": "4f2b6c1e-0000-4000-8000-000000000001", "username": "alice", "groups": `["writers"]`,
			}),
		},
		{
			name: "another Lambda authorizer's context", wantStatus: 403,
			req: request("/token", events.APIGatewayRequestIdentity{}, map[string]any{"principalId": "4f2b6c1e-0000-4000-8000-000000000001", "username": "alice"}),
		},
		{name: "device without authorizer", req: request("/device", events.APIGatewayRequestIdentity{}, nil), wantStatus: 403},
		{name: "unknown route", req: request("/admin", iamUser, nil), wantStatus: 404},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			event, _ := json.Marshal(tt.req)
			raw, err := fn.Invoke(ctx, event)
			if err != nil {
				t.Fatalf("invoke: %v\n%s", err, fn.Output())
			}
			var resp events.APIGatewayProxyResponse
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Fatalf("response %s: %v", raw, err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if got := resp.Headers["Access-Control-Allow-Origin"]; got != origin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q even on %d", got, origin, resp.StatusCode)
			}
			if tt.wantStatus != 200 {
				return
			}
			var got identity
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			if got.Method != tt.wantMethod || got.Principal != tt.wantPrincipal {
				t.Errorf("identity = %+v, want method %s principal %s", got, tt.wantMethod, tt.wantPrincipal)
			}
			if tt.wantProvider != "" && (got.Provider == nil || got.Provider.Name != tt.wantProvider || got.Provider.Sub == "") {
				t.Errorf("provider = %+v, want %s with a sub", got.Provider, tt.wantProvider)
			}
		})
	}
}

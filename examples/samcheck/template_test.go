package samcheck

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestExampleTemplateShowsEveryControl checks that the examples' template
// demonstrates each API Gateway access control and deployment rule that
// seclambda documents. These are properties of that one template, not
// rules every template must follow, so they live here rather than in Check.
func TestExampleTemplateShowsEveryControl(t *testing.T) {
	data, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	res := func(name string) map[string]any {
		t.Helper()
		r, ok := tmpl.Resources[name]
		if !ok {
			t.Fatalf("template has no resource %s", name)
		}
		return r.Properties
	}
	rest, http := res("RestApi"), res("HttpApi")
	tests := []struct {
		resource, rule string
		ok             bool
	}{
		{"RestApi", "Lambda TOKEN authorizer", get(rest, "Auth", "Authorizers", "TokenAuthorizer", "FunctionArn") != nil},
		{"RestApi", "Lambda REQUEST authorizer", get(rest, "Auth", "Authorizers", "MtlsAuthorizer", "FunctionPayloadType") == "REQUEST"},
		{"RestApi", "Cognito user pool authorizer", get(rest, "Auth", "Authorizers", "UserPoolAuthorizer", "UserPoolArn") != nil},
		{"RestApi", "API keys required", get(rest, "Auth", "ApiKeyRequired") == true},
		{"RestApi", "API keys chosen by the authorizers", get(rest, "ApiKeySourceType") == "AUTHORIZER"},
		{"UsagePlan", "usage plan throttle", get(res("UsagePlan"), "Throttle", "RateLimit") != nil},
		{"UsagePlan", "usage plan quota", get(res("UsagePlan"), "Quota", "Limit") != nil},
		{"WritersApiKeyInPlan", "API key in the usage plan", get(res("WritersApiKeyInPlan"), "UsagePlanId") == "${UsagePlan}"},
		{"RestApi", "resource policy", get(rest, "Auth", "ResourcePolicy") != nil},
		{"RestApi", "mTLS truststore", get(rest, "Domain", "MutualTlsAuthentication", "TruststoreUri") != nil},
		{"RestApi", "default endpoint disabled behind mTLS", get(rest, "DisableExecuteApiEndpoint") == true},
		{"RestApi", "4XX gateway responses carry CORS", get(rest, "GatewayResponses", "DEFAULT_4XX", "ResponseParameters", "Headers", "Access-Control-Allow-Origin") != nil},
		{"RestApi", "5XX gateway responses carry CORS", get(rest, "GatewayResponses", "DEFAULT_5XX", "ResponseParameters", "Headers", "Access-Control-Allow-Origin") != nil},
		{"HttpApi", "JWT authorizer", get(http, "Auth", "Authorizers", "CognitoJWT", "JwtConfiguration") != nil},
		{"HttpApi", "CORS preflights reach the cors-wrapped function unauthenticated", get(res("ApiFunction"), "Events", "Preflight", "Properties", "Auth", "Authorizer") == "NONE" && get(http, "CorsConfiguration") == nil},
		{"IamCallerFunction", "AWS_IAM route", get(res("IamCallerFunction"), "Events", "WhoAmI", "Properties", "Auth", "Authorizer") == "AWS_IAM"},
		{"IdentityPool", "no unauthenticated identities", get(res("IdentityPool"), "AllowUnauthenticatedIdentities") == false},
		{"FederatedCallerRole", "may invoke only the IAM route", onlyInvokes(res("FederatedCallerRole"), "/prod/GET/whoami")},
		{"DeployRole", "OIDC trust bound to repository and branch", oidcBound(res("DeployRole"))},
		{"DeployRole", "permissions boundary", res("DeployRole")["PermissionsBoundary"] != nil},
		{"ApiFunction", "in a VPC", get(res("ApiFunction"), "VpcConfig", "SubnetIds") != nil},
		{"AlbListener", "ALB authenticate-cognito before the Lambda target", get(list(get(res("AlbListener"), "DefaultActions"))[0], "Type") == "authenticate-cognito"},
		{"AlbTargetGroup", "ALB target group of the function", get(res("AlbTargetGroup"), "TargetType") == "lambda"},
		{"AlbTargetInvokePermission", "invoke permission scoped to the named target group", strings.Contains(fmt.Sprint(get(res("AlbTargetInvokePermission"), "SourceArn")), ":targetgroup/${AWS::StackName}-alb/")},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: %s: missing from the example template", tt.resource, tt.rule)
		}
	}
}

// onlyInvokes reports whether every statement of the role allows only
// execute-api:Invoke on a resource ending in route.
func onlyInvokes(role map[string]any, route string) bool {
	n := 0
	for _, pol := range list(role["Policies"]) {
		for _, st := range list(get(pol, "PolicyDocument", "Statement")) {
			acts, resources := strs(get(st, "Action")), strs(get(st, "Resource"))
			if len(acts) != 1 || acts[0] != "execute-api:Invoke" || len(resources) != 1 || !strings.HasSuffix(resources[0], route) {
				return false
			}
			n++
		}
	}
	return n > 0
}

func oidcBound(role map[string]any) bool {
	for _, st := range list(get(role, "AssumeRolePolicyDocument", "Statement")) {
		sub, _ := str(get(st, "Condition", "StringEquals", "token.actions.githubusercontent.com:sub"))
		aud, _ := str(get(st, "Condition", "StringEquals", "token.actions.githubusercontent.com:aud"))
		if strings.HasPrefix(sub, "repo:${GitHubRepository}:ref:refs/heads/") && aud == "sts.amazonaws.com" {
			return true
		}
	}
	return false
}

package authorizer_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
)

func TestParseCognitoAuthenticationProvider(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want authorizer.CognitoProvider
		err  error
	}{
		{
			name: "user pool",
			in:   "cognito-idp.us-east-1.amazonaws.com/us-east-1_aaaaaaaaa,cognito-idp.us-east-1.amazonaws.com/us-east-1_aaaaaaaaa:CognitoSignIn:qqqqqqqq-1111-2222-3333-rrrrrrrrrrrr",
			want: authorizer.CognitoProvider{Provider: "cognito-idp.us-east-1.amazonaws.com/us-east-1_aaaaaaaaa", UserPoolID: "us-east-1_aaaaaaaaa", Region: "us-east-1", Sub: "qqqqqqqq-1111-2222-3333-rrrrrrrrrrrr"},
		},
		{name: "external", in: "graph.facebook.com,graph.facebook.com:1234567", want: authorizer.CognitoProvider{Provider: "graph.facebook.com", ID: "1234567"}},
		{name: "external without id", in: "accounts.google.com", want: authorizer.CognitoProvider{Provider: "accounts.google.com"}},
		{name: "empty", in: "", err: authorizer.ErrProvider},
		{name: "empty sub", in: "cognito-idp.us-east-1.amazonaws.com/us-east-1_a:CognitoSignIn:", err: authorizer.ErrProvider},
		{name: "not a pool", in: "evil.example/x:CognitoSignIn:sub", err: authorizer.ErrProvider},
		{name: "too long", in: strings.Repeat("a", 5000), err: authorizer.ErrProvider},
		{name: "SAML provider ARN", in: "arn:aws:iam::123456789012:saml-provider/Corp,arn:aws:iam::123456789012:saml-provider/Corp:user@example.com",
			want: authorizer.CognitoProvider{Provider: "arn:aws:iam::123456789012:saml-provider/Corp", ID: "user@example.com"}},
		{name: "China user pool", in: "cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_P1,cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_P1:CognitoSignIn:s",
			want: authorizer.CognitoProvider{Provider: "cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_P1", UserPoolID: "cn-north-1_P1", Region: "cn-north-1", Sub: "s"}},
		// Regression: the login part was taken from the last element without
		// checking it against the provider named first.
		{name: "pool login smuggled after another provider", in: "login.example.app,login.example.app:x,cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1:CognitoSignIn:victim-sub", err: authorizer.ErrProvider},
		{name: "pool login of another provider", in: "login.example.app,cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1:CognitoSignIn:victim-sub", err: authorizer.ErrProvider},
		{name: "login of another pool", in: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1,cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool2:CognitoSignIn:victim-sub", err: authorizer.ErrProvider},
		{name: "external ID of another provider", in: "graph.facebook.com,accounts.google.com:123", err: authorizer.ErrProvider},
		{name: "external provider with a CognitoSignIn ID", in: "login.example.app,login.example.app:CognitoSignIn:victim-sub", err: authorizer.ErrProvider},
		{name: "pool host of another region", in: "cognito-idp.eu-west-1.amazonaws.com/us-east-1_Pool1,cognito-idp.eu-west-1.amazonaws.com/us-east-1_Pool1:CognitoSignIn:s", err: authorizer.ErrProvider},
		{name: "pool without sub", in: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1", err: authorizer.ErrProvider},
		{name: "pool login without CognitoSignIn", in: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1,cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1:s", err: authorizer.ErrProvider},
		{name: "three parts", in: "graph.facebook.com,graph.facebook.com:1,graph.facebook.com:2", err: authorizer.ErrProvider},
		{name: "empty ID", in: "graph.facebook.com,graph.facebook.com:", err: authorizer.ErrProvider},
		{name: "whitespace", in: "graph.facebook.com, graph.facebook.com:1", err: authorizer.ErrProvider},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := authorizer.ParseCognitoAuthenticationProvider(tc.in)
			if tc.err != nil {
				wantErrs(t, err, tc.err)
				return
			}
			wantErrs(t, err)
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCallerFromRequest(t *testing.T) {
	var rest events.APIGatewayProxyRequest
	fixture(t, "apigw-request.json", &rest)
	c, err := authorizer.CallerFromRequest(rest)
	wantErrs(t, err)
	if c.Provider == nil || c.Provider.Provider != "theCognitoAuthenticationProvider" || c.UserID != "theUser" {
		t.Fatalf("caller = %+v", c)
	}
	rest.RequestContext.Identity.CognitoAuthenticationProvider = "cognito-idp.us-east-2.amazonaws.com/us-east-2_Pool1,cognito-idp.us-east-2.amazonaws.com/us-east-2_Pool1:CognitoSignIn:sub-1"
	c, err = authorizer.CallerFromRequest(rest)
	wantErrs(t, err)
	if c.UserARN != "theUserArn" || c.AccessKey != "ANEXAMPLEOFACCESSKEY" || c.CognitoIdentityID != "theCognitoIdentityId" ||
		c.CognitoIdentityPoolID != "theCognitoIdentityPoolId" || c.Provider == nil || c.Provider.Sub != "sub-1" || c.Provider.UserPoolID != "us-east-2_Pool1" {
		t.Fatalf("caller = %+v", c)
	}

	var v2 events.APIGatewayV2HTTPRequest
	fixture(t, "apigw-v2-request-iam.json", &v2)
	c2, err := authorizer.CallerFromRequest(v2)
	wantErrs(t, err)
	if c2.UserARN != "arn:aws:iam::1234567890:user/Admin" || c2.CallerID != "AROA7ZJZYVRE7C3DUXHH6:CognitoIdentityCredentials" ||
		c2.CognitoIdentityPoolID != "us-east-1:4f291106-8703-466b-8f2b-3ecee1ca56ce" || c2.PrincipalOrgID != "AwsOrgId" || !slices.Equal(c2.AMR, []string{"foo"}) {
		t.Fatalf("caller = %+v", c2)
	}

	// HTTP API lists the user pool and its login as separate amr entries,
	// which must agree.
	const pool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1"
	amrs := []struct {
		name string
		amr  []string
		sub  string
		err  error
	}{
		{name: "pool login", amr: []string{"authenticated", pool, pool + ":CognitoSignIn:sub-1"}, sub: "sub-1"},
		{name: "login without its pool", amr: []string{"authenticated", "login.example.app", pool + ":CognitoSignIn:victim"}, err: authorizer.ErrProvider},
		{name: "two logins", amr: []string{"authenticated", pool, pool + ":CognitoSignIn:a", pool + ":CognitoSignIn:b"}, err: authorizer.ErrProvider},
	}
	for _, tc := range amrs {
		t.Run("amr "+tc.name, func(t *testing.T) {
			r := v2
			iam := *r.RequestContext.Authorizer.IAM
			iam.CognitoIdentity.AMR = tc.amr
			r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &iam}
			c, err := authorizer.CallerFromRequest(r)
			if tc.err != nil {
				wantErrs(t, err, tc.err)
				return
			}
			wantErrs(t, err)
			if c.Provider == nil || c.Provider.Sub != tc.sub || c.Provider.Provider != pool {
				t.Fatalf("provider = %+v", c.Provider)
			}
		})
	}

	var jwtReq events.APIGatewayV2HTTPRequest
	fixture(t, "apigw-v2-request-jwt-authorizer.json", &jwtReq)
	if _, err := authorizer.CallerFromRequest(jwtReq); !errors.Is(err, authorizer.ErrNoCaller) {
		t.Fatalf("JWT request: %v", err)
	}
	if _, err := authorizer.CallerFromRequest(events.APIGatewayProxyRequest{}); !errors.Is(err, authorizer.ErrNoCaller) {
		t.Fatalf("empty request: %v", err)
	}
}

func TestClaimsFromRequest(t *testing.T) {
	var v2 events.APIGatewayV2HTTPRequest
	fixture(t, "apigw-v2-request-jwt-authorizer.json", &v2)
	v2.RequestContext.Authorizer.JWT.Claims["sub"] = "user-1"
	v2.RequestContext.Authorizer.JWT.Claims["cognito:groups"] = "[admin staff]"
	v2.RequestContext.Authorizer.JWT.Claims["exp"] = "1700000000"
	c, err := authorizer.ClaimsFromRequest(v2)
	wantErrs(t, err)
	if c.Subject != "user-1" || c.Raw["claim1"] != "value1" || !slices.Equal(c.Scopes, []string{"scope1", "scope2"}) ||
		!slices.Equal(c.Groups, []string{"admin", "staff"}) || c.ExpiresAt.Unix() != 1700000000 {
		t.Fatalf("claims = %+v", c)
	}

	var rest events.APIGatewayProxyRequest
	fixture(t, "apigw-request.json", &rest)
	if _, err := authorizer.ClaimsFromRequest(rest); !errors.Is(err, authorizer.ErrNoClaims) {
		t.Fatalf("lambda authorizer map: %v", err)
	}
	rest.RequestContext.Authorizer = map[string]any{"claims": map[string]any{
		"sub": "user-2", "cognito:groups": "admin,staff", "token_use": "id", "aud": "client-1",
		"exp": "Fri Jul 29 18:52:53 UTC 2016", "cognito:username": "bob",
	}}
	c, err = authorizer.ClaimsFromRequest(rest)
	wantErrs(t, err)
	if c.Subject != "user-2" || c.Username != "bob" || !slices.Equal(c.Groups, []string{"admin", "staff"}) ||
		!slices.Equal(c.Audience, []string{"client-1"}) || c.ExpiresAt.Year() != 2016 {
		t.Fatalf("claims = %+v", c)
	}
	if _, err := authorizer.ClaimsFromRequest(events.APIGatewayV2HTTPRequest{}); !errors.Is(err, authorizer.ErrNoClaims) {
		t.Fatalf("empty v2: %v", err)
	}
}

func TestParseMethodARN(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want authorizer.MethodARN
		err  bool
	}{
		{name: "REST", in: "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/request",
			want: authorizer.MethodARN{Partition: "aws", Region: "us-east-1", AccountID: "123456789012", APIID: "s4x3opwd6i", Stage: "test", Method: "GET", Resource: "request"}},
		{name: "nested resource", in: "arn:aws-cn:execute-api:cn-north-1:123456789012:abc/prod/POST/pets/1/toys",
			want: authorizer.MethodARN{Partition: "aws-cn", Region: "cn-north-1", AccountID: "123456789012", APIID: "abc", Stage: "prod", Method: "POST", Resource: "pets/1/toys"}},
		{name: "test invoke", in: "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/",
			want: authorizer.MethodARN{Partition: "aws", Region: "us-west-2", AccountID: "123456789012", APIID: "ymy8tbxw7b", Stage: "*", Method: "GET"}},
		{name: "HTTP API default stage", in: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/my/path",
			want: authorizer.MethodARN{Partition: "aws", Region: "us-east-1", AccountID: "123456789012", APIID: "abcdef123", Stage: "$default", Method: "GET", Resource: "my/path"}},
		{name: "other service", in: "arn:aws:s3:::bucket/key", err: true},
		{name: "short account", in: "arn:aws:execute-api:us-east-1:1234:abc/test/GET/x", err: true},
		{name: "no method", in: "arn:aws:execute-api:us-east-1:123456789012:abc/test", err: true},
		{name: "empty", in: "", err: true},
		{name: "too long", in: "arn:aws:execute-api:us-east-1:123456789012:abc/test/GET/" + strings.Repeat("a", 3000), err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := authorizer.ParseMethodARN(tc.in)
			if tc.err {
				wantErrs(t, err, authorizer.ErrMethodARN)
				return
			}
			wantErrs(t, err)
			if got != tc.want {
				t.Fatalf("got %+v", got)
			}
			if got.String() != tc.in {
				t.Fatalf("String() = %s", got.String())
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	arn, err := authorizer.ParseMethodARN("arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets")
	wantErrs(t, err)
	tests := []struct {
		name     string
		wildcard bool
		routes   []authorizer.Route
		err      error
		want     []string
		effect   string
	}{
		{name: "least privilege", routes: []authorizer.Route{{Method: "get", Resource: "/pets"}}, want: []string{"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets"}, effect: "Allow"},
		{name: "empty is deny", want: []string{"arn:aws:execute-api:us-east-1:123456789012:abc/prod/*"}, effect: "Deny"},
		{name: "wildcard method refused", routes: []authorizer.Route{{Method: "*", Resource: "/pets"}}, err: authorizer.ErrWildcard},
		{name: "wildcard resource refused", routes: []authorizer.Route{{Method: "GET", Resource: "/pets/*"}}, err: authorizer.ErrWildcard},
		{name: "wildcard with opt-in", wildcard: true, routes: []authorizer.Route{{Method: "GET", Resource: "/pets/*"}}, want: []string{"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/*"}, effect: "Allow"},
		{name: "bad method", routes: []authorizer.Route{{Method: "FETCH", Resource: "/pets"}}, err: authorizer.ErrRoute},
		{name: "relative resource", routes: []authorizer.Route{{Method: "GET", Resource: "pets"}}, err: authorizer.ErrRoute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := authorizer.NewPolicy(arn)
			if tc.wildcard {
				p.AllowWildcards()
			}
			err := p.Allow(tc.routes...)
			if tc.err != nil {
				wantErrs(t, err, tc.err)
				return
			}
			wantErrs(t, err)
			doc := p.Document()
			if doc.Statement[0].Effect != tc.effect || !slices.Equal(doc.Statement[0].Resource, tc.want) {
				t.Fatalf("policy = %+v", doc)
			}
		})
	}
}

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
		{name: "pool host outside AWS", in: "cognito-idp.evil.example/us-east-1_Pool1,cognito-idp.evil.example/us-east-1_Pool1:CognitoSignIn:s", err: authorizer.ErrProvider},
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

func TestCallerFromEvent(t *testing.T) {
	var rest events.APIGatewayProxyRequest
	fixture(t, "apigw-request.json", &rest)
	c, err := authorizer.CallerFromEvent(rest)
	wantErrs(t, err)
	if c.Provider == nil || c.Provider.Provider != "theCognitoAuthenticationProvider" || c.UserID != "theUser" {
		t.Fatalf("caller = %+v", c)
	}
	rest.RequestContext.Identity.CognitoAuthenticationProvider = "cognito-idp.us-east-2.amazonaws.com/us-east-2_Pool1,cognito-idp.us-east-2.amazonaws.com/us-east-2_Pool1:CognitoSignIn:sub-1"
	c, err = authorizer.CallerFromEvent(rest)
	wantErrs(t, err)
	if c.UserARN != "theUserArn" || c.AccessKey != "ANEXAMPLEOFACCESSKEY" || c.CognitoIdentityID != "theCognitoIdentityId" ||
		c.CognitoIdentityPoolID != "theCognitoIdentityPoolId" || c.Provider == nil || c.Provider.Sub != "sub-1" || c.Provider.UserPoolID != "us-east-2_Pool1" {
		t.Fatalf("caller = %+v", c)
	}

	var v2 events.APIGatewayV2HTTPRequest
	fixture(t, "apigw-v2-request-iam.json", &v2)
	c2, err := authorizer.CallerFromEvent(v2)
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
			c, err := authorizer.CallerFromEvent(r)
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
	if _, err := authorizer.CallerFromEvent(jwtReq); !errors.Is(err, authorizer.ErrNoCaller) {
		t.Fatalf("JWT request: %v", err)
	}
	if _, err := authorizer.CallerFromEvent(events.APIGatewayProxyRequest{}); !errors.Is(err, authorizer.ErrNoCaller) {
		t.Fatalf("empty request: %v", err)
	}
}

func TestClaimsFromEvent(t *testing.T) {
	const cognitoIss = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1"
	// httpAPI is an HTTP API JWT authorizer event with the fixture's claims
	// plus claims (strings, as API Gateway passes them).
	httpAPI := func(t *testing.T, claims map[string]string, scopes []string) events.APIGatewayV2HTTPRequest {
		t.Helper()
		var r events.APIGatewayV2HTTPRequest
		fixture(t, "apigw-v2-request-jwt-authorizer.json", &r)
		for k, v := range claims {
			r.RequestContext.Authorizer.JWT.Claims[k] = v
		}
		if scopes != nil {
			r.RequestContext.Authorizer.JWT.Scopes = scopes
		}
		return r
	}
	// rest is a REST Cognito user pool authorizer event with claims.
	rest := func(t *testing.T, claims map[string]any) events.APIGatewayProxyRequest {
		t.Helper()
		var r events.APIGatewayProxyRequest
		fixture(t, "apigw-request.json", &r)
		if claims != nil {
			r.RequestContext.Authorizer = map[string]any{"claims": claims}
		}
		return r
	}
	// lambdaREST is a REST event behind a Lambda authorizer whose context,
	// with principalId, is auth.
	lambdaREST := func(auth map[string]any) events.APIGatewayProxyRequest {
		var r events.APIGatewayProxyRequest
		r.RequestContext.Authorizer = auth
		return r
	}
	// lambdaHTTP is an HTTP API event behind a Lambda authorizer whose
	// context is auth, and a JWT authorizer when jwt is not nil.
	lambdaHTTP := func(auth map[string]any, jwt *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription) events.APIGatewayV2HTTPRequest {
		var r events.APIGatewayV2HTTPRequest
		r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: auth, JWT: jwt}
		return r
	}
	tests := []struct {
		name   string
		get    func(t *testing.T) (*authorizer.Claims, error)
		err    error
		claim  string // the claim an error names
		groups []string
		aud    []string
		scopes []string
		check  func(t *testing.T, c *authorizer.Claims)
	}{
		{name: "HTTP API cognito:groups", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{
				"sub": "user-1", "iss": cognitoIss, "cognito:groups": "[admin staff]", "exp": "1700000000",
			}, nil))
		}, groups: []string{"admin", "staff"}, scopes: []string{"scope1", "scope2"}, check: func(t *testing.T, c *authorizer.Claims) {
			if c.Subject != "user-1" || c.Raw["claim1"] != "value1" || c.ExpiresAt.Unix() != 1700000000 {
				t.Fatalf("claims = %+v", c)
			}
		}},
		// Regression: "[Billing Admins]" was split on the space, so
		// HasGroup("Admins") was true for a member of "Billing Admins".
		{name: "HTTP API groups with a space are ambiguous", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "groups": "[Billing Admins]"}, nil))
		}, err: authorizer.ErrClaimType, claim: "groups"},
		{name: "HTTP API two groups are ambiguous", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "groups": "[billing admins]"}, nil))
		}, err: authorizer.ErrClaimType, claim: "groups"},
		{name: "HTTP API one group", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "groups": "[Admins]"}, nil))
		}, groups: []string{"Admins"}, scopes: []string{"scope1", "scope2"}},
		{name: "HTTP API groups as a JSON array", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "groups": `["Billing Admins","Ops"]`}, nil))
		}, groups: []string{"Billing Admins", "Ops"}, scopes: []string{"scope1", "scope2"}},
		{name: "HTTP API group as a plain string", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "groups": "Billing Admins"}, nil))
		}, groups: []string{"Billing Admins"}, scopes: []string{"scope1", "scope2"}},
		{name: "HTTP API aud of URIs", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "aud": "[https://api.example https://tenant.example/userinfo]"}, nil))
		}, aud: []string{"https://api.example", "https://tenant.example/userinfo"}, scopes: []string{"scope1", "scope2"}},
		{name: "HTTP API aud of names is ambiguous", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "aud": "[client one]"}, nil))
		}, err: authorizer.ErrClaimType, claim: "aud"},
		{name: "HTTP API scope claim", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "scope": "orders/read orders/write"}, []string{}))
		}, scopes: []string{"orders/read", "orders/write"}},
		{name: "HTTP API scp array", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "scp": "[orders/read orders/write]"}, []string{}))
		}, scopes: []string{"orders/read", "orders/write"}},
		{name: "HTTP API bad date", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(httpAPI(t, map[string]string{"sub": "u", "exp": "tomorrow"}, nil))
		}, err: authorizer.ErrClaimType, claim: "exp"},
		{name: "REST strings", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(rest(t, map[string]any{
				"sub": "user-2", "cognito:groups": "admin,staff", "token_use": "id", "aud": "client-1",
				"exp": "Fri Jul 29 18:52:53 UTC 2016", "cognito:username": "bob",
			}))
		}, groups: []string{"admin", "staff"}, aud: []string{"client-1"}, check: func(t *testing.T, c *authorizer.Claims) {
			if c.Subject != "user-2" || c.Username != "bob" || c.ExpiresAt.Year() != 2016 || c.TokenUse != "id" {
				t.Fatalf("claims = %+v", c)
			}
		}},
		{name: "REST JSON types", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(rest(t, map[string]any{
				"sub": "user-3", "groups": []any{"Billing Admins", "Ops"}, "aud": []any{"a", "b"},
				"exp": float64(1700000000), "scope": "orders/read",
			}))
		}, groups: []string{"Billing Admins", "Ops"}, aud: []string{"a", "b"}, scopes: []string{"orders/read"}, check: func(t *testing.T, c *authorizer.Claims) {
			if c.ExpiresAt.Unix() != 1700000000 {
				t.Fatalf("exp = %v", c.ExpiresAt)
			}
		}},
		{name: "REST numeric sub", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(rest(t, map[string]any{"sub": float64(7)}))
		}, err: authorizer.ErrClaimType, claim: "sub"},
		{name: "REST group that is not a string", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(rest(t, map[string]any{"sub": "u", "cognito:groups": []any{"admin", 1.0}}))
		}, err: authorizer.ErrClaimType, claim: "cognito:groups"},
		{name: "REST Lambda authorizer map", get: func(t *testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(rest(t, nil))
		}, err: authorizer.ErrNoClaims},
		{name: "REST our Lambda authorizer", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{
				"principalId": "user-4", "integrationLatency": 0, "seclambda": "1", "sub": "user-4", "username": "dana",
				"groups": `["Billing Admins","a,b"]`, "scopes": `["orders/read"]`, "client_id": "c1", "tenant": "t1",
			}))
		}, groups: []string{"Billing Admins", "a,b"}, scopes: []string{"orders/read"}, check: func(t *testing.T, c *authorizer.Claims) {
			if c.Subject != "user-4" || c.Username != "dana" || c.ClientID != "c1" || c.Raw["tenant"] != "t1" {
				t.Fatalf("claims = %+v", c)
			}
		}},
		{name: "REST our Lambda authorizer without lists", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"principalId": "u", "seclambda": "1", "sub": "u"}))
		}},
		{name: "REST another Lambda authorizer", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"principalId": "u", "sub": "u", "groups": "admin"}))
		}, err: authorizer.ErrNoClaims},
		{name: "REST our context next to user pool claims", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"seclambda": "1", "sub": "u", "claims": map[string]any{"sub": "v"}}))
		}, err: authorizer.ErrAmbiguousClaims},
		{name: "REST principalId is not sub", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"principalId": "admin", "seclambda": "1", "sub": "u"}))
		}, err: authorizer.ErrAmbiguousClaims, claim: "sub"},
		{name: "REST our context with empty sub", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"principalId": "", "seclambda": "1", "sub": ""}))
		}, err: authorizer.ErrMissingSubject, claim: "sub"},
		{name: "REST our context without sub", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"seclambda": "1", "groups": `["admin"]`}))
		}, err: authorizer.ErrMissingSubject, claim: "sub"},
		{name: "REST groups in the comma form", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"seclambda": "1", "sub": "u", "groups": "admin,staff"}))
		}, err: authorizer.ErrClaimType, claim: "groups"},
		{name: "REST groups of numbers", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"seclambda": "1", "sub": "u", "groups": `["admin",1]`}))
		}, err: authorizer.ErrClaimType, claim: "groups"},
		{name: "REST scopes null", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"seclambda": "1", "sub": "u", "scopes": "null"}))
		}, err: authorizer.ErrClaimType, claim: "scopes"},
		{name: "REST unknown format version", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaREST(map[string]any{"seclambda": "2", "sub": "u"}))
		}, err: authorizer.ErrClaimType, claim: "seclambda"},
		{name: "HTTP API our Lambda authorizer", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaHTTP(map[string]any{
				"seclambda": "1", "sub": "user-5", "groups": `["Billing Admins"]`, "scopes": `["a","b"]`, "tier": float64(3),
			}, nil))
		}, groups: []string{"Billing Admins"}, scopes: []string{"a", "b"}, check: func(t *testing.T, c *authorizer.Claims) {
			if c.Subject != "user-5" || c.Raw["tier"] != float64(3) {
				t.Fatalf("claims = %+v", c)
			}
		}},
		{name: "HTTP API another Lambda authorizer", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaHTTP(map[string]any{"sub": "u"}, nil))
		}, err: authorizer.ErrNoClaims},
		{name: "HTTP API groups as an array", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaHTTP(map[string]any{"seclambda": "1", "sub": "u", "groups": []any{"admin"}}, nil))
		}, err: authorizer.ErrClaimType, claim: "groups"},
		{name: "HTTP API numeric sub", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaHTTP(map[string]any{"seclambda": "1", "sub": float64(1)}, nil))
		}, err: authorizer.ErrClaimType, claim: "sub"},
		{name: "HTTP API our context next to JWT claims", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(lambdaHTTP(map[string]any{"seclambda": "1", "sub": "u"},
				&events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "v"}}))
		}, err: authorizer.ErrAmbiguousClaims},
		{name: "HTTP API our context next to an IAM caller", get: func(*testing.T) (*authorizer.Claims, error) {
			r := lambdaHTTP(map[string]any{"seclambda": "1", "sub": "u"}, nil)
			r.RequestContext.Authorizer.IAM = &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: "arn:aws:iam::123456789012:user/ops"}
			return authorizer.ClaimsFromEvent(r)
		}, err: authorizer.ErrAmbiguousClaims},
		{name: "HTTP API without authorizer", get: func(*testing.T) (*authorizer.Claims, error) {
			return authorizer.ClaimsFromEvent(events.APIGatewayV2HTTPRequest{})
		}, err: authorizer.ErrNoClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.get(t)
			if tc.err != nil {
				wantErrs(t, err, tc.err)
				if c != nil {
					t.Fatal("claims returned with an error")
				}
				var ce *authorizer.ClaimError
				if tc.claim != "" && (!errors.As(err, &ce) || ce.Claim != tc.claim) {
					t.Fatalf("error %v does not name claim %q", err, tc.claim)
				}
				return
			}
			wantErrs(t, err)
			if !slices.Equal(c.Groups, tc.groups) || !slices.Equal(c.Audience, tc.aud) || !slices.Equal(c.Scopes, tc.scopes) {
				t.Fatalf("groups %q, aud %q, scopes %q; want %q, %q, %q", c.Groups, c.Audience, c.Scopes, tc.groups, tc.aud, tc.scopes)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
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

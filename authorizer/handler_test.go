package authorizer_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
)

// fixture decodes testdata/name into v.
func fixture(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// roundTrip marshals v, unmarshals it into a new value of its type and
// checks that nothing was lost; it returns the JSON.
func roundTrip[T any](t *testing.T, v T) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back T
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Fatalf("round trip changed the response:\n%s\n%s", b, b2)
	}
	return b
}

// handlerCase is one row of the handler tables.
type handlerCase struct {
	name      string
	token     func(s *oidcSetup, t *testing.T) string
	opts      []authorizer.Option
	outage    bool
	wantErr   error // ErrUnauthorized, or ErrUnavailable for a 500
	wantAllow []string
	wantDeny  bool
}

func handlerCases(t *testing.T, apiStage string) []handlerCase {
	t.Helper()
	valid := func(s *oidcSetup, t *testing.T) string { return s.mint(t, nil, nil) }
	return []handlerCase{
		{name: "allow keeps least privilege", token: valid, wantAllow: []string{apiStage + "GET/request"}},
		{name: "allow the principal's route set", token: valid, opts: []authorizer.Option{
			authorizer.WithRoutes(func(_ context.Context, c *authorizer.Claims) ([]authorizer.Route, error) {
				return []authorizer.Route{{Method: "GET", Resource: "/request"}, {Method: "POST", Resource: "/orders"}}, nil
			}),
		}, wantAllow: []string{apiStage + "GET/request", apiStage + "POST/orders"}},
		{name: "wildcard route without opt-in fails closed", token: valid, opts: []authorizer.Option{
			authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) {
				return []authorizer.Route{{Method: "*", Resource: "/*"}}, nil
			}),
		}, wantErr: authorizer.ErrWildcard},
		{name: "wildcard route with opt-in", token: valid, opts: []authorizer.Option{
			authorizer.WithWildcardRoutes(),
			authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) {
				return []authorizer.Route{{Method: "GET", Resource: "/*"}}, nil
			}),
		}, wantAllow: []string{apiStage + "GET/*"}},
		{name: "empty route set is an explicit deny", token: valid, opts: []authorizer.Option{
			authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) { return nil, nil }),
		}, wantDeny: true},
		{name: "rule rejection is an explicit deny", token: valid, opts: []authorizer.Option{
			authorizer.WithRule(func(context.Context, *authorizer.Claims) error { return errors.New("suspended") }),
		}, wantDeny: true},
		{name: "missing group is an explicit deny", token: func(s *oidcSetup, t *testing.T) string {
			return s.mint(t, map[string]any{"cognito:groups": nil}, nil)
		}, wantDeny: true},
		{name: "token without sub is Unauthorized", token: func(s *oidcSetup, t *testing.T) string {
			return s.mint(t, map[string]any{"sub": nil}, nil)
		}, wantErr: authorizer.ErrUnauthorized},
		{name: "missing token is Unauthorized", token: func(*oidcSetup, *testing.T) string { return "" }, wantErr: authorizer.ErrUnauthorized},
		{name: "expired token is Unauthorized", token: func(s *oidcSetup, t *testing.T) string {
			return s.mint(t, map[string]any{"exp": s.clock.Now().Unix() - 3600}, nil)
		}, wantErr: authorizer.ErrUnauthorized},
		{name: "forged token is Unauthorized", token: func(s *oidcSetup, t *testing.T) string {
			return unsigned(map[string]any{"alg": "none", "kid": "k1"}, s.claims(nil), nil)
		}, wantErr: authorizer.ErrUnauthorized},
		{name: "JWKS outage is a 500, never an allow", token: valid, outage: true, wantErr: authorizer.ErrUnavailable},
	}
}

func newHandlerSetup(t *testing.T, tc handlerCase) (*oidcSetup, string) {
	t.Helper()
	s := newOIDC(t, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.RequiredGroups = []string{"admin"} })
	tok := tc.token(s, t)
	if tc.outage {
		s.iss.FailJWKS(http.StatusServiceUnavailable)
	}
	return s, tok
}

// checkPolicy checks the outcome of a policy response.
func checkPolicy(t *testing.T, tc handlerCase, principal string, doc events.APIGatewayCustomAuthorizerPolicy, ctxMap map[string]any, err error) {
	t.Helper()
	if tc.wantErr != nil {
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("error = %v, want %v", err, tc.wantErr)
		}
		if tc.wantErr == authorizer.ErrUnauthorized && err.Error() != "Unauthorized" {
			t.Fatalf("401 error message is %q, want exactly Unauthorized", err.Error())
		}
		if tc.wantErr != authorizer.ErrUnauthorized && err.Error() == "Unauthorized" {
			t.Fatal("a 500 case returned Unauthorized")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 || doc.Version != "2012-10-17" || !slices.Equal(doc.Statement[0].Action, []string{"execute-api:Invoke"}) {
		t.Fatalf("policy = %+v", doc)
	}
	st := doc.Statement[0]
	if tc.wantDeny {
		if st.Effect != "Deny" || len(st.Resource) != 1 {
			t.Fatalf("want explicit Deny, got %+v", st)
		}
		return
	}
	got := slices.Clone(st.Resource)
	sort.Strings(got)
	if st.Effect != "Allow" || !slices.Equal(got, tc.wantAllow) {
		t.Fatalf("allow = %s %v, want %v", st.Effect, got, tc.wantAllow)
	}
	if principal != "user-1" {
		t.Fatalf("principalId = %q", principal)
	}
	// The issuer's URL has a random port.
	want := map[string]any{"seclambda": "1", "sub": "user-1", "iss": ctxMap["iss"], "username": "alice",
		"groups": `["admin","staff"]`, "scopes": `["orders/read","orders/write"]`}
	if iss, _ := ctxMap["iss"].(string); !strings.HasPrefix(iss, "http://127.0.0.1:") || !reflect.DeepEqual(ctxMap, want) {
		t.Fatalf("context = %v", ctxMap)
	}
}

func TestTokenHandler(t *testing.T) {
	var req events.APIGatewayCustomAuthorizerRequest
	fixture(t, "apigw-custom-auth-request.json", &req)
	req.MethodArn = "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/request"
	for _, tc := range handlerCases(t, "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/") {
		t.Run(tc.name, func(t *testing.T) {
			s, tok := newHandlerSetup(t, tc)
			r := req
			if tok != "" {
				r.AuthorizationToken = "Bearer " + tok
			} else {
				r.AuthorizationToken = ""
			}
			resp, err := newAuthorizer(t, s.v, tc.opts...).RESTToken(ctx(t), r)
			checkPolicy(t, tc, resp.PrincipalID, resp.PolicyDocument, resp.Context, err)
			if err == nil {
				roundTrip(t, resp)
			}
		})
	}
}

func TestTokenHandlerFixtureARN(t *testing.T) {
	// The fixture's ARN has the test-invoke stage "*" and an empty resource.
	var req events.APIGatewayCustomAuthorizerRequest
	fixture(t, "apigw-custom-auth-request.json", &req)
	s := newOIDC(t, nil)
	req.AuthorizationToken = s.mint(t, nil, nil)
	resp, err := newAuthorizer(t, s.v).RESTToken(ctx(t), req)
	wantErrs(t, err)
	if got := resp.PolicyDocument.Statement[0].Resource; !slices.Equal(got, []string{req.MethodArn}) {
		t.Fatalf("resource = %v, want %s", got, req.MethodArn)
	}
}

func TestRequestHandler(t *testing.T) {
	var req events.APIGatewayCustomAuthorizerRequestTypeRequest
	fixture(t, "apigw-custom-auth-request-type-request.json", &req)
	for _, tc := range handlerCases(t, "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/") {
		t.Run(tc.name, func(t *testing.T) {
			s, tok := newHandlerSetup(t, tc)
			r := req
			r.Headers = map[string]string{"authorization": "Bearer " + tok}
			resp, err := newAuthorizer(t, s.v, tc.opts...).RESTRequest(ctx(t), r)
			checkPolicy(t, tc, resp.PrincipalID, resp.PolicyDocument, resp.Context, err)
		})
	}
}

func TestRequestHandlerTokenSources(t *testing.T) {
	var req events.APIGatewayCustomAuthorizerRequestTypeRequest
	fixture(t, "apigw-custom-auth-request-type-request.json", &req)
	s := newOIDC(t, nil)
	tok := s.mint(t, nil, nil)
	tests := []struct {
		name string
		opt  authorizer.Option
		set  func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest)
	}{
		{name: "custom header, multi-value", opt: authorizer.WithTokenHeader("X-Token"), set: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			r.MultiValueHeaders = map[string][]string{"x-token": {tok}}
		}},
		{name: "query", opt: authorizer.WithTokenQuery("access_token"), set: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			r.QueryStringParameters = map[string]string{"access_token": tok}
		}},
		{name: "cookie", opt: authorizer.WithTokenCookie("session"), set: func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			r.Headers = map[string]string{"Cookie": "theme=dark; session=" + tok}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req
			tc.set(&r)
			resp, err := newAuthorizer(t, s.v, tc.opt).RESTRequest(ctx(t), r)
			wantErrs(t, err)
			if resp.PolicyDocument.Statement[0].Effect != "Allow" {
				t.Fatalf("policy = %+v", resp.PolicyDocument)
			}
			_, err = newAuthorizer(t, s.v, tc.opt).RESTRequest(ctx(t), req)
			if err != authorizer.ErrUnauthorized {
				t.Fatalf("without the token: %v", err)
			}
		})
	}
}

func TestHTTPAPIIAMHandler(t *testing.T) {
	var req events.APIGatewayV2CustomAuthorizerV2Request
	fixture(t, "apigw-v2-custom-authorizer-v2-request.json", &req)
	for _, tc := range handlerCases(t, "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/") {
		t.Run(tc.name, func(t *testing.T) {
			s, tok := newHandlerSetup(t, tc)
			r := req
			r.Headers = map[string]string{"authorization": "Bearer " + tok}
			resp, err := newAuthorizer(t, s.v, tc.opts...).HTTPAPIIAM(ctx(t), r)
			checkPolicy(t, tc, resp.PrincipalID, resp.PolicyDocument, resp.Context, err)
			if err == nil {
				roundTrip(t, resp)
			}
		})
	}
}

func TestHTTPAPISimpleHandler(t *testing.T) {
	var req events.APIGatewayV2CustomAuthorizerV2Request
	fixture(t, "apigw-v2-custom-authorizer-v2-request.json", &req)
	for _, tc := range handlerCases(t, "") {
		t.Run(tc.name, func(t *testing.T) {
			s, tok := newHandlerSetup(t, tc)
			r := req
			r.Headers = map[string]string{"authorization": "Bearer " + tok}
			resp, err := newAuthorizer(t, s.v, tc.opts...).HTTPAPISimple(ctx(t), r)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			wantErrs(t, err)
			if resp.IsAuthorized == tc.wantDeny {
				t.Fatalf("isAuthorized = %v", resp.IsAuthorized)
			}
			if resp.IsAuthorized && resp.Context["sub"] != "user-1" {
				t.Fatalf("context = %v", resp.Context)
			}
			roundTrip(t, resp)
		})
	}
	t.Run("route outside the set is not authorized", func(t *testing.T) {
		s := newOIDC(t, nil)
		r := req
		r.Headers = map[string]string{"authorization": s.mint(t, nil, nil)}
		a := newAuthorizer(t, s.v, authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) {
			return []authorizer.Route{{Method: "POST", Resource: "/request"}}, nil
		}))
		resp, err := a.HTTPAPISimple(ctx(t), r)
		wantErrs(t, err)
		if resp.IsAuthorized {
			t.Fatal("authorized a route outside the set")
		}
	})
}

func TestHandlerExtras(t *testing.T) {
	var req events.APIGatewayCustomAuthorizerRequest
	fixture(t, "apigw-custom-auth-request.json", &req)
	s := newOIDC(t, nil)
	req.AuthorizationToken = s.mint(t, map[string]any{"client_id": "app-1", "tenant": "acme"}, nil)
	tests := []struct {
		name    string
		opts    []authorizer.Option
		check   func(t *testing.T, r events.APIGatewayCustomAuthorizerResponse)
		wantErr error
	}{
		{name: "usage identifier key", opts: []authorizer.Option{
			authorizer.WithUsageIdentifierKey(func(_ context.Context, c *authorizer.Claims) (string, error) { return "key-for-" + c.ClientID, nil }),
		}, check: func(t *testing.T, r events.APIGatewayCustomAuthorizerResponse) {
			if r.UsageIdentifierKey != "key-for-app-1" {
				t.Fatalf("usageIdentifierKey = %q", r.UsageIdentifierKey)
			}
			var fields map[string]any
			var want map[string]any
			json.Unmarshal(roundTrip(t, r), &fields)
			fixture(t, "apigw-custom-auth-response.json", &want)
			for k := range want {
				if _, ok := fields[k]; !ok {
					t.Fatalf("response JSON lacks %q: %v", k, fields)
				}
			}
		}},
		{name: "no usage plan for the principal", opts: []authorizer.Option{
			authorizer.WithUsageIdentifierKey(func(context.Context, *authorizer.Claims) (string, error) { return "", nil }),
		}, check: func(t *testing.T, r events.APIGatewayCustomAuthorizerResponse) {
			// Allowed, but without a key: API Gateway refuses the
			// methods that require one.
			if r.UsageIdentifierKey != "" || len(r.PolicyDocument.Statement) == 0 || r.PolicyDocument.Statement[0].Effect != "Allow" {
				t.Fatalf("response = %+v, want an Allow without usageIdentifierKey", r)
			}
			if strings.Contains(string(roundTrip(t, r)), "usageIdentifierKey") {
				t.Fatal("response JSON names an empty usageIdentifierKey")
			}
		}},
		{name: "usage key lookup outage is a 500", opts: []authorizer.Option{
			authorizer.WithUsageIdentifierKey(func(context.Context, *authorizer.Claims) (string, error) { return "", authorizer.ErrUnavailable }),
		}, wantErr: authorizer.ErrUnavailable},
		{name: "custom context cannot override sub", opts: []authorizer.Option{
			authorizer.WithContext(func(_ context.Context, c *authorizer.Claims) (map[string]any, error) {
				return map[string]any{"tenant": c.Raw["tenant"], "sub": "spoofed", "n": 3}, nil
			}),
		}, check: func(t *testing.T, r events.APIGatewayCustomAuthorizerResponse) {
			if r.Context["tenant"] != "acme" || r.Context["sub"] != "user-1" || r.Context["client_id"] != "app-1" || r.Context["n"] != 3 {
				t.Fatalf("context = %v", r.Context)
			}
		}},
		{name: "non-scalar context value fails closed", opts: []authorizer.Option{
			authorizer.WithContext(func(context.Context, *authorizer.Claims) (map[string]any, error) {
				return map[string]any{"list": []string{"a"}}, nil
			}),
		}, wantErr: authorizer.ErrContextValue},
		{name: "rule outage is a 500", opts: []authorizer.Option{
			authorizer.WithRule(func(context.Context, *authorizer.Claims) error { return authorizer.ErrUnavailable }),
		}, wantErr: authorizer.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := newAuthorizer(t, s.v, tc.opts...).RESTToken(ctx(t), req)
			if tc.wantErr != nil {
				wantErrs(t, err, tc.wantErr)
				return
			}
			wantErrs(t, err)
			tc.check(t, resp)
		})
	}
	bad := req
	bad.MethodArn = "arn:aws:s3:::bucket"
	_, err := newAuthorizer(t, s.v).RESTToken(ctx(t), bad)
	wantErrs(t, err, authorizer.ErrMethodARN)
}

// subjectless is a Verifier that accepts every token and returns claims
// without a subject.
type subjectless struct{}

func (subjectless) Verify(context.Context, string) (*authorizer.Claims, error) {
	return &authorizer.Claims{Username: "alice"}, nil
}

// TestOnReject checks that the reason of every 401 and Deny reaches the
// WithOnReject function and matches the documented sentinels, and that
// allows and outages do not call it. Regression test: ErrMissingSubject
// and ErrRuleRejected were documented but never returned.
func TestOnReject(t *testing.T) {
	suspended := errors.New("account suspended")
	valid := func(s *oidcSetup, t *testing.T) string { return s.mint(t, nil, nil) }
	rule := func(err error) authorizer.Option {
		return authorizer.WithRule(func(context.Context, *authorizer.Claims) error { return err })
	}
	tests := []struct {
		name     string
		verifier authorizer.Verifier // nil: the OIDC verifier
		token    func(s *oidcSetup, t *testing.T) string
		opts     []authorizer.Option
		outage   bool
		wantErr  error   // of the handler
		want     []error // the reason; nil: WithOnReject not called
		claim    string  // the reason's ClaimError claim, if any
	}{
		{name: "allow", token: valid},
		{name: "missing token", token: func(*oidcSetup, *testing.T) string { return "" },
			wantErr: authorizer.ErrUnauthorized, want: []error{authorizer.ErrMissingToken, authorizer.ErrUnauthorized}},
		{name: "token without sub", token: func(s *oidcSetup, t *testing.T) string { return s.mint(t, map[string]any{"sub": nil}, nil) },
			wantErr: authorizer.ErrUnauthorized, want: []error{authorizer.ErrMissingSubject, authorizer.ErrUnauthorized}, claim: "sub"},
		{name: "verifier without sub", verifier: subjectless{}, token: valid,
			wantErr: authorizer.ErrUnauthorized, want: []error{authorizer.ErrMissingSubject}, claim: "sub"},
		{name: "expired", token: func(s *oidcSetup, t *testing.T) string {
			return s.mint(t, map[string]any{"exp": s.clock.Now().Unix() - 3600}, nil)
		}, wantErr: authorizer.ErrUnauthorized, want: []error{authorizer.ErrExpired}, claim: "exp"},
		{name: "missing group", token: func(s *oidcSetup, t *testing.T) string {
			return s.mint(t, map[string]any{"cognito:groups": nil}, nil)
		}, want: []error{authorizer.ErrMissingGroup, authorizer.ErrForbidden}, claim: "cognito:groups"},
		{name: "rule error", token: valid, opts: []authorizer.Option{rule(suspended)},
			want: []error{authorizer.ErrRuleRejected, authorizer.ErrForbidden, authorizer.ErrUnauthorized, suspended}},
		{name: "rule returns ErrRuleRejected", token: valid, opts: []authorizer.Option{rule(authorizer.ErrRuleRejected)},
			want: []error{authorizer.ErrRuleRejected, authorizer.ErrForbidden}},
		{name: "empty route set", token: valid, opts: []authorizer.Option{
			authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) { return nil, nil }),
		}, want: []error{authorizer.ErrRuleRejected}},
		{name: "rule outage is a 500", token: valid, opts: []authorizer.Option{rule(authorizer.ErrBackoff)}, wantErr: authorizer.ErrUnavailable},
		{name: "JWKS outage is a 500", token: valid, outage: true, wantErr: authorizer.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newOIDC(t, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.RequiredGroups = []string{"admin"} })
			tok := tt.token(s, t)
			if tt.outage {
				s.iss.FailJWKS(http.StatusServiceUnavailable)
			}
			var v authorizer.Verifier = s.v
			if tt.verifier != nil {
				v = tt.verifier
			}
			var reasons []error
			opts := append([]authorizer.Option{authorizer.WithOnReject(func(_ context.Context, reason error) {
				reasons = append(reasons, reason)
			})}, tt.opts...)
			resp, err := newAuthorizer(t, v, opts...).RESTToken(ctx(t), events.APIGatewayCustomAuthorizerRequest{
				AuthorizationToken: tok,
				MethodArn:          "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders",
			})
			if tt.wantErr != nil {
				wantErrs(t, err, tt.wantErr)
			} else {
				wantErrs(t, err)
				wantDeny := len(tt.want) > 0
				if effect := resp.PolicyDocument.Statement[0].Effect; (effect == "Deny") != wantDeny {
					t.Fatalf("effect %s, want deny %v", effect, wantDeny)
				}
			}
			if len(tt.want) == 0 {
				if len(reasons) != 0 {
					t.Fatalf("WithOnReject called with %v", reasons)
				}
				return
			}
			if len(reasons) != 1 {
				t.Fatalf("WithOnReject called %d times, want once", len(reasons))
			}
			wantErrs(t, reasons[0], tt.want...)
			if tt.claim != "" {
				var ce *authorizer.ClaimError
				if !errors.As(reasons[0], &ce) || ce.Claim != tt.claim {
					t.Fatalf("reason %v is not a ClaimError for %q", reasons[0], tt.claim)
				}
			}
			if strings.Count(reasons[0].Error(), authorizer.ErrRuleRejected.Error()) > 1 {
				t.Errorf("reason %q repeats itself", reasons[0])
			}
			if tok != "" && strings.Contains(reasons[0].Error(), tok) {
				t.Errorf("reason %q contains the token", reasons[0])
			}
		})
	}
}

// TestOptionsRefused checks that no option is silently ignored: a nil
// function, validator or verifier, or an empty name, is an ErrConfig error
// of New; an option that an event cannot honour makes that handler fail
// every call with ErrConfig (never Unauthorized, never an Allow), while
// the handlers that honour it keep working.
func TestOptionsRefused(t *testing.T) {
	s := newOIDC(t, nil)
	tok := "Bearer " + s.mint(t, nil, nil)
	usageKey := authorizer.WithUsageIdentifierKey(func(context.Context, *authorizer.Claims) (string, error) { return "k", nil })
	type handler int
	const (
		restToken handler = iota
		restRequest
		httpSimple
		httpIAM
	)
	tests := []struct {
		name     string
		verifier authorizer.Verifier // nil: s.v
		nilV     bool                // pass a nil verifier
		opts     []authorizer.Option
		newErr   bool      // New fails with ErrConfig
		refuse   []handler // handlers that fail every call with ErrConfig
	}{
		{name: "nil verifier", nilV: true, newErr: true},
		{name: "nil JWTVerifier pointer", verifier: (*authorizer.JWTVerifier)(nil), newErr: true},
		{name: "nil option", opts: []authorizer.Option{nil}, newErr: true},
		{name: "WithRule(nil)", opts: []authorizer.Option{authorizer.WithRule(nil)}, newErr: true},
		{name: "WithRoutes(nil)", opts: []authorizer.Option{authorizer.WithRoutes(nil)}, newErr: true},
		{name: "WithContext(nil)", opts: []authorizer.Option{authorizer.WithContext(nil)}, newErr: true},
		{name: "WithUsageIdentifierKey(nil)", opts: []authorizer.Option{authorizer.WithUsageIdentifierKey(nil)}, newErr: true},
		{name: "WithRequestRule(nil)", opts: []authorizer.Option{authorizer.WithRequestRule(nil)}, newErr: true},
		{name: "WithClientCert(nil, nil)", opts: []authorizer.Option{authorizer.WithClientCert(nil, nil)}, newErr: true},
		{name: "WithOnReject(nil)", opts: []authorizer.Option{authorizer.WithOnReject(nil)}, newErr: true},
		{name: "WithTokenHeader empty", opts: []authorizer.Option{authorizer.WithTokenHeader("")}, newErr: true},
		{name: "WithTokenQuery empty", opts: []authorizer.Option{authorizer.WithTokenQuery("")}, newErr: true},
		{name: "WithTokenCookie empty", opts: []authorizer.Option{authorizer.WithTokenCookie("")}, newErr: true},
		{name: "no options", refuse: nil},
		{name: "usage key on HTTP APIs", opts: []authorizer.Option{usageKey}, refuse: []handler{httpSimple, httpIAM}},
		{name: "token header on TOKEN", opts: []authorizer.Option{authorizer.WithTokenHeader("Authorization")}, refuse: []handler{restToken}},
		{name: "token query on TOKEN", opts: []authorizer.Option{authorizer.WithTokenQuery("access_token")}, refuse: []handler{restToken}},
		{name: "token cookie on TOKEN", opts: []authorizer.Option{authorizer.WithTokenCookie("session")}, refuse: []handler{restToken}},
		{name: "request rule on TOKEN", opts: []authorizer.Option{authorizer.WithRequestRule(func(context.Context, *authorizer.Request, *authorizer.Claims) error { return nil })}, refuse: []handler{restToken}},
	}
	var restReq events.APIGatewayCustomAuthorizerRequestTypeRequest
	fixture(t, "apigw-custom-auth-request-type-request.json", &restReq)
	var httpReq events.APIGatewayV2CustomAuthorizerV2Request
	fixture(t, "apigw-v2-custom-authorizer-v2-request.json", &httpReq)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v authorizer.Verifier = s.v
			switch {
			case tc.nilV:
				v = nil
			case tc.verifier != nil:
				v = tc.verifier
			}
			a, err := authorizer.New(v, tc.opts...)
			if tc.newErr {
				wantErrs(t, err, authorizer.ErrConfig)
				if a != nil {
					t.Fatal("New returned an Authorizer with its error")
				}
				return
			}
			wantErrs(t, err)
			for _, h := range []handler{restToken, restRequest, httpSimple, httpIAM} {
				// Each handler gets a valid token where its default
				// source looks, and where the options' sources look.
				var allowed bool
				switch h {
				case restToken:
					var resp events.APIGatewayCustomAuthorizerResponse
					resp, err = a.RESTToken(ctx(t), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: tok, MethodArn: restReq.MethodArn})
					allowed = err == nil && resp.PolicyDocument.Statement[0].Effect == "Allow"
				case restRequest:
					r := restReq
					r.Headers = map[string]string{"Authorization": tok, "Cookie": "session=" + tok[len("Bearer "):]}
					r.QueryStringParameters = map[string]string{"access_token": tok[len("Bearer "):]}
					var resp events.APIGatewayCustomAuthorizerResponse
					resp, err = a.RESTRequest(ctx(t), r)
					allowed = err == nil && resp.PolicyDocument.Statement[0].Effect == "Allow"
				case httpSimple, httpIAM:
					r := httpReq
					r.Headers = map[string]string{"authorization": tok}
					r.Cookies = []string{"session=" + tok[len("Bearer "):]}
					r.QueryStringParameters = map[string]string{"access_token": tok[len("Bearer "):]}
					if h == httpSimple {
						var resp events.APIGatewayV2CustomAuthorizerSimpleResponse
						resp, err = a.HTTPAPISimple(ctx(t), r)
						allowed = err == nil && resp.IsAuthorized
					} else {
						var resp events.APIGatewayV2CustomAuthorizerIAMPolicyResponse
						resp, err = a.HTTPAPIIAM(ctx(t), r)
						allowed = err == nil && resp.PolicyDocument.Statement[0].Effect == "Allow"
					}
				}
				if slices.Contains(tc.refuse, h) {
					wantErrs(t, err, authorizer.ErrConfig)
					if err.Error() == "Unauthorized" {
						t.Fatalf("handler %d: ErrConfig answered as Unauthorized", h)
					}
					continue
				}
				if err != nil || !allowed {
					t.Fatalf("handler %d: err %v, allowed %v; want an Allow", h, err, allowed)
				}
			}
		})
	}
}

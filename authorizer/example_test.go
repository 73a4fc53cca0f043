package authorizer_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
)

// demoVerifier stands in for a *JWTVerifier so that the examples run
// without an issuer: it accepts the token "good" only.
type demoVerifier struct{}

func (demoVerifier) Verify(_ context.Context, token string) (*authorizer.Claims, error) {
	if token != "good" {
		return nil, authorizer.ErrSignature
	}
	return &authorizer.Claims{Subject: "user-1", Username: "alice", Groups: []string{"admin"}}, nil
}

func ExampleNewCognitoVerifier() {
	v, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{
		UserPoolID: "eu-west-1_AbCdEf123",
		ClientIDs:  []string{"1example23456789"},
		TokenUse:   authorizer.TokenUseAccess,
		// The verified-token cache is on (DefaultCacheSize); no clock skew
		// is allowed unless Leeway says so.
		Settings: authorizer.Settings{Leeway: 5 * time.Second},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Issuer())
	// In main: v.Prefetch(ctx) at cold start, then
	// a, err := authorizer.New(v) and lambda.Start(a.RESTToken).

	_, err = authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_AbCdEf123", TokenUse: authorizer.TokenUseID})
	fmt.Println(err)
	// Output:
	// https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123
	// authorizer: invalid configuration: ClientIDs is required (or set InsecureSkipClientIDCheck)
}

// A REST TOKEN authorizer that allows the principal's whole route set, so
// that API Gateway's cached policy is right for every route.
func ExampleAuthorizer_RESTToken() {
	routes := func(_ context.Context, c *authorizer.Claims) ([]authorizer.Route, error) {
		rs := []authorizer.Route{{Method: "GET", Resource: "/orders"}}
		if c.HasGroup("admin") {
			rs = append(rs, authorizer.Route{Method: "DELETE", Resource: "/orders"})
		}
		return rs, nil
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithRoutes(routes))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.RESTToken)

	resp, err := a.RESTToken(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: "Bearer good",
		MethodArn:          "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders",
	})
	fmt.Println(err, resp.PrincipalID, resp.PolicyDocument.Statement[0].Effect)
	for _, r := range resp.PolicyDocument.Statement[0].Resource {
		fmt.Println(r)
	}
	fmt.Println(resp.Context["groups"])

	_, err = a.RESTToken(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		AuthorizationToken: "Bearer forged",
		MethodArn:          "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders",
	})
	fmt.Println(err)
	// Output:
	// <nil> user-1 Allow
	// arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders
	// arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/DELETE/orders
	// ["admin"]
	// Unauthorized
}

// A REST REQUEST authorizer that reads the token from a cookie.
func ExampleAuthorizer_RESTRequest() {
	a, err := authorizer.New(demoVerifier{}, authorizer.WithTokenCookie("session"))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.RESTRequest)

	req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:      "REQUEST",
		MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/profile",
		Headers:   map[string]string{"Cookie": "theme=dark; session=good"},
	}
	resp, err := a.RESTRequest(context.Background(), req)
	fmt.Println(err, resp.PolicyDocument.Statement[0].Effect, resp.PolicyDocument.Statement[0].Resource)

	req.Headers = nil
	_, err = a.RESTRequest(context.Background(), req)
	fmt.Println(err)
	// Output:
	// <nil> Allow [arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/profile]
	// Unauthorized
}

// An HTTP API authorizer with simple responses and a rule that denies
// (403) principals outside the admin group.
func ExampleAuthorizer_HTTPAPISimple() {
	adminsOnly := func(_ context.Context, c *authorizer.Claims) error {
		if !c.HasGroup("admin") {
			return authorizer.ErrRuleRejected
		}
		return nil
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithRule(adminsOnly))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.HTTPAPISimple)

	resp, err := a.HTTPAPISimple(context.Background(), events.APIGatewayV2CustomAuthorizerV2Request{
		Version:  "2.0",
		Type:     "REQUEST",
		RouteArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/orders",
		Headers:  map[string]string{"authorization": "Bearer good"},
	})
	fmt.Println(err, resp.IsAuthorized, resp.Context["sub"], resp.Context["username"])
	// Output:
	// <nil> true user-1 alice
}

func ExampleParseMethodARN() {
	arn, err := authorizer.ParseMethodARN("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/pets/42")
	fmt.Println(err, arn.APIID, arn.Stage, arn.Method, arn.Resource)

	p := authorizer.NewPolicy(arn)
	fmt.Println(p.Allow(authorizer.Route{Method: "GET", Resource: "/pets/*"}))
	// Output:
	// <nil> s4x3opwd6i test GET pets/42
	// authorizer: wildcard route without opt-in: "GET /pets/*"
}

func ExampleCallerFromEvent() {
	var req events.APIGatewayProxyRequest
	req.RequestContext.Identity.UserArn = "arn:aws:sts::123456789012:assumed-role/app/session"
	req.RequestContext.Identity.CognitoIdentityID = "eu-west-1:11111111-2222-3333-4444-555555555555"
	req.RequestContext.Identity.CognitoAuthenticationProvider = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC,cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC:CognitoSignIn:user-sub"
	c, err := authorizer.CallerFromEvent(req)
	fmt.Println(err, c.UserARN)
	fmt.Println(c.Provider.UserPoolID, c.Provider.Sub)
	// Output:
	// <nil> arn:aws:sts::123456789012:assumed-role/app/session
	// eu-west-1_AbC user-sub
}

// A backend behind an Authorizer (as a REST Lambda authorizer) reads the
// subject, groups and scopes back from the authorizer context, which API
// Gateway passes as strings next to principalId.
func ExampleClaimsFromEvent() {
	a, err := authorizer.New(demoVerifier{})
	if err != nil {
		log.Fatal(err)
	}
	resp, _ := a.RESTToken(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		AuthorizationToken: "Bearer good",
		MethodArn:          "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders",
	})

	// What the backend receives, as API Gateway builds it.
	var req events.APIGatewayProxyRequest
	req.RequestContext.Authorizer = map[string]any{"principalId": resp.PrincipalID}
	for k, v := range resp.Context {
		req.RequestContext.Authorizer[k] = fmt.Sprint(v)
	}
	c, err := authorizer.ClaimsFromEvent(req)
	fmt.Println(err, c.Subject, c.Username, c.Groups, c.HasGroup("admin"))
	// Output:
	// <nil> user-1 alice [admin] true
}

// A REQUEST or HTTP API authorizer with a rule that sees the request: the
// team in the path must be one of the principal's groups. A rejection is an
// explicit Deny (isAuthorized false), as for WithRule.
func ExampleWithRequestRule() {
	sameTeam := func(_ context.Context, r *authorizer.Request, c *authorizer.Claims) error {
		if !c.HasGroup(r.PathParameters["team"]) {
			return errors.New("not a member of the path's team")
		}
		return nil
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithRequestRule(sameTeam))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.HTTPAPISimple), with authorizer caching off or
	// $request.path among the identity sources.

	for _, team := range []string{"admin", "billing"} {
		resp, err := a.HTTPAPISimple(context.Background(), events.APIGatewayV2CustomAuthorizerV2Request{
			Version:        "2.0",
			Type:           "REQUEST",
			RouteArn:       "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/teams/" + team,
			RouteKey:       "GET /teams/{team}",
			Headers:        map[string]string{"authorization": "Bearer good"},
			PathParameters: map[string]string{"team": team},
		})
		fmt.Println(team, err, resp.IsAuthorized)
	}
	// Output:
	// admin <nil> true
	// billing <nil> false
}

// Mutual TLS and a JWT as one REST REQUEST authorizer: the client
// certificate must pass the mtls checks (here with the CAs' CRLs) and name
// the token's user. The Authorizer maps every outcome: 401 without a valid
// token, Deny for a bad or foreign certificate, 500 when the CRLs cannot
// give a verdict.
func ExampleWithClientCert() {
	pki, err := mtlstest.NewPKI(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	alice, err := mtlstest.NewLeaf(pki.Intermediate, pki.At, mtlstest.LeafOptions{CommonName: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	certs, err := mtls.NewValidator(mtls.Config{
		TrustStore: pki.TrustStorePEM(), // the API Gateway truststore bundle
		CRLs:       pki.CRLsPEM(),
		AllowAny:   true, // the binding to the token's user is the allow-list
		Clock:      func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	sameUser := func(_ context.Context, id *mtls.Identity, c *authorizer.Claims) error {
		if id.CommonName != c.Username {
			return errors.New("certificate of another user")
		}
		return nil
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithClientCert(certs, sameUser))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.RESTRequest)

	for _, cert := range []*mtlstest.Cert{alice, pki.Good} {
		req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type:      "REQUEST",
			MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/device",
			Headers:   map[string]string{"Authorization": "Bearer good"},
		}
		req.RequestContext.Identity.ClientCert.ClientCertPem = cert.PEMString()
		resp, err := a.RESTRequest(context.Background(), req)
		fmt.Println(err, resp.PolicyDocument.Statement[0].Effect, resp.Context["mtlsSubject"])
	}
	// Output:
	// <nil> Allow CN=alice
	// <nil> Deny <nil>
}

// A verifier of any OIDC issuer's tokens. Here the issuer is
// authorizertest's, on loopback; in a function, Issuer is the provider's
// URL (Auth0, Okta, Entra ID, Google...) and the JWKS URL is discovered from
// it at the first token, or with Prefetch at cold start.
func ExampleNewOIDCVerifier() {
	iss := authorizertest.NewIssuer()
	defer iss.Close()
	cfg := iss.OIDCConfig("api://orders") // Issuer, Audiences and an HTTPClient that trusts the test issuer
	cfg.RequiredScopes = []string{"orders/read"}
	v, err := authorizer.NewOIDCVerifier(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}

	exp := time.Now().Add(time.Hour).Unix()
	for _, aud := range []string{"api://orders", "api://billing"} {
		tok, _ := iss.Sign(map[string]any{"sub": "user-1", "aud": aud, "exp": exp, "scope": "orders/read"}, nil)
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			fmt.Println(aud, errors.Is(err, authorizer.ErrUnauthorized), errors.Is(err, authorizer.ErrAudience))
			continue
		}
		fmt.Println(aud, c.Subject, c.Scopes)
	}

	_, err = authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example"})
	fmt.Println(err)
	// Output:
	// api://orders user-1 [orders/read]
	// api://billing true true
	// authorizer: invalid configuration: Audiences is required (or set InsecureSkipAudienceCheck)
}

// Federation: one authorizer for the tokens of two issuers. The unverified
// iss picks the verifier, which then checks everything; a token of an
// unknown issuer is refused without a fetch.
func ExampleNewMultiVerifier() {
	workforce, partners := authorizertest.NewIssuer(), authorizertest.NewIssuer()
	defer workforce.Close()
	defer partners.Close()
	var vs []authorizer.Verifier
	for _, iss := range []*authorizertest.Issuer{workforce, partners} {
		v, err := authorizer.NewOIDCVerifier(iss.OIDCConfig("api://orders"))
		if err != nil {
			fmt.Println(err)
			return
		}
		vs = append(vs, v)
	}
	m, err := authorizer.NewMultiVerifier(vs...)
	if err != nil {
		fmt.Println(err)
		return
	}

	claims := map[string]any{"aud": "api://orders", "exp": time.Now().Add(time.Hour).Unix()}
	claims["sub"] = "employee-1"
	a, _ := workforce.Sign(claims, nil)
	claims["sub"] = "partner-1"
	b, _ := partners.Sign(claims, nil)
	claims["iss"] = "https://unknown.example"
	c, _ := partners.Sign(claims, nil)
	for _, tok := range []string{a, b, c} {
		got, err := m.Verify(context.Background(), tok)
		if err != nil {
			fmt.Println(errors.Is(err, authorizer.ErrIssuer))
			continue
		}
		fmt.Println(got.Subject)
	}
	// Output:
	// employee-1
	// partner-1
	// true
}

// An HTTP API Lambda authorizer with IAM policy responses: like a REST
// authorizer, it answers with a policy for the routeArn's API stage, which
// HTTP API caches per identity source.
func ExampleAuthorizer_HTTPAPIIAM() {
	routes := func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) {
		return []authorizer.Route{{Method: "GET", Resource: "/orders"}, {Method: "POST", Resource: "/orders"}}, nil
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithRoutes(routes))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.HTTPAPIIAM)

	for _, token := range []string{"good", "forged"} {
		resp, err := a.HTTPAPIIAM(context.Background(), events.APIGatewayV2CustomAuthorizerV2Request{
			Version:  "2.0",
			Type:     "REQUEST",
			RouteArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/orders",
			Headers:  map[string]string{"authorization": "Bearer " + token},
		})
		if err != nil {
			fmt.Println(err) // API Gateway answers 401
			continue
		}
		st := resp.PolicyDocument.Statement[0]
		fmt.Println(resp.PrincipalID, st.Effect, st.Resource)
	}
	// Output:
	// user-1 Allow [arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/orders arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/POST/orders]
	// Unauthorized
}

// A policy built by hand, for an authorizer of your own: the routes are
// checked, and a wildcard needs its opt-in.
func ExampleNewPolicy() {
	arn, err := authorizer.ParseMethodARN("arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/pets/42")
	if err != nil {
		log.Fatal(err)
	}
	p := authorizer.NewPolicy(arn)
	fmt.Println(p.Allow(authorizer.Route{Method: "GET", Resource: "/pets/42"}, authorizer.Route{Method: "PUT", Resource: "/pets/42"}))
	fmt.Println(p.Allow(authorizer.Route{Method: "GET", Resource: "pets"}))
	fmt.Println(p.Allow(authorizer.Route{Method: "DELETE", Resource: "/pets/*"}))
	doc := p.Document()
	fmt.Println(doc.Statement[0].Effect, doc.Statement[0].Resource)

	deny := authorizer.NewPolicy(arn).Document().Statement[0] // nothing allowed: an explicit Deny
	fmt.Println(deny.Effect, deny.Resource)
	// Output:
	// <nil>
	// authorizer: invalid route: "GET pets"
	// authorizer: wildcard route without opt-in: "DELETE /pets/*"
	// Allow [arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/pets/42 arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/PUT/pets/42]
	// Deny [arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*]
}

// WithRoutes gives the principal's whole route set. With an HTTP API simple
// response, which has no policy, the request is authorized when its route
// is in the set.
func ExampleWithRoutes() {
	routes := func(_ context.Context, c *authorizer.Claims) ([]authorizer.Route, error) {
		if c.HasGroup("admin") {
			return []authorizer.Route{{Method: "GET", Resource: "/orders"}, {Method: "DELETE", Resource: "/orders/*"}}, nil
		}
		return []authorizer.Route{{Method: "GET", Resource: "/orders"}}, nil
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithRoutes(routes), authorizer.WithWildcardRoutes())
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.HTTPAPISimple), with $context.routeKey among the
	// identity sources or caching off, since the answer depends on the route.

	for _, route := range []string{"GET/orders", "DELETE/orders/o-1", "POST/orders"} {
		resp, err := a.HTTPAPISimple(context.Background(), events.APIGatewayV2CustomAuthorizerV2Request{
			Version:  "2.0",
			Type:     "REQUEST",
			RouteArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/" + route,
			Headers:  map[string]string{"authorization": "Bearer good"},
		})
		fmt.Println(route, err, resp.IsAuthorized)
	}
	// Output:
	// GET/orders <nil> true
	// DELETE/orders/o-1 <nil> true
	// POST/orders <nil> false
}

// A REST API whose API key source is AUTHORIZER: the authorizer names the
// usage plan's key of each principal, so a client cannot choose another's
// plan. HTTP APIs have no usage plans; their handlers refuse the option.
func ExampleWithUsageIdentifierKey() {
	keyOf := map[string]string{"admin": "key-for-admins"} // in a function: from configuration
	usageKey := func(_ context.Context, c *authorizer.Claims) (string, error) {
		for _, g := range c.Groups {
			if k, ok := keyOf[g]; ok {
				return k, nil
			}
		}
		return "", nil // no plan: API Gateway answers 403 on methods that need a key
	}
	a, err := authorizer.New(demoVerifier{}, authorizer.WithUsageIdentifierKey(usageKey))
	if err != nil {
		log.Fatal(err)
	}
	// lambda.Start(a.RESTToken)

	resp, err := a.RESTToken(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: "Bearer good",
		MethodArn:          "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders",
	})
	fmt.Println(err, resp.PolicyDocument.Statement[0].Effect, resp.UsageIdentifierKey)

	_, err = a.HTTPAPISimple(context.Background(), events.APIGatewayV2CustomAuthorizerV2Request{
		RouteArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/orders",
		Headers:  map[string]string{"authorization": "Bearer good"},
	})
	fmt.Println(errors.Is(err, authorizer.ErrConfig))
	// Output:
	// <nil> Allow key-for-admins
	// true
}

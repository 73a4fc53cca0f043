package authorizertest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
)

// A Cognito-shaped pool: the verifier configuration comes from the issuer,
// and the token has the shape of a Cognito access token.
func ExampleNewCognitoIssuer() {
	iss := authorizertest.NewCognitoIssuer("us-east-1_test")
	defer iss.Close()

	v, err := authorizer.NewCognitoVerifier(iss.CognitoConfig(authorizer.TokenUseAccess, "client-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := iss.Sign(authorizertest.CognitoAccessClaims("client-1", authorizertest.CognitoUser{
		Sub: "5b0f6c1e-0000-4000-8000-000000000001", Username: "alice", Groups: []string{"admins"},
	}), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := v.Verify(context.Background(), tok)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Username, c.Groups, c.TokenUse)
	// Output: alice [admins] access
}

// An OpenID Connect issuer: any claims, and a verifier that finds the keys
// through discovery over TLS.
func ExampleNewIssuer() {
	iss := authorizertest.NewIssuer()
	defer iss.Close()

	v, err := authorizer.NewOIDCVerifier(iss.OIDCConfig("my-api"))
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := iss.Sign(map[string]any{
		"sub":    "alice",
		"aud":    "my-api",
		"exp":    time.Now().Add(time.Hour).Unix(),
		"groups": []string{"admins"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := v.Verify(context.Background(), tok)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Subject, c.Groups)

	// A token for another audience is refused.
	other, _ := iss.Sign(map[string]any{"sub": "alice", "aud": "other", "exp": time.Now().Add(time.Hour).Unix()}, nil)
	_, err = v.Verify(context.Background(), other)
	fmt.Println(errors.Is(err, authorizer.ErrAudience))
	// Output:
	// alice [admins]
	// true
}

// Rotation: tokens of the new key verify, and so do the old key's until it
// is no longer published.
func ExampleIssuer_Rotate() {
	iss := authorizertest.NewIssuer()
	defer iss.Close()
	v, _ := authorizer.NewOIDCVerifier(iss.OIDCConfig("my-api"))
	claims := map[string]any{"sub": "alice", "aud": "my-api", "exp": time.Now().Add(time.Hour).Unix()}

	old, _ := iss.Sign(claims, nil)
	if _, err := iss.Rotate("k2"); err != nil {
		fmt.Println(err)
		return
	}
	fresh, _ := iss.Sign(claims, nil)
	_, errFresh := v.Verify(context.Background(), fresh)
	_, errOld := v.Verify(context.Background(), old)
	fmt.Println(errFresh, errOld)
	// Output: <nil> <nil>
}

// An outage of the key set is an [authorizer.ErrUnavailable] (a 5xx), not a
// rejection of the token.
func ExampleIssuer_FailJWKS() {
	iss := authorizertest.NewIssuer()
	defer iss.Close()
	iss.FailJWKS(http.StatusServiceUnavailable)

	v, _ := authorizer.NewOIDCVerifier(iss.OIDCConfig("my-api"))
	tok, _ := iss.Sign(map[string]any{"sub": "alice", "aud": "my-api", "exp": time.Now().Add(time.Hour).Unix()}, nil)
	_, err := v.Verify(context.Background(), tok)
	fmt.Println(errors.Is(err, authorizer.ErrUnavailable), errors.Is(err, authorizer.ErrUnauthorized))
	// Output: true false
}

// A unit test of a TOKEN authorizer built on the kit: a token of the
// pool's shape gets an Allow, a token of another client a 401.
func ExampleIssuer_CognitoConfig() {
	iss := authorizertest.NewCognitoIssuer("us-east-1_test")
	defer iss.Close()
	v, err := authorizer.NewCognitoVerifier(iss.CognitoConfig(authorizer.TokenUseAccess, "client-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := authorizer.New(v)
	if err != nil {
		fmt.Println(err)
		return
	}
	arn := "arn:aws:execute-api:us-east-1:123456789012:api1234567/prod/GET/notes"
	for _, client := range []string{"client-1", "client-2"} {
		tok, _ := iss.Sign(authorizertest.CognitoAccessClaims(client,
			authorizertest.CognitoUser{Sub: "alice-sub", Username: "alice", Groups: []string{"admins"}}), nil)
		resp, err := a.RESTToken(context.Background(), events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: arn,
		})
		if err != nil {
			fmt.Println(client, err) // API Gateway answers 401
			continue
		}
		fmt.Println(client, resp.PrincipalID, resp.PolicyDocument.Statement[0].Effect)
	}
	// Output:
	// client-1 alice-sub Allow
	// client-2 Unauthorized
}

// A unit test of an mTLS plus JWT REST REQUEST authorizer built on both
// kits: the certificate must belong to the token's user.
func Example_clientCertificate() {
	iss := authorizertest.NewCognitoIssuer("us-east-1_test")
	defer iss.Close()
	v, err := authorizer.NewCognitoVerifier(iss.CognitoConfig(authorizer.TokenUseAccess, "client-1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	pki, err := mtlstest.NewPKI(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	alice, _ := mtlstest.NewLeaf(pki.Intermediate, pki.At, mtlstest.LeafOptions{CommonName: "alice"})
	certs, err := mtls.NewValidator(mtls.Config{
		TrustStore: pki.TrustStorePEM(),
		CRLs:       pki.CRLsPEM(),
		AllowAny:   true,
		Clock:      func() time.Time { return pki.At },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sameUser := func(_ context.Context, id *mtls.Identity, c *authorizer.Claims) error {
		if id.CommonName != c.Username {
			return errors.New("certificate of another user")
		}
		return nil
	}
	a, err := authorizer.New(v, authorizer.WithClientCert(certs, sameUser))
	if err != nil {
		fmt.Println(err)
		return
	}

	tok, _ := iss.Sign(authorizertest.CognitoAccessClaims("client-1", authorizertest.CognitoUser{Username: "alice"}), nil)
	for _, cert := range []*mtlstest.Cert{alice, pki.Good} {
		req := mtlstest.NewRESTRequest(cert)
		req.Headers["Authorization"] = "Bearer " + tok
		req.MultiValueHeaders["Authorization"] = []string{"Bearer " + tok}
		resp, err := a.RESTRequest(context.Background(), req)
		fmt.Println(cert.Cert.Subject.CommonName, err, resp.PolicyDocument.Statement[0].Effect)
	}
	// Output:
	// alice <nil> Allow
	// client-good <nil> Deny
}

// A unit test of an Application Load Balancer target: the ALB stand-in
// signs x-amzn-oidc-data as the load balancer does and serves its key;
// its Config trusts it.
func ExampleNewALB() {
	lb := authorizertest.NewALB()
	defer lb.Close()
	v, err := authorizer.NewALBVerifier(lb.Config())
	if err != nil {
		fmt.Println(err)
		return
	}
	target := v.WrapALB(func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		c, _ := authorizer.ClaimsFromContext(ctx)
		return events.ALBTargetGroupResponse{StatusCode: 200, Body: c.Raw["email"].(string)}, nil
	})
	tok, err := lb.Sign(authorizertest.ALBClaims("user-1", "alice", "alice@example.com"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := target(context.Background(), lb.Event("GET", "/me", tok, false))
	fmt.Println(resp.StatusCode, resp.Body, err)

	lb.FailKeys(http.StatusInternalServerError)
	other, _ := authorizer.NewALBVerifier(lb.Config())
	_, err = other.Verify(context.Background(), tok)
	fmt.Println(errors.Is(err, authorizer.ErrUnavailable))
	// Output:
	// 200 alice@example.com <nil>
	// true
}

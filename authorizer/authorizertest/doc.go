// Package authorizertest provides a JWT issuer on loopback for unit tests
// of functions that use [github.com/seclambda/seclambda/authorizer],
// without AWS, Cognito or an identity provider.
//
// Like net/http/httptest it is a small set of constructors that return
// ready values. [NewIssuer] starts an OpenID Connect issuer over TLS on
// 127.0.0.1 and [NewCognitoIssuer] one shaped like a Cognito user pool; both
// serve discovery and a JWKS, sign tokens with any claims
// ([CognitoIDClaims] and [CognitoAccessClaims] give Cognito's two token
// shapes), rotate keys, fail on demand, and hand out the verifier
// configuration that trusts them ([Issuer.OIDCConfig],
// [Issuer.CognitoConfig]), whose HTTPClient trusts the issuer's
// certificate. [NewALB] stands in for an Application Load Balancer with an
// authenticate action: it signs x-amzn-oidc-data tokens as the load
// balancer does, serves their keys, builds ALB target events and hands out
// the [authorizer.ALBConfig] that trusts it ([ALB.Config]). Close the
// issuer or ALB when the test ends.
//
//	iss := authorizertest.NewCognitoIssuer("us-east-1_test")
//	defer iss.Close()
//	v, _ := authorizer.NewCognitoVerifier(iss.CognitoConfig(authorizer.TokenUseAccess, "client-1"))
//	tok, _ := iss.Sign(authorizertest.CognitoAccessClaims("client-1",
//		authorizertest.CognitoUser{Username: "alice", Groups: []string{"admins"}}), nil)
//	claims, err := v.Verify(ctx, tok)
//
// An Issuer and an ALB are safe for concurrent use. Its keys are generated with
// crypto/rand at start; nothing here is for production.
package authorizertest

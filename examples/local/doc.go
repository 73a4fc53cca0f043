// Package local is a local stand-in for Amazon API Gateway, for the
// examples' demo and tests: it turns HTTP requests into the events API
// Gateway sends and enforces the access controls of the examples' template
// in front of functions running under aws-lambda-rie.
//
// A [Gateway] serves two APIs from one [http.Handler]:
//
//   - a REST API (payload 1.0, events.APIGatewayProxyRequest) whose routes
//     are guarded by a Lambda TOKEN or REQUEST authorizer (invoked, its
//     policy evaluated against the method ARN and cached for its TTL by
//     identity source), a Cognito user pool authorizer (the token verified
//     with the authorizer package and its claims passed as API Gateway
//     passes them) or AWS_IAM (a SigV4 signature verified against known
//     credentials, which stand for Cognito identity pool identities); API
//     keys come from the Lambda authorizer (ApiKeySourceType AUTHORIZER) and
//     must belong to the usage plan, whose throttle (token bucket) and quota
//     answer 429; gateway responses on 4XX and 5XX carry the configured CORS
//     headers, as the template's GatewayResponses do;
//   - an HTTP API (payload 2.0, events.APIGatewayV2HTTPRequest) with a JWT
//     authorizer or a Lambda authorizer (payload 2.0, simple responses, its
//     context passed as requestContext.authorizer.lambda), route keys and
//     path parameters, whose unauthenticated
//     OPTIONS /{proxy+} route reaches the function, which answers CORS
//     itself.
//
// It also proxies Cognito's InitiateAuth (USER_PASSWORD_AUTH) at POST
// /auth/login for the demo's web page.
//
// Serve it on 127.0.0.1 over HTTP, and over HTTPS with
// tls.VerifyClientCertIfGiven against the client CAs, as API Gateway's
// mutual TLS truststore does: the verified certificate reaches the events as
// requestContext.identity.clientCert, and revocation is left to the
// authorizer, as in AWS.
//
// # Threat model
//
// This is a test tool, not a security boundary: it runs on loopback, trusts
// its configuration and keeps its state in memory. It is faithful where the
// examples' security depends on API Gateway (what reaches a function, and
// when a request is refused), and it never logs tokens, signatures,
// passwords or API keys.
//
// # Usage
//
//	gw, err := local.New(local.Config{
//		REST: []local.RESTRoute{{Method: "GET", Resource: "/token", Function: fn,
//			Authorizer: &local.LambdaAuthorizer{Function: authz, Type: local.TokenAuthorizer, TTL: 5 * time.Minute},
//			APIKeyRequired: true}},
//		UsagePlan: local.UsagePlan{Keys: []string{key}, RateLimit: 10, BurstLimit: 20, QuotaLimit: 10000, QuotaPeriod: 24 * time.Hour},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.Serve(listener, gw)
package local

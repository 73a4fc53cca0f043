// Package cors applies CORS to API Gateway REST (v1), HTTP API (v2) and
// Application Load Balancer events, with the decisions that
// github.com/rs/cors makes for net/http.
//
// Browsers enforce CORS: a page may read a cross-origin response only if
// the response names its origin. A Lambda function behind API Gateway has
// to answer preflights and add the right headers to every response,
// including its errors, or the frontend breaks; and it must not allow too
// much, or another site's scripts can read its users' data. [New] builds a
// [CORS] from [Options]; its wrappers take and return the aws-lambda-go
// handler signatures, and [CORS.Headers] and [CORS.PreflightHeaders] serve
// code that builds responses itself.
//
// # Usage
//
//	c, err := cors.New(cors.Options{
//		AllowedOrigins:   []string{"https://app.example.com", "https://*.preview.example.com"},
//		AllowedMethods:   []string{"GET", "POST", "DELETE"},
//		AllowedHeaders:   []string{"Authorization", "Content-Type"},
//		AllowCredentials: true,
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	lambda.Start(c.WrapHTTPAPI(handler))
//
// # Decisions
//
// The decisions are rs/cors's (v1.11): [CORS] passes each request's method
// and CORS request headers to rs/cors and copies the headers it answers
// with. On top of that it refuses origins that no browser sends (see
// [CORS]), so it never allows more than rs/cors.
//
// # API Gateway's own responses
//
// The wrappers set CORS headers on what the function returns. Some
// responses never come from the function: API Gateway answers them itself,
// and a browser that finds no Access-Control-Allow-Origin on them hides them
// from the page, which sees a network error instead of the status. Each
// setup gets CORS headers on them in its own way:
//
//   - REST API with [CORS.WrapREST]: an authorizer's 401 or Deny (403), a
//     missing or unknown API key, throttling (429) and integration timeouts
//     are gateway responses. Add Access-Control-Allow-Origin (a fixed origin,
//     never the request's Origin mapped back, which would allow every site)
//     and Vary: Origin to the DEFAULT_4XX and DEFAULT_5XX gateway responses,
//     as examples/template.yaml does. With a Lambda proxy integration the
//     function returns the headers of every other response: API Gateway
//     adds none.
//   - HTTP API with [CORS.WrapHTTPAPI]: an HTTP API has no gateway responses
//     to customise, so a JWT authorizer's 401, which never reaches the
//     function, and throttling answers carry no CORS headers; a page has to
//     treat such a network error as "sign in again" (examples/README.md).
//     Preflights reach the function only through a route without an
//     authorizer, such as OPTIONS /{proxy+}.
//   - HTTP API with its own CORS configuration instead: API Gateway then
//     answers preflights itself, adds the configured headers to the
//     function's responses and ignores the CORS headers the function
//     returns, so the wrapper's policy has no effect there. Use one or the
//     other, not both.
//   - ALB with [CORS.WrapALB]: the load balancer's own errors (502, 503, 504,
//     and the 401 of an authenticate action) carry no CORS headers.
//
// AWS documents these rules in "CORS for REST APIs in API Gateway"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html),
// "Gateway response types for API Gateway"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html),
// "Configure CORS for HTTP APIs in API Gateway"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html:
// "If you configure CORS for an API, API Gateway ignores CORS headers
// returned from your backend integration") and "Choose between REST APIs
// and HTTP APIs"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html).
//
// # Threat model
//
// cors protects users' browsers from other sites reading responses they
// should not: [New] refuses credentials with the "*" origin, the "null"
// origin without an explicit opt-in, malformed or overly broad origin
// patterns (including "*" patterns on shared domains such as
// cloudfront.net, amplifyapp.com, amazonaws.com or co.uk, where anyone can
// get a hostname), and an empty origin list; and at run time only a well-formed
// Origin that the policy allows is echoed. Every response carries Vary:
// Origin, requests without Origin included, so that caches keep answers
// for different origins, and for non-CORS requests, apart.
//
// cors is not access control. CORS is enforced by browsers only: curl,
// servers and malicious clients ignore it and can send any Origin, so
// authenticate and authorize every request regardless. It does not stop
// cross-site request forgery of simple requests (a form POST reaches the
// handler whatever the policy; only reading the answer is blocked), and it
// cannot help if an allowed origin, or any subdomain matching a "*"
// pattern, serves attacker-controlled script. API Gateway's own cache
// keys only on the request parameters configured for it: add the Origin
// header to them if you turn it on.
package cors

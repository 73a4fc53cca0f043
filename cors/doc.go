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

// Package bench measures seclambda side by side with the libraries and
// hand-written code that users would pick instead, and the cold-start cost
// of the example functions. It is a separate module so that the rival
// libraries never enter the library's go.mod.
//
// The benchmarks are ordinary Go benchmarks in this package's tests:
//
//	BenchmarkJWT      RS256 and ES256 verification of a Cognito-shaped access
//	                  token: seclambda (with and without its verified-token
//	                  cache), golang-jwt (static key and keyfunc/v3), jwx/v3,
//	                  go-oidc/v3 and the floor (crypto/rsa or crypto/ecdsa plus
//	                  a claims decode and the claim checks by hand)
//	BenchmarkALB      verification of an x-amzn-oidc-data token as an
//	                  Application Load Balancer signs it: seclambda (with
//	                  and without its verified-token cache), golang-jwt
//	                  with WithPaddingAllowed and the floor (crypto/ecdsa
//	                  plus the header and claims decoded and checked by hand)
//	BenchmarkRedact   a 10-attribute record with 100 registered secrets
//	BenchmarkRedactAdd
//	                  100 and 1,000 secrets registered one Add at a time
//	BenchmarkCORS     an actual request and a preflight
//	BenchmarkMTLS     fresh and cached client-certificate validation
//	BenchmarkSecenv   Load of 1, 5, 20 and 50 KMS variables against local-kms
//	                  behind a proxy that adds 20 ms per call
//
// TestColdStart measures cold starts under aws-lambda-rie; it runs only when
// SECLAMBDA_BENCH_COLDSTART names the JSON file to write its results to.
// The tests that always run check that every contender gives the same
// answers, so that the benchmarks compare equal work.
//
// cmd/report runs all of it and writes BENCHMARKS.md; `make bench` at the
// repository root calls it.
package bench

// Package authorizer verifies JWTs from Amazon Cognito user pools and any
// OIDC issuer, and turns them into API Gateway Lambda authorizer responses
// that fail closed: REST TOKEN and REQUEST authorizers and HTTP API
// authorizers, with least-privilege policies, usage-plan keys and readers for
// IAM and Cognito-identity callers.
//
// # Verification
//
// [NewCognitoVerifier] and [NewOIDCVerifier] build a [*JWTVerifier] from a
// config struct; [NewMultiVerifier] federates several issuers, choosing by
// the unverified iss and never trying a token against another issuer's
// keys. Keys come from a [JWKS] cache shared per issuer: fetched at first
// use, refetched on an unknown kid at most once per minute with concurrent
// misses merged, fetched once more at once after a dropped connection or a
// 502, 503 or 504, kept across failed fetches, and failing closed when
// there are none. Verified tokens are cached ([Settings].CacheSize, on by
// default) until exp (plus Leeway) or CacheTTL ([DefaultCacheTTL], 5 min),
// whichever is first; no clock skew is allowed unless [Settings].Leeway
// says so. Errors come in two families: [ErrUnauthorized]
// (the token is bad; answer 401 or Deny) and [ErrUnavailable] (the keys
// could not be fetched; answer 5xx). Every reason has its own sentinel for
// errors.Is.
//
// # Application Load Balancer
//
// [NewALBVerifier] verifies the x-amzn-oidc-data header that an
// Application Load Balancer with an authenticate-cognito or
// authenticate-oidc action signs (ES256, its own signer, iss, client and
// exp header fields, per-kid PEM keys from the region's endpoint, padded
// segments), and [ALBVerifier.WrapALB] puts it in front of an ALB target:
// 401 on a rejection, 503 on a key outage, the claims in the context
// ([ClaimsFromContext]) otherwise. The load balancer does not sign
// x-amzn-oidc-accesstoken; verify it with the identity provider's verifier
// if you use it.
//
// # Handlers
//
// [New] checks its options (a nil function is an [ErrConfig] error) and
// wraps a verifier into an [*Authorizer] whose methods plug into
// lambda.Start: [Authorizer.RESTToken], [Authorizer.RESTRequest],
// [Authorizer.HTTPAPISimple] and [Authorizer.HTTPAPIIAM]; a handler whose
// event cannot honour an option fails every call with [ErrConfig]. Rules see the
// claims ([WithRule]) or, for REQUEST and HTTP API events, the request too
// ([WithRequestRule]); [WithClientCert] adds a client certificate checked
// by an [mtls.Validator], so that mutual TLS and a JWT make one authorizer
// with one outcome mapping (the import goes from authorizer to mtls only).
// [Policy] builds least-privilege policies from [ParseMethodARN]. Backends read what API
// Gateway verified with [CallerFromEvent] (SigV4 callers and Cognito
// identity pools) and [ClaimsFromEvent] (this package's [Authorizer] as a
// Lambda authorizer, Cognito user pool and JWT authorizers): an
// Authorizer's context reads back as the same subject, groups and scopes.
//
// # Threat model
//
// It protects against: forged or altered tokens; ALB tokens signed by
// another load balancer, or naming their key by a kid that is not a UUID;
// alg "none"; HMAC key confusion (a public key used as an HS256 secret);
// algorithms outside the allow-list; keys named by the token (jku, x5u, jwk, x5c); expired,
// not-yet-valid and exp-less tokens; tokens of another issuer, audience,
// app client or token_use; missing groups or scopes; oversized or malformed
// tokens; zero or out-of-range ECDSA signatures (Go's crypto/ecdsa refuses
// them); JWKS flooding with forged kids; JWKS redirects away from https; a
// JWKS outage turning into an allow; wrongly typed claims (a numeric jti,
// an array scope); a group granted by guessing how API Gateway flattened a
// list claim ([ClaimsFromEvent] refuses ambiguous forms); a
// cognitoAuthenticationProvider that names one provider and carries
// another's user ([ParseCognitoAuthenticationProvider]); a backend
// mistaking another Lambda authorizer's context, or one mixed with other
// claims, for ours ([ClaimsFromEvent] requires the seclambda mark and
// refuses [ErrAmbiguousClaims]); a revoked or foreign client certificate
// presented with a valid token ([WithClientCert]); and the
// cached-policy-per-identity bug, by allowing the principal's whole route
// set ([WithRoutes]).
//
// It does not protect against: a stolen but valid token (keep lifetimes
// short); revocation before exp (Cognito's global sign-out is not visible
// in the JWT; the verified-token cache and the key cache keep answers for
// up to their TTLs); a compromised issuer; or rules that depend on the
// route or the request while API Gateway caches the answer per identity.
//
// # Usage
//
//	v, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{
//		UserPoolID: os.Getenv("USER_POOL_ID"),
//		ClientIDs:  []string{os.Getenv("CLIENT_ID")},
//		TokenUse:   authorizer.TokenUseAccess,
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	a, err := authorizer.New(v, authorizer.WithRoutes(routesOf))
//	if err != nil {
//		log.Fatal(err)
//	}
//	lambda.Start(a.RESTToken)
//
// # Testing
//
// Package [github.com/seclambda/seclambda/authorizer/authorizertest] runs an
// issuer on loopback for unit tests of your authorizers and handlers: it
// signs tokens of any shape and hands out the configuration that trusts it.
package authorizer

package authorizer

import (
	"errors"
	"strconv"
)

// unauthorized is the type of [ErrUnauthorized]; its message is fixed by API
// Gateway's convention rather than by the package's "authorizer: " style.
type unauthorized struct{}

func (unauthorized) Error() string { return "Unauthorized" }

// sentinel is a rejection or outage sentinel that belongs to a family
// ([ErrUnauthorized], [ErrForbidden] or [ErrUnavailable]), so that
// errors.Is finds both the precise reason and the family.
type sentinel struct {
	msg    string
	family error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.family }

func rejection(msg string) error { return &sentinel{msg: msg, family: ErrUnauthorized} }
func forbidden(msg string) error { return &sentinel{msg: msg, family: ErrForbidden} }
func outage(msg string) error    { return &sentinel{msg: msg, family: ErrUnavailable} }

// Families. Every rejection matches [ErrUnauthorized]; rule rejections of a
// valid token also match [ErrForbidden]; outages match [ErrUnavailable] and
// never [ErrUnauthorized].
var (
	// ErrUnauthorized is the family of every token rejection. Its message is
	// exactly "Unauthorized": a Lambda authorizer that returns this error
	// makes API Gateway answer 401. The handlers return it unwrapped.
	ErrUnauthorized error = unauthorized{}

	// ErrForbidden is the family of rejections of a valid token by a rule
	// (missing group or scope, or an [Authorizer] rule). The handlers answer
	// these with an explicit Deny (403), not 401. It also matches
	// [ErrUnauthorized].
	ErrForbidden error = &sentinel{msg: "authorizer: forbidden", family: ErrUnauthorized}

	// ErrUnavailable is the family of outages: the key set could not be
	// fetched, or a refetch is in backoff. Callers answer with 5xx; the
	// handlers return the error so that API Gateway answers 500 and never
	// allows.
	ErrUnavailable = errors.New("authorizer: key set unavailable")

	// ErrConfig reports an invalid configuration given to a constructor.
	ErrConfig = errors.New("authorizer: invalid configuration")
)

// Token format rejections.
var (
	// ErrMissingToken: no token in the request, or an empty token.
	ErrMissingToken = rejection("authorizer: missing token")
	// ErrTokenTooLarge: the token exceeds the size limit (8 KiB).
	ErrTokenTooLarge = rejection("authorizer: token too large")
	// ErrMalformed: not three segments, bad base64url, or bad JSON.
	ErrMalformed = rejection("authorizer: malformed token")
)

// Header rejections.
var (
	// ErrAlgNone: the token's alg is "none".
	ErrAlgNone = rejection("authorizer: alg none")
	// ErrAlgHMAC: the token's alg is HS256/384/512, which would turn a public
	// key into an HMAC secret (key confusion).
	ErrAlgHMAC = rejection("authorizer: HMAC alg")
	// ErrAlgNotAllowed: the alg is missing or not in the allow-list.
	ErrAlgNotAllowed = rejection("authorizer: alg not allowed")
	// ErrMissingKID: the header has no kid.
	ErrMissingKID = rejection("authorizer: missing kid")
	// ErrUnknownKID: the kid is not in the issuer's key set, even after the
	// rate-limited refetch.
	ErrUnknownKID = rejection("authorizer: unknown kid")
	// ErrKeyMismatch: the key for the kid does not fit the token's alg (wrong
	// key type or curve, or the JWK's own alg differs).
	ErrKeyMismatch = rejection("authorizer: key does not match alg")
	// ErrJKUHeader: the header names a key set URL (jku); keys are never
	// fetched from a URL that a token names.
	ErrJKUHeader = rejection("authorizer: jku header")
	// ErrX5UHeader: the header names a certificate URL (x5u).
	ErrX5UHeader = rejection("authorizer: x5u header")
	// ErrJWKHeader: the header embeds its own key (jwk).
	ErrJWKHeader = rejection("authorizer: jwk header")
	// ErrX5CHeader: the header embeds a certificate chain (x5c).
	ErrX5CHeader = rejection("authorizer: x5c header")
	// ErrCritHeader: the header lists critical extensions, none of which
	// this package understands.
	ErrCritHeader = rejection("authorizer: crit header")
	// ErrSignature: the signature does not verify.
	ErrSignature = rejection("authorizer: invalid signature")
	// ErrSigner: an Application Load Balancer token's signer header is not
	// the configured load balancer ARN (see [ALBVerifier]).
	ErrSigner = rejection("authorizer: wrong signer")
)

// Claim rejections, each wrapped in a [*ClaimError] naming the claim.
var (
	// ErrMissingExp: the token has no exp.
	ErrMissingExp = rejection("authorizer: missing exp")
	// ErrExpired: exp is in the past, beyond the leeway.
	ErrExpired = rejection("authorizer: token expired")
	// ErrNotYetValid: nbf (or iat) is in the future, beyond the leeway.
	ErrNotYetValid = rejection("authorizer: token not yet valid")
	// ErrIssuer: iss is missing or not the configured issuer; for
	// [MultiVerifier], no verifier serves the issuer.
	ErrIssuer = rejection("authorizer: wrong issuer")
	// ErrAudience: aud is missing or holds none of the accepted audiences.
	ErrAudience = rejection("authorizer: wrong audience")
	// ErrTokenUse: Cognito token_use is missing or not the accepted one.
	ErrTokenUse = rejection("authorizer: wrong token_use")
	// ErrClientID: a Cognito access token's client_id is missing or not
	// accepted.
	ErrClientID = rejection("authorizer: wrong client_id")
	// ErrClaimType: a claim has the wrong JSON type.
	ErrClaimType = rejection("authorizer: claim has wrong type")
	// ErrMissingSubject: the token has no sub (or an empty one), which the
	// handlers need as principal ID. Verify wraps it in a [*ClaimError]
	// with Claim "sub"; the handlers answer 401.
	ErrMissingSubject = rejection("authorizer: missing sub")
)

// Rule rejections of valid tokens; they match [ErrForbidden].
var (
	// ErrMissingGroup: the token lacks a required group.
	ErrMissingGroup = forbidden("authorizer: missing group")
	// ErrMissingScope: the token lacks a required scope.
	ErrMissingScope = forbidden("authorizer: missing scope")
	// ErrRuleRejected: an [Authorizer] rule ([WithRule]) rejected the
	// principal, or its route set ([WithRoutes]) is empty. The handlers
	// answer with a Deny; the reason given to [WithOnReject] wraps this
	// error and the rule's own. A rule may return it (or wrap it) itself.
	ErrRuleRejected = forbidden("authorizer: rejected by rule")
)

// Outages; they match [ErrUnavailable].
var (
	// ErrJWKSFetch: fetching the JWKS, the discovery document or an ALB
	// public key failed, or returned no usable key. See [*FetchError].
	ErrJWKSFetch = outage("authorizer: JWKS fetch failed")
	// ErrBackoff: a previous fetch failed and the retry backoff has not
	// ended, so the token could not be checked.
	ErrBackoff = outage("authorizer: JWKS fetch in backoff")
)

// Errors of the request readers and policy helpers.
var (
	// ErrMethodARN: a method or route ARN is malformed.
	ErrMethodARN = errors.New("authorizer: malformed method ARN")
	// ErrWildcard: a policy route uses a wildcard without the explicit opt-in.
	ErrWildcard = errors.New("authorizer: wildcard route without opt-in")
	// ErrRoute: a policy route has an invalid method or resource.
	ErrRoute = errors.New("authorizer: invalid route")
	// ErrNoCaller: the request carries no IAM (SigV4) caller.
	ErrNoCaller = errors.New("authorizer: no IAM caller in request")
	// ErrNoClaims: the request carries no claims from this package's
	// [Authorizer], a Cognito user pool authorizer or a JWT authorizer.
	ErrNoClaims = errors.New("authorizer: no authorizer claims in request")
	// ErrAmbiguousClaims: the request carries the context of this
	// package's [Authorizer] together with the claims of another kind of
	// authorizer (or, on REST, a principalId that is not its sub), so
	// [ClaimsFromEvent] cannot tell which to trust.
	ErrAmbiguousClaims = errors.New("authorizer: claims of more than one authorizer in request")
	// ErrProvider: a cognitoAuthenticationProvider value is malformed.
	ErrProvider = errors.New("authorizer: malformed cognitoAuthenticationProvider")
	// ErrContextValue: an authorizer context value is not a string, number
	// or boolean, as API Gateway requires.
	ErrContextValue = errors.New("authorizer: context value must be string, number or bool")
)

// ClaimError reports a claim that failed validation. It names the claim
// only, never its value. Err is one of the claim sentinels, such as
// [ErrExpired]; errors.Is matches it and its family.
type ClaimError struct {
	// Claim is the claim's name, such as "exp" or "cognito:groups".
	Claim string
	// Err is the reason.
	Err error
}

// Error returns the reason's message followed by the claim's name, such as
// `authorizer: token expired (claim "exp")`; it never contains the claim's
// value.
func (e *ClaimError) Error() string {
	return e.Err.Error() + " (claim " + strconv.Quote(e.Claim) + ")"
}

// Unwrap returns e.Err.
func (e *ClaimError) Unwrap() error { return e.Err }

// FetchError reports a failed fetch of a JWKS or discovery document. URL is
// the public endpoint; Status is the HTTP status, or 0 when no response
// arrived. It matches [ErrJWKSFetch], [ErrUnavailable] and the cause.
type FetchError struct {
	// URL is the endpoint that was fetched.
	URL string
	// Status is the HTTP status code, 0 if there was no response.
	Status int
	// Err is the cause.
	Err error
}

// Error returns the fetched URL, then the HTTP status when a response
// arrived, then the cause, such as
// "authorizer: fetch https://issuer.example/jwks.json: status 503".
func (e *FetchError) Error() string {
	msg := "authorizer: fetch " + e.URL
	if e.Status != 0 {
		msg += ": status " + strconv.Itoa(e.Status)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns [ErrJWKSFetch] and the cause.
func (e *FetchError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrJWKSFetch}
	}
	return []error{ErrJWKSFetch, e.Err}
}

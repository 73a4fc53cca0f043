package authorizer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ALBConfig configures an [ALBVerifier]. LoadBalancerARN, Issuer and
// ClientID are required (ClientID unless InsecureAnyClientID); every other
// zero value means the documented default.
type ALBConfig struct {
	// LoadBalancerARN is the ARN of the Application Load Balancer that signs
	// the tokens, such as
	// "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188".
	// A token's signer header must equal it exactly: without this check any
	// load balancer, in any account, could mint tokens that verify. The
	// region of the ARN selects the key endpoint. Required; the partitions
	// aws and aws-us-gov are supported.
	LoadBalancerARN string
	// Issuer is the identity provider's issuer, as the authenticate action
	// names it (for Cognito, https://cognito-idp.<region>.amazonaws.com/<pool
	// ID>). The token's iss header must equal it, and so must the payload's
	// iss when present. Required.
	Issuer string
	// ClientID is the app client ID of the authenticate action. The token's
	// client header must equal it. Required unless InsecureAnyClientID.
	ClientID string
	// InsecureAnyClientID accepts tokens of any client ID. Use it only when
	// LoadBalancerARN and Issuer alone identify the listener rule.
	InsecureAnyClientID bool
	// KeyEndpoint replaces the public key endpoint that the region of
	// LoadBalancerARN selects, for tests only: it must be on a loopback
	// address (https, or http with InsecureAllowHTTPLoopback). Empty means
	// the AWS endpoint: https://public-keys.auth.elb.<region>.amazonaws.com,
	// or in AWS GovCloud (US)
	// https://s3-<region>.amazonaws.com/aws-elb-public-keys-prod-<region>.
	// The key of kid K is fetched from KeyEndpoint + "/" + K.
	KeyEndpoint string
	// InsecureAllowHTTPLoopback allows an http KeyEndpoint on a loopback
	// address, for tests.
	InsecureAllowHTTPLoopback bool
	// HTTPClient fetches the keys. Nil means a default client. As for
	// [JWKSConfig.HTTPClient], a copy is used whose redirects are refused.
	HTTPClient *http.Client
	// Leeway is the clock skew allowed for exp (header and payload), nbf
	// and iat. Zero means none; a negative value is an [ErrConfig] error.
	Leeway time.Duration
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
	// CacheSize is the number of verified tokens kept, under the rules of
	// [Settings].CacheSize: zero means [DefaultCacheSize]; a negative value
	// turns the cache off.
	CacheSize int
	// CacheTTL caps how long a verified token stays cached. Zero means
	// [DefaultCacheTTL]; a negative value is an [ErrConfig] error.
	CacheTTL time.Duration
	// MaxTokenBytes rejects longer tokens before any decoding. Zero means
	// [DefaultMaxTokenBytes] (8 KiB).
	MaxTokenBytes int
}

// ALBHeader is the request header in which an Application Load Balancer
// with an authenticate-cognito or authenticate-oidc action passes the
// user's claims, signed by the load balancer.
const ALBHeader = "X-Amzn-Oidc-Data"

// ALBVerifier verifies the tokens that an Application Load Balancer signs
// and passes to its targets in the x-amzn-oidc-data header ([ALBHeader])
// after an authenticate-cognito or authenticate-oidc action. Build it with
// [NewALBVerifier]. It is safe for concurrent use.
//
// These tokens are JWTs with AWS's own rules, and Verify follows them:
// ES256 only; the signer header must be the configured load balancer; the
// kid, which must be a UUID, names a PEM public key fetched from the
// regional key endpoint; exp, iss and client are in the header, and are
// checked there (exp required, the configured issuer, the configured
// client); the payload holds the user's claims from the identity
// provider's userinfo endpoint, whose exp, nbf, iat and iss are checked
// when present, and whose sub is required. The load balancer may end each
// base64url segment with "=" padding, which RFC 7515 forbids; Verify
// accepts padded and unpadded segments (the signature covers them as
// sent), and only here: every other verifier keeps the strict rule.
//
// The returned [Claims] hold the payload's claims, with Issuer and
// ClientID taken from the header when the payload has none, and ExpiresAt
// the earlier of the header's and the payload's exp.
//
// Keys are cached per kid (a kid names one key for good), at most 16, the
// oldest dropped first. A kid not cached is fetched once, with concurrent
// requests for it merged, with the [JWKS] fetch rules: https only and no
// redirects, [DefaultFetchTimeout], one retry after a dropped connection
// or a 502, 503 or 504; a response over 4 KiB (a PEM P-256 key is under
// 200 bytes) is refused. A kid the endpoint does not know (403 or 404) is
// [ErrUnknownKID], and then no new kid is fetched for
// [DefaultMinRefreshInterval], so forged kids cannot hammer the endpoint;
// any other failure is an outage ([ErrJWKSFetch], matching
// [ErrUnavailable]), after which new kids fail with [ErrBackoff] for
// [DefaultRetryBackoff]. Cached keys keep working throughout.
//
// The x-amzn-oidc-accesstoken header holds the identity provider's access
// token as the load balancer received it: the load balancer does not sign
// it, and this verifier does not read it. To use it, verify it with the
// identity provider's verifier ([NewCognitoVerifier] or
// [NewOIDCVerifier]); x-amzn-oidc-identity (the sub) is not signed either:
// take the subject from the verified claims instead.
//
// Security: the signature proves that the load balancer signed the claims,
// not that this request came through it. Let only the load balancer invoke
// the function (a resource policy scoped to its target group).
type ALBVerifier struct {
	arn      string
	issuer   string
	clientID string
	anyID    bool
	keys     *albKeys
	leeway   time.Duration
	now      func() time.Time
	maxBytes int
	cache    *tokenCache
}

// NewALBVerifier validates cfg and returns a verifier. It does no I/O.
func NewALBVerifier(cfg ALBConfig) (*ALBVerifier, error) {
	partition, region, err := parseALBARN(cfg.LoadBalancerARN)
	if err != nil {
		return nil, fmt.Errorf("%w: LoadBalancerARN: %w", ErrConfig, err)
	}
	if cfg.Issuer == "" {
		return nil, fmt.Errorf("%w: ALB verifier needs Issuer", ErrConfig)
	}
	if cfg.ClientID == "" && !cfg.InsecureAnyClientID {
		return nil, fmt.Errorf("%w: ALB verifier needs ClientID (or InsecureAnyClientID)", ErrConfig)
	}
	if cfg.ClientID != "" && cfg.InsecureAnyClientID {
		return nil, fmt.Errorf("%w: ClientID and InsecureAnyClientID are exclusive", ErrConfig)
	}
	if cfg.Leeway < 0 {
		return nil, fmt.Errorf("%w: negative Leeway", ErrConfig)
	}
	if cfg.CacheTTL < 0 {
		return nil, fmt.Errorf("%w: negative CacheTTL", ErrConfig)
	}
	endpoint := albKeyEndpoint(partition, region)
	if cfg.KeyEndpoint != "" {
		u, err := url.Parse(cfg.KeyEndpoint)
		if err != nil || !isLoopback(u.Hostname()) || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: KeyEndpoint must be a loopback URL (tests only)", ErrConfig)
		}
		endpoint = strings.TrimSuffix(cfg.KeyEndpoint, "/")
	}
	keys, err := newALBKeys(endpoint, cfg.HTTPClient, cfg.InsecureAllowHTTPLoopback, cfg.Clock)
	if err != nil {
		return nil, err
	}
	v := &ALBVerifier{
		arn:      cfg.LoadBalancerARN,
		issuer:   cfg.Issuer,
		clientID: cfg.ClientID,
		anyID:    cfg.InsecureAnyClientID,
		keys:     keys,
		leeway:   cfg.Leeway,
		now:      cfg.Clock,
		maxBytes: cfg.MaxTokenBytes,
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxBytes <= 0 {
		v.maxBytes = DefaultMaxTokenBytes
	}
	switch {
	case cfg.CacheSize == 0:
		v.cache = newTokenCache(DefaultCacheSize, orDefault(cfg.CacheTTL, DefaultCacheTTL))
	case cfg.CacheSize > 0:
		v.cache = newTokenCache(cfg.CacheSize, orDefault(cfg.CacheTTL, DefaultCacheTTL))
	}
	return v, nil
}

// LoadBalancerARN returns the ARN of the load balancer whose tokens v
// accepts.
func (v *ALBVerifier) LoadBalancerARN() string { return v.arn }

// Issuer returns the identity provider's issuer that v accepts.
func (v *ALBVerifier) Issuer() string { return v.issuer }

// Verify verifies token, the value of the x-amzn-oidc-data header, and
// returns its claims. See [ALBVerifier] for the checks. Errors name the
// failed check and claim, never the token.
func (v *ALBVerifier) Verify(ctx context.Context, token string) (*Claims, error) {
	return verifyCached(ctx, token, v.maxBytes, v.cache, v.now, v.leeway, v.verify)
}

// albHeader is the JOSE header of an ALB token: the standard fields plus
// AWS's signer, iss, client and exp.
type albHeader struct {
	joseHeader
	Signer string   `json:"signer"`
	Iss    *string  `json:"iss"`
	Client *string  `json:"client"`
	Exp    *float64 `json:"exp"`
}

// paddedSegments is strict padded base64url, for ALB segments that end in
// "=".
var paddedSegments = base64.URLEncoding.Strict()

// decodeALBSegment decodes strict base64url, padded (as the load balancer
// may send it) or not.
func decodeALBSegment(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") {
		return paddedSegments.DecodeString(s)
	}
	return segments.DecodeString(s)
}

func (v *ALBVerifier) verify(ctx context.Context, token string) (*Claims, error) {
	h, payload, signingInput, sig, err := splitToken(token)
	if err != nil {
		return nil, err
	}
	raw, err := decodeALBSegment(h)
	if err != nil {
		return nil, ErrMalformed
	}
	var hdr albHeader
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return nil, ErrMalformed
	}
	if err := hdr.check(); err != nil {
		return nil, err
	}
	if hdr.Alg != "ES256" {
		return nil, ErrAlgNotAllowed
	}
	if !isUUID(*hdr.Kid) {
		return nil, ErrMalformed
	}
	// The signer is checked before any key is fetched, so that tokens of
	// other load balancers cost no request.
	if hdr.Signer != v.arn {
		return nil, ErrSigner
	}
	key, err := v.keys.key(ctx, *hdr.Kid)
	if err != nil {
		return nil, err
	}
	sigBytes, err := decodeALBSegment(sig)
	if err != nil {
		return nil, ErrMalformed
	}
	if err := jwt.SigningMethodES256.Verify(signingInput, sigBytes, key); err != nil {
		return nil, ErrSignature
	}
	body, err := decodeALBSegment(payload)
	if err != nil {
		return nil, ErrMalformed
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, ErrMalformed
	}
	c, err := claimsFromJWT(m)
	if err != nil {
		return nil, err
	}
	if err := v.validate(&hdr, c); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks the header's exp, iss and client and the payload's time
// claims, iss and sub, then completes c from the header.
func (v *ALBVerifier) validate(hdr *albHeader, c *Claims) error {
	now := v.now()
	var errs []error
	var exp time.Time
	switch {
	case hdr.Exp == nil:
		errs = append(errs, &ClaimError{Claim: "exp", Err: ErrMissingExp})
	case math.IsNaN(*hdr.Exp) || *hdr.Exp < 0 || *hdr.Exp > maxNumericDate:
		errs = append(errs, &ClaimError{Claim: "exp", Err: ErrClaimType})
	default:
		sec, frac := math.Modf(*hdr.Exp)
		exp = time.Unix(int64(sec), int64(frac*1e9))
		if !now.Before(exp.Add(v.leeway)) {
			errs = append(errs, &ClaimError{Claim: "exp", Err: ErrExpired})
		}
	}
	if !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt.Add(v.leeway)) {
		errs = append(errs, &ClaimError{Claim: "exp", Err: ErrExpired})
	}
	if !c.NotBefore.IsZero() && now.Add(v.leeway).Before(c.NotBefore) {
		errs = append(errs, &ClaimError{Claim: "nbf", Err: ErrNotYetValid})
	}
	if !c.IssuedAt.IsZero() && now.Add(v.leeway).Before(c.IssuedAt) {
		errs = append(errs, &ClaimError{Claim: "iat", Err: ErrNotYetValid})
	}
	if hdr.Iss == nil || *hdr.Iss != v.issuer {
		errs = append(errs, &ClaimError{Claim: "iss", Err: ErrIssuer})
	} else if c.Issuer != "" && c.Issuer != v.issuer {
		errs = append(errs, &ClaimError{Claim: "iss", Err: ErrIssuer})
	}
	if !v.anyID && (hdr.Client == nil || *hdr.Client != v.clientID) {
		errs = append(errs, &ClaimError{Claim: "client", Err: ErrClientID})
	}
	if c.Subject == "" {
		errs = append(errs, &ClaimError{Claim: "sub", Err: ErrMissingSubject})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if c.ExpiresAt.IsZero() || exp.Before(c.ExpiresAt) {
		c.ExpiresAt = exp
	}
	if c.Issuer == "" {
		c.Issuer = v.issuer
	}
	if c.ClientID == "" && hdr.Client != nil {
		c.ClientID = *hdr.Client
	}
	return nil
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 hex form, which is
// safe to put in a URL path.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// parseALBARN checks an Application Load Balancer ARN,
// arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID,
// and returns its partition and region.
func parseALBARN(arn string) (partition, region string, err error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "elasticloadbalancing" {
		return "", "", errors.New("not an Elastic Load Balancing ARN")
	}
	partition, region = p[1], p[3]
	if !isRegion(region) {
		return "", "", errors.New("malformed region")
	}
	gov := strings.HasPrefix(region, "us-gov-")
	switch {
	case partition == "aws" && !gov && !strings.HasPrefix(region, "cn-"):
	case partition == "aws-us-gov" && gov:
	default:
		return "", "", errors.New("partition and region not supported together (aws, aws-us-gov)")
	}
	if len(p[4]) != 12 || strings.Trim(p[4], "0123456789") != "" {
		return "", "", errors.New("malformed account ID")
	}
	r := strings.Split(p[5], "/")
	if len(r) != 4 || r[0] != "loadbalancer" || r[1] != "app" || r[2] == "" || r[3] == "" {
		return "", "", errors.New("not an Application Load Balancer (loadbalancer/app/NAME/ID)")
	}
	return partition, region, nil
}

// isRegion reports whether s looks like a region name: lowercase words
// joined by "-", ending in a number, such as eu-west-1 or us-gov-east-1.
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for i, w := range parts {
		if w == "" {
			return false
		}
		set := "abcdefghijklmnopqrstuvwxyz"
		if i == len(parts)-1 {
			set = "0123456789"
		}
		if strings.Trim(w, set) != "" {
			return false
		}
	}
	return true
}

// albKeyEndpoint is AWS's public key location for the load balancers of a
// region.
func albKeyEndpoint(partition, region string) string {
	if partition == "aws-us-gov" {
		return "https://s3-" + region + ".amazonaws.com/aws-elb-public-keys-prod-" + region
	}
	return "https://public-keys.auth.elb." + region + ".amazonaws.com"
}

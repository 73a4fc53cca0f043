package authorizer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Verifier verifies a token and returns its claims. Every implementation in
// this package is safe for concurrent use. An error matches
// [ErrUnauthorized] when the token is rejected (and also [ErrForbidden]
// when only a group or scope rule failed), or [ErrUnavailable] when the
// keys could not be obtained.
type Verifier interface {
	Verify(ctx context.Context, token string) (*Claims, error)
}

// DefaultMaxTokenBytes is the longest token accepted when
// [Settings].MaxTokenBytes is zero: 8 KiB.
const DefaultMaxTokenBytes = 8 << 10

// DefaultCacheTTL is how long a verified token stays cached, at most, when
// [Settings].CacheTTL is zero.
const DefaultCacheTTL = 5 * time.Minute

// DefaultCacheSize is the number of entries a cache holds when its
// CacheSize is zero; a negative CacheSize turns the cache off.
const DefaultCacheSize = 1024

// Settings are the knobs that [CognitoConfig] and [OIDCConfig] share. Every
// zero value means the documented default.
type Settings struct {
	// Leeway is the clock skew allowed for exp, nbf and iat. Zero means
	// none, as in golang-jwt and aws-jwt-verify: a token is refused from
	// its exp on. A negative value is an [ErrConfig] error.
	Leeway time.Duration
	// Clock returns the current time, for the claim times (exp, nbf, iat)
	// and the verified-token cache. Nil means time.Now. The key cache has
	// its own clock, [JWKSConfig].Clock: to inject one clock everywhere,
	// build the [JWKS] with it and pass it as JWKS.
	Clock func() time.Time
	// JWKS is the key cache to use. Nil means a process-wide cache shared by
	// every verifier of the same endpoint, HTTPClient and
	// InsecureAllowHTTPLoopback, under the bounded rule documented on
	// [JWKS]. A JWKS brings its own endpoint and client: setting it
	// together with HTTPClient or the config's JWKSURL is an [ErrConfig]
	// error, as is a JWKS that discovers its URL from an issuer other than
	// the verifier's.
	JWKS *JWKS
	// HTTPClient fetches keys when JWKS is nil; it is part of the key of
	// the shared cache, so reuse one client. Nil means a default client
	// (see [JWKSConfig.HTTPClient]). Setting it together with JWKS is an
	// [ErrConfig] error.
	HTTPClient *http.Client
	// InsecureAllowHTTPLoopback allows an http issuer and JWKS URL on a
	// loopback address, for local peers such as cognito-local and tests.
	InsecureAllowHTTPLoopback bool
	// CacheSize is the number of verified tokens kept, so that a token
	// seen again (warm invocations, retries, one client's burst) is
	// answered without decoding or checking its signature again. Zero
	// means [DefaultCacheSize]; a negative value turns the cache off.
	//
	// The cache is on by default, which means: a token once verified is
	// returned with its cached claims until its exp (plus Leeway) or
	// CacheTTL, whichever is first, without looking at the key set again,
	// so a key the issuer removes within that time still verifies the
	// tokens it signed that were cached. Only valid tokens are cached;
	// rejections and outages are checked every time. Entries are keyed by
	// a seeded hash of the whole token and hold the token, so a collision
	// is a miss, never a wrong answer. Memory is about the size of the
	// claims of CacheSize tokens.
	CacheSize int
	// CacheTTL caps how long a verified token stays cached. Zero means
	// [DefaultCacheTTL]; a negative value is an [ErrConfig] error.
	CacheTTL time.Duration
	// MaxTokenBytes rejects longer tokens before any decoding. Zero means
	// [DefaultMaxTokenBytes] (8 KiB); a negative value is an [ErrConfig]
	// error.
	MaxTokenBytes int
}

// JWTVerifier verifies JWS-signed JWTs of one issuer against its JWKS.
// Build it with [NewCognitoVerifier] or [NewOIDCVerifier]. It is safe for
// concurrent use.
//
// Verify checks, in order: size, structure and base64url, header (no
// jku/x5u/jwk/x5c/crit, alg allowed and neither none nor HMAC, kid present),
// the key for the kid, the signature, then every standard claim (exp
// required, nbf, iat, iss, aud or client_id, token_use), and only when those
// pass, the group and scope rules.
type JWTVerifier struct {
	issuer   string
	algs     []string
	methods  map[string]jwt.SigningMethod
	keys     *JWKS
	leeway   time.Duration
	now      func() time.Time
	maxBytes int
	cache    *tokenCache
	// check validates issuer-specific claims (audience, token_use,
	// client_id) and returns every failure.
	check func(c *Claims) []error

	requiredGroups []string
	anyGroup       bool
	requiredScopes []string
}

// verifierParams is what the Cognito and OIDC constructors pass to
// newJWTVerifier after validating their configs.
type verifierParams struct {
	issuer         string
	algs           []string
	keys           *JWKS
	check          func(c *Claims) []error
	requiredGroups []string
	anyGroup       bool
	requiredScopes []string
}

func newJWTVerifier(s Settings, p verifierParams) (*JWTVerifier, error) {
	v := &JWTVerifier{
		issuer:         p.issuer,
		algs:           slices.Clone(p.algs),
		methods:        make(map[string]jwt.SigningMethod, len(p.algs)),
		keys:           p.keys,
		leeway:         s.Leeway,
		now:            s.Clock,
		maxBytes:       s.MaxTokenBytes,
		check:          p.check,
		requiredGroups: slices.Clone(p.requiredGroups),
		anyGroup:       p.anyGroup,
		requiredScopes: slices.Clone(p.requiredScopes),
	}
	for _, alg := range v.algs {
		if !rsaAlgs[alg] && ecAlgs[alg] == "" {
			return nil, fmt.Errorf("%w: algorithm %q is not supported (use RS*, PS* or ES*)", ErrConfig, alg)
		}
		v.methods[alg] = jwt.GetSigningMethod(alg)
	}
	if len(v.algs) == 0 {
		return nil, fmt.Errorf("%w: no algorithms allowed", ErrConfig)
	}
	if v.leeway < 0 {
		return nil, fmt.Errorf("%w: negative Leeway", ErrConfig)
	}
	if v.now == nil {
		v.now = time.Now
	}
	switch {
	case v.maxBytes < 0:
		return nil, fmt.Errorf("%w: negative MaxTokenBytes", ErrConfig)
	case v.maxBytes == 0:
		v.maxBytes = DefaultMaxTokenBytes
	}
	if p.anyGroup && len(p.requiredGroups) == 0 {
		return nil, fmt.Errorf("%w: AnyGroup needs RequiredGroups", ErrConfig)
	}
	switch {
	case s.CacheSize == 0:
		v.cache = newTokenCache(DefaultCacheSize, orDefault(s.CacheTTL, DefaultCacheTTL))
	case s.CacheSize > 0:
		v.cache = newTokenCache(s.CacheSize, orDefault(s.CacheTTL, DefaultCacheTTL))
	}
	if s.CacheTTL < 0 {
		return nil, fmt.Errorf("%w: negative CacheTTL", ErrConfig)
	}
	if v.keys == nil {
		if s.JWKS == nil {
			return nil, fmt.Errorf("%w: no key set", ErrConfig)
		}
		v.keys = s.JWKS
	}
	return v, nil
}

// checkOwnJWKS refuses a Settings.JWKS combined with the settings it
// replaces: a JWKS URL, an HTTP client, or discovery from another issuer.
func checkOwnJWKS(s Settings, jwksURL, issuer string) error {
	if s.JWKS == nil {
		return nil
	}
	switch {
	case jwksURL != "":
		return fmt.Errorf("%w: JWKSURL and Settings.JWKS are exclusive (the JWKS has its own URL)", ErrConfig)
	case s.HTTPClient != nil:
		return fmt.Errorf("%w: Settings.HTTPClient and Settings.JWKS are exclusive (the JWKS has its own client)", ErrConfig)
	case s.JWKS.url == "" && s.JWKS.issuer != issuer:
		return fmt.Errorf("%w: Settings.JWKS discovers the keys of another issuer", ErrConfig)
	}
	return nil
}

// Issuer returns the issuer whose tokens v accepts ([MultiVerifier] selects
// verifiers by it).
func (v *JWTVerifier) Issuer() string { return v.issuer }

// JWKS returns the key cache that v uses.
func (v *JWTVerifier) JWKS() *JWKS { return v.keys }

// Prefetch fetches the issuer's keys now, so that the first request does
// not pay for it; call it during cold start. A failure is not sticky: the
// next Verify tries again (subject to the retry backoff).
func (v *JWTVerifier) Prefetch(ctx context.Context) error { return v.keys.Refresh(ctx) }

// joseHeader is the JOSE header of a token. Fields that smuggle keys are kept
// as raw JSON only to detect their presence.
type joseHeader struct {
	Alg  string          `json:"alg"`
	Kid  *string         `json:"kid"`
	JKU  json.RawMessage `json:"jku"`
	X5U  json.RawMessage `json:"x5u"`
	JWK  json.RawMessage `json:"jwk"`
	X5C  json.RawMessage `json:"x5c"`
	Crit json.RawMessage `json:"crit"`
}

// segments is strict unpadded base64url, as JWS requires.
var segments = base64.RawURLEncoding.Strict()

// Verify verifies token and returns its claims. See [JWTVerifier] for the
// checks. Errors name the failed check and claim, never the token.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*Claims, error) {
	return verifyCached(ctx, token, v.maxBytes, v.cache, v.now, v.leeway, v.verify)
}

func (v *JWTVerifier) verify(ctx context.Context, token string) (*Claims, error) {
	h, payload, signingInput, sig, err := splitToken(token)
	if err != nil {
		return nil, err
	}
	hdr, err := parseHeader(h)
	if err != nil {
		return nil, err
	}
	method, ok := v.methods[hdr.Alg]
	if !ok {
		return nil, ErrAlgNotAllowed
	}
	key, err := v.keys.key(ctx, *hdr.Kid)
	if err != nil {
		return nil, err
	}
	if !key.fits(hdr.Alg) {
		return nil, ErrKeyMismatch
	}
	sigBytes, err := segments.DecodeString(sig)
	if err != nil {
		return nil, ErrMalformed
	}
	var pub any = key.rsa
	if key.ec != nil {
		pub = key.ec
	}
	if err := method.Verify(signingInput, sigBytes, pub); err != nil {
		return nil, ErrSignature
	}
	body, err := segments.DecodeString(payload)
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
	if err := v.validate(c); err != nil {
		return nil, err
	}
	return c, nil
}

// splitToken splits a compact JWS into its segments, requiring exactly
// three.
func splitToken(token string) (h, payload, signingInput, sig string, err error) {
	i := strings.IndexByte(token, '.')
	if i < 0 {
		return "", "", "", "", ErrMalformed
	}
	j := strings.IndexByte(token[i+1:], '.')
	if j < 0 {
		return "", "", "", "", ErrMalformed
	}
	j += i + 1
	// An empty signature is left to fail later, so that alg "none" tokens
	// ("h.p.") get their own error.
	if strings.IndexByte(token[j+1:], '.') >= 0 || i == 0 || j == i+1 {
		return "", "", "", "", ErrMalformed
	}
	return token[:i], token[i+1 : j], token[:j], token[j+1:], nil
}

// parseHeader decodes and checks the JOSE header. On success Kid is set.
func parseHeader(seg string) (*joseHeader, error) {
	raw, err := segments.DecodeString(seg)
	if err != nil {
		return nil, ErrMalformed
	}
	var h joseHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, ErrMalformed
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return &h, nil
}

// check refuses headers that name or embed keys, list critical
// extensions, use alg none or HMAC, or lack a kid.
func (h *joseHeader) check() error {
	switch {
	case h.JKU != nil:
		return ErrJKUHeader
	case h.X5U != nil:
		return ErrX5UHeader
	case h.JWK != nil:
		return ErrJWKHeader
	case h.X5C != nil:
		return ErrX5CHeader
	case h.Crit != nil:
		return ErrCritHeader
	case strings.EqualFold(h.Alg, "none"):
		return ErrAlgNone
	case len(h.Alg) >= 2 && strings.EqualFold(h.Alg[:2], "HS"):
		return ErrAlgHMAC
	case h.Kid == nil || *h.Kid == "":
		return ErrMissingKID
	}
	return nil
}

// validate checks the standard claims, then (only if they pass) the group
// and scope rules.
func (v *JWTVerifier) validate(c *Claims) error {
	now := v.now()
	var errs []error
	switch {
	case c.ExpiresAt.IsZero():
		errs = append(errs, &ClaimError{Claim: "exp", Err: ErrMissingExp})
	case !now.Before(c.ExpiresAt.Add(v.leeway)):
		errs = append(errs, &ClaimError{Claim: "exp", Err: ErrExpired})
	}
	if !c.NotBefore.IsZero() && now.Add(v.leeway).Before(c.NotBefore) {
		errs = append(errs, &ClaimError{Claim: "nbf", Err: ErrNotYetValid})
	}
	if !c.IssuedAt.IsZero() && now.Add(v.leeway).Before(c.IssuedAt) {
		errs = append(errs, &ClaimError{Claim: "iat", Err: ErrNotYetValid})
	}
	if c.Issuer != v.issuer {
		errs = append(errs, &ClaimError{Claim: "iss", Err: ErrIssuer})
	}
	if c.Subject == "" {
		errs = append(errs, &ClaimError{Claim: "sub", Err: ErrMissingSubject})
	}
	errs = append(errs, v.check(c)...)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return v.rules(c)
}

// rules checks the group and scope requirements.
func (v *JWTVerifier) rules(c *Claims) error {
	if len(v.requiredGroups) > 0 {
		ok := !v.anyGroup
		for _, g := range v.requiredGroups {
			has := c.HasGroup(g)
			if v.anyGroup && has {
				ok = true
				break
			}
			if !v.anyGroup && !has {
				ok = false
				break
			}
		}
		if !ok {
			return &ClaimError{Claim: "cognito:groups", Err: ErrMissingGroup}
		}
	}
	for _, s := range v.requiredScopes {
		if !c.HasScope(s) {
			return &ClaimError{Claim: "scope", Err: ErrMissingScope}
		}
	}
	return nil
}

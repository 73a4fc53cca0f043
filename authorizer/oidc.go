package authorizer

import (
	"fmt"
	"slices"
)

// OIDCConfig configures a verifier of any OIDC issuer's JWTs (Auth0,
// Google, Okta, Entra ID, or Cognito used as plain OIDC). Audiences is
// required unless InsecureSkipAudienceCheck.
type OIDCConfig struct {
	// Issuer is the exact iss of accepted tokens, such as
	// "https://example.okta.com/oauth2/default". Required; https unless
	// InsecureAllowHTTPLoopback and on loopback.
	Issuer string
	// Audiences are accepted: a token's aud must hold one of them. Required
	// unless InsecureSkipAudienceCheck.
	Audiences []string
	// InsecureSkipAudienceCheck accepts tokens for any audience of the
	// issuer. Almost never right: any app of the issuer could call the API.
	InsecureSkipAudienceCheck bool
	// Algorithms is the allow-list: RS256, RS384, RS512, PS256, PS384,
	// PS512, ES256, ES384, ES512. Empty means RS256. none and HS* are
	// refused.
	Algorithms []string
	// JWKSURL is the key set URL. Empty means it is discovered, at first
	// use, from Issuer + "/.well-known/openid-configuration", whose issuer
	// must equal Issuer. Setting it together with Settings.JWKS is an
	// [ErrConfig] error.
	JWKSURL string
	// RequiredGroups are groups (cognito:groups, else groups) the token must
	// have: all of them, or one when AnyGroup is set.
	RequiredGroups []string
	// AnyGroup makes one of RequiredGroups enough.
	AnyGroup bool
	// RequiredScopes are scopes (scope, else scp) every token must have.
	RequiredScopes []string
	Settings
}

// NewOIDCVerifier validates cfg and returns a verifier of the issuer's
// tokens. It does no I/O: discovery and keys happen at first use, or with
// [JWTVerifier.Prefetch].
func NewOIDCVerifier(cfg OIDCConfig) (*JWTVerifier, error) {
	if cfg.Issuer == "" {
		return nil, fmt.Errorf("%w: Issuer is required", ErrConfig)
	}
	if err := checkURL(cfg.Issuer, cfg.InsecureAllowHTTPLoopback); err != nil {
		return nil, fmt.Errorf("%w: Issuer: %w", ErrConfig, err)
	}
	auds := slices.Clone(cfg.Audiences)
	switch {
	case len(auds) == 0 && !cfg.InsecureSkipAudienceCheck:
		return nil, fmt.Errorf("%w: Audiences is required (or set InsecureSkipAudienceCheck)", ErrConfig)
	case len(auds) > 0 && cfg.InsecureSkipAudienceCheck:
		return nil, fmt.Errorf("%w: Audiences and InsecureSkipAudienceCheck are exclusive", ErrConfig)
	case slices.Contains(auds, ""):
		return nil, fmt.Errorf("%w: empty audience", ErrConfig)
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	if err := checkOwnJWKS(cfg.Settings, cfg.JWKSURL, cfg.Issuer); err != nil {
		return nil, err
	}
	keys := cfg.JWKS
	if keys == nil {
		var err error
		if cfg.JWKSURL != "" {
			keys, err = sharedJWKS(cfg.JWKSURL, "", cfg.HTTPClient, cfg.InsecureAllowHTTPLoopback)
		} else {
			keys, err = sharedJWKS("", cfg.Issuer, cfg.HTTPClient, cfg.InsecureAllowHTTPLoopback)
		}
		if err != nil {
			return nil, err
		}
	}
	skip := cfg.InsecureSkipAudienceCheck
	check := func(c *Claims) []error {
		if skip || anyIn(c.Audience, auds) {
			return nil
		}
		return []error{&ClaimError{Claim: "aud", Err: ErrAudience}}
	}
	return newJWTVerifier(cfg.Settings, verifierParams{
		issuer:         cfg.Issuer,
		algs:           algs,
		keys:           keys,
		check:          check,
		requiredGroups: cfg.RequiredGroups,
		anyGroup:       cfg.AnyGroup,
		requiredScopes: cfg.RequiredScopes,
	})
}

package authorizer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// TokenUse is the Cognito token_use a verifier accepts.
type TokenUse string

// Accepted token uses.
const (
	// TokenUseID accepts ID tokens only; aud must be one of the client IDs.
	TokenUseID TokenUse = "id"
	// TokenUseAccess accepts access tokens only; client_id must be one of
	// the client IDs.
	TokenUseAccess TokenUse = "access"
	// TokenUseAny accepts both, each checked by its own rule above.
	TokenUseAny TokenUse = "any"
)

// CognitoConfig configures a verifier of Amazon Cognito user pool tokens.
// Security checks have no silent defaults: ClientIDs and TokenUse are
// required, and client checking is turned off only by
// InsecureSkipClientIDCheck.
type CognitoConfig struct {
	// Region is the pool's region, such as "eu-west-1"; empty means the
	// region in UserPoolID, and a different one is an [ErrConfig] error.
	// It is not used when Issuer is set.
	Region string
	// UserPoolID is the pool ID, such as "eu-west-1_AbCdEf123". Required;
	// validated at construction.
	UserPoolID string
	// ClientIDs are the app clients accepted: an ID token's aud or an access
	// token's client_id must be one of them. Required unless
	// InsecureSkipClientIDCheck.
	ClientIDs []string
	// InsecureSkipClientIDCheck accepts tokens of every app client of the
	// pool. Only for pools whose every client may call the API.
	InsecureSkipClientIDCheck bool
	// TokenUse is the token_use accepted. Required.
	TokenUse TokenUse
	// RequiredGroups are groups (cognito:groups) the token must have: all of
	// them, or one of them when AnyGroup is set. Empty means no group rule.
	RequiredGroups []string
	// AnyGroup makes one of RequiredGroups enough.
	AnyGroup bool
	// RequiredScopes are scopes every token must have. ID tokens carry no
	// scopes, so this only makes sense with TokenUseAccess.
	RequiredScopes []string
	// Issuer overrides the issuer, for cognito-local and other local pools:
	// it must end in "/" + UserPoolID. Empty means
	// https://cognito-idp.<region>.amazonaws.com/<pool> (amazonaws.com.cn in
	// China regions).
	Issuer string
	// JWKSURL overrides the key set URL. Empty means Issuer +
	// "/.well-known/jwks.json". Setting it together with Settings.JWKS is
	// an [ErrConfig] error.
	JWKSURL string
	// Algorithms is the allow-list. Empty means RS256, the only algorithm
	// Cognito signs with.
	Algorithms []string
	Settings
}

// poolIDRe is Cognito's pool ID format: region, underscore, ID.
var (
	poolIDRe    = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$`)
	localPoolRe = regexp.MustCompile(`^[\w-]+_[0-9A-Za-z]+$`)
)

// NewCognitoVerifier validates cfg and returns a verifier of the pool's
// tokens. It does no I/O: keys are fetched at first use, or with
// [JWTVerifier.Prefetch].
func NewCognitoVerifier(cfg CognitoConfig) (*JWTVerifier, error) {
	region := cfg.Region
	issuer := cfg.Issuer
	if issuer == "" {
		m := poolIDRe.FindStringSubmatch(cfg.UserPoolID)
		if m == nil {
			return nil, fmt.Errorf("%w: UserPoolID is not a Cognito user pool ID", ErrConfig)
		}
		if region == "" {
			region = m[1]
		}
		if region != m[1] {
			return nil, fmt.Errorf("%w: Region does not match UserPoolID", ErrConfig)
		}
		domain := "amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			domain = "amazonaws.com.cn"
		}
		issuer = "https://cognito-idp." + region + "." + domain + "/" + cfg.UserPoolID
	} else {
		if !localPoolRe.MatchString(cfg.UserPoolID) {
			return nil, fmt.Errorf("%w: UserPoolID is not a user pool ID", ErrConfig)
		}
		if !strings.HasSuffix(issuer, "/"+cfg.UserPoolID) {
			return nil, fmt.Errorf("%w: Issuer must end in /UserPoolID", ErrConfig)
		}
		if err := checkURL(issuer, cfg.InsecureAllowHTTPLoopback); err != nil {
			return nil, fmt.Errorf("%w: Issuer: %w", ErrConfig, err)
		}
	}
	clientIDs := slices.Clone(cfg.ClientIDs)
	switch {
	case len(clientIDs) == 0 && !cfg.InsecureSkipClientIDCheck:
		return nil, fmt.Errorf("%w: ClientIDs is required (or set InsecureSkipClientIDCheck)", ErrConfig)
	case len(clientIDs) > 0 && cfg.InsecureSkipClientIDCheck:
		return nil, fmt.Errorf("%w: ClientIDs and InsecureSkipClientIDCheck are exclusive", ErrConfig)
	case slices.Contains(clientIDs, ""):
		return nil, fmt.Errorf("%w: empty client ID", ErrConfig)
	}
	use := cfg.TokenUse
	switch use {
	case TokenUseID, TokenUseAccess, TokenUseAny:
	case "":
		return nil, fmt.Errorf("%w: TokenUse is required", ErrConfig)
	default:
		return nil, fmt.Errorf("%w: TokenUse must be id, access or any", ErrConfig)
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	if err := checkOwnJWKS(cfg.Settings, cfg.JWKSURL, issuer); err != nil {
		return nil, err
	}
	keys := cfg.JWKS
	if keys == nil {
		u := cfg.JWKSURL
		if u == "" {
			u = issuer + "/.well-known/jwks.json"
		}
		var err error
		if keys, err = sharedJWKS(u, "", cfg.HTTPClient, cfg.InsecureAllowHTTPLoopback); err != nil {
			return nil, err
		}
	}
	check := func(c *Claims) []error {
		var errs []error
		switch {
		case c.TokenUse != "id" && c.TokenUse != "access":
			return []error{&ClaimError{Claim: "token_use", Err: ErrTokenUse}}
		case use != TokenUseAny && c.TokenUse != string(use):
			return []error{&ClaimError{Claim: "token_use", Err: ErrTokenUse}}
		}
		if cfg.InsecureSkipClientIDCheck {
			return nil
		}
		if c.TokenUse == "id" {
			if !anyIn(c.Audience, clientIDs) {
				errs = append(errs, &ClaimError{Claim: "aud", Err: ErrAudience})
			}
		} else if !slices.Contains(clientIDs, c.ClientID) {
			errs = append(errs, &ClaimError{Claim: "client_id", Err: ErrClientID})
		}
		return errs
	}
	return newJWTVerifier(cfg.Settings, verifierParams{
		issuer:         issuer,
		algs:           algs,
		keys:           keys,
		check:          check,
		requiredGroups: cfg.RequiredGroups,
		anyGroup:       cfg.AnyGroup,
		requiredScopes: cfg.RequiredScopes,
	})
}

// anyIn reports whether some element of have is in want.
func anyIn(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

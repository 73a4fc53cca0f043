package authorizer

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Claims are the verified claims of a token, or the claims that an API
// Gateway authorizer passed on (see [ClaimsFromEvent]).
//
// A *Claims returned by [JWTVerifier.Verify] may be shared with the
// verified-token cache and with concurrent callers: treat it, its slices and
// Raw as read-only.
type Claims struct {
	// Subject is sub: the principal.
	Subject string
	// Issuer is iss.
	Issuer string
	// Audience is aud, which may be a string or an array in the token.
	Audience []string
	// TokenUse is Cognito's token_use: "id" or "access"; empty elsewhere.
	TokenUse string
	// ClientID is client_id (Cognito access tokens and many OIDC access
	// tokens).
	ClientID string
	// Username is username (Cognito access tokens) or cognito:username
	// (Cognito ID tokens).
	Username string
	// Groups is cognito:groups, or groups when cognito:groups is absent.
	Groups []string
	// Scopes is scope split on spaces, or the scp array.
	Scopes []string
	// ExpiresAt is exp.
	ExpiresAt time.Time
	// IssuedAt is iat; zero if absent.
	IssuedAt time.Time
	// NotBefore is nbf; zero if absent.
	NotBefore time.Time
	// Raw holds every claim as decoded from JSON (numbers are float64).
	Raw map[string]any
}

// HasGroup reports whether the claims list group g.
func (c *Claims) HasGroup(g string) bool { return slices.Contains(c.Groups, g) }

// HasScope reports whether the claims list scope s.
func (c *Claims) HasScope(s string) bool { return slices.Contains(c.Scopes, s) }

// latest numeric date accepted: the end of year 9999.
const maxNumericDate = 253402300799

// claimsFromJWT builds Claims from a decoded JWT payload. It checks the types
// of the claims it reads and returns a *ClaimError for the first mismatch.
func claimsFromJWT(m map[string]any) (*Claims, error) {
	c := &Claims{Raw: m}
	var err error
	str := func(name string, dst *string) {
		if err != nil {
			return
		}
		v, ok := m[name]
		if !ok {
			return
		}
		s, ok := v.(string)
		if !ok {
			err = &ClaimError{Claim: name, Err: ErrClaimType}
			return
		}
		*dst = s
	}
	date := func(name string, dst *time.Time) {
		if err != nil {
			return
		}
		v, ok := m[name]
		if !ok {
			return
		}
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || f < 0 || f > maxNumericDate {
			err = &ClaimError{Claim: name, Err: ErrClaimType}
			return
		}
		sec, frac := math.Modf(f)
		*dst = time.Unix(int64(sec), int64(frac*1e9))
	}
	list := func(name string, dst *[]string, splitString bool) {
		if err != nil {
			return
		}
		v, ok := m[name]
		if !ok {
			return
		}
		switch v := v.(type) {
		case string:
			if splitString {
				*dst = strings.Fields(v)
			} else {
				*dst = []string{v}
			}
		case []any:
			out, ok := stringArray(v)
			if !ok {
				err = &ClaimError{Claim: name, Err: ErrClaimType}
				return
			}
			*dst = out
		default:
			err = &ClaimError{Claim: name, Err: ErrClaimType}
		}
	}
	// Every claim this package reads, and every registered claim, must have
	// its specified JSON type; a wrongly typed claim rejects the token
	// rather than being ignored. RFC 7519 §4.1 makes iss, sub, jti and each
	// aud member a string (StringOrURI); RFC 8693 §4.2 and §4.3 make scope a
	// single space-delimited string and client_id a string; Cognito's
	// token_use, username and cognito:username are strings.
	var jti, cognitoUsername string
	str("sub", &c.Subject)
	str("iss", &c.Issuer)
	str("jti", &jti)
	str("token_use", &c.TokenUse)
	str("client_id", &c.ClientID)
	str("username", &c.Username)
	str("cognito:username", &cognitoUsername)
	if c.Username == "" {
		c.Username = cognitoUsername
	}
	list("aud", &c.Audience, false)
	var groups []string
	list("cognito:groups", &c.Groups, false)
	list("groups", &groups, false)
	if _, ok := m["cognito:groups"]; !ok {
		c.Groups = groups
	}
	var scp []string
	list("scp", &scp, true)
	if _, ok := m["scope"]; ok {
		if err == nil {
			s, isString := m["scope"].(string)
			if !isString {
				err = &ClaimError{Claim: "scope", Err: ErrClaimType}
			}
			c.Scopes = strings.Fields(s)
		}
	} else {
		c.Scopes = scp
	}
	date("exp", &c.ExpiresAt)
	date("iat", &c.IssuedAt)
	date("nbf", &c.NotBefore)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// stringArray returns the members of a JSON array of strings, or false
// when a member is not a string.
func stringArray(v []any) ([]string, bool) {
	out := make([]string, 0, len(v))
	for _, e := range v {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

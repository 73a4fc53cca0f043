package authorizer

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Claims are the verified claims of a token, or the claims that an API
// Gateway authorizer passed on (see [ClaimsFromRequest]).
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
			out := make([]string, 0, len(v))
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					err = &ClaimError{Claim: name, Err: ErrClaimType}
					return
				}
				out = append(out, s)
			}
			*dst = out
		default:
			err = &ClaimError{Claim: name, Err: ErrClaimType}
		}
	}
	str("sub", &c.Subject)
	str("iss", &c.Issuer)
	str("token_use", &c.TokenUse)
	str("client_id", &c.ClientID)
	str("username", &c.Username)
	if c.Username == "" {
		str("cognito:username", &c.Username)
	}
	list("aud", &c.Audience, false)
	if _, ok := m["cognito:groups"]; ok {
		list("cognito:groups", &c.Groups, false)
	} else {
		list("groups", &c.Groups, false)
	}
	if _, ok := m["scope"]; ok {
		list("scope", &c.Scopes, true)
	} else {
		list("scp", &c.Scopes, true)
	}
	date("exp", &c.ExpiresAt)
	date("iat", &c.IssuedAt)
	date("nbf", &c.NotBefore)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// contextMap returns the authorizer context entries for c: sub, username,
// groups (comma-separated), scopes (space-separated) and client_id, each a
// string and present only when non-empty.
func (c *Claims) contextMap(extra int) map[string]any {
	m := make(map[string]any, 5+extra)
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("sub", c.Subject)
	put("username", c.Username)
	put("groups", strings.Join(c.Groups, ","))
	put("scopes", strings.Join(c.Scopes, " "))
	put("client_id", c.ClientID)
	return m
}

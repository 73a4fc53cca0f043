package authorizer

import (
	"encoding/json"
	"strings"
)

// The authorizer context that the [Authorizer] handlers write, and that
// [ClaimsFromEvent] reads back in the backend.
//
// API Gateway passes a Lambda authorizer's context to the integration as
// requestContext.authorizer.<key> (REST, every value turned into a string)
// or requestContext.authorizer.lambda.<key> (HTTP API, JSON types kept). It
// refuses arrays and objects as values, so the lists are JSON array strings:
// a string value can never be mistaken for a list, and a group name that
// holds a comma or a space survives the trip.
const (
	// formatKey marks a context written by this package; its value is the
	// version of the format below.
	formatKey     = "seclambda"
	formatVersion = "1"
)

// contextMap returns the authorizer context entries for c, each a string:
// seclambda "1", then sub, iss, username, client_id and token_use when
// non-empty, and groups and scopes as JSON arrays of strings (`["a","b"]`)
// when non-empty.
func (c *Claims) contextMap(extra int) map[string]any {
	m := make(map[string]any, 8+extra)
	m[formatKey] = formatVersion
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("sub", c.Subject)
	put("iss", c.Issuer)
	put("username", c.Username)
	put("client_id", c.ClientID)
	put("token_use", c.TokenUse)
	putList := func(k string, v []string) {
		if len(v) > 0 {
			b, _ := json.Marshal(v) // a []string always marshals
			m[k] = string(b)
		}
	}
	putList("groups", c.Groups)
	putList("scopes", c.Scopes)
	return m
}

// claimsFromContext reads an authorizer context written by contextMap.
// principal is REST's principalId (which API Gateway adds to the context),
// or nil.
func claimsFromContext(vals map[string]any, principal any) (*Claims, error) {
	if v, ok := vals[formatKey].(string); !ok || v != formatVersion {
		return nil, &ClaimError{Claim: formatKey, Err: ErrClaimType}
	}
	c := &Claims{Raw: vals}
	cr := claimReader{vals: vals}
	cr.str("sub", &c.Subject)
	cr.str("iss", &c.Issuer)
	cr.str("username", &c.Username)
	cr.str("client_id", &c.ClientID)
	cr.str("token_use", &c.TokenUse)
	cr.list("groups", &c.Groups, contextList)
	cr.list("scopes", &c.Scopes, contextList)
	if cr.err != nil {
		return nil, cr.err
	}
	if c.Subject == "" {
		return nil, &ClaimError{Claim: "sub", Err: ErrMissingSubject}
	}
	if principal != nil && principal != any(c.Subject) {
		// The handlers make principalId the sub; a context that disagrees
		// was not written by them alone.
		return nil, &ClaimError{Claim: "sub", Err: ErrAmbiguousClaims}
	}
	return c, nil
}

// contextList returns the members of a list that contextMap wrote: a JSON
// array of strings in a string.
func contextList(_ string, v any) ([]string, bool) {
	s, ok := v.(string)
	if !ok || !strings.HasPrefix(s, "[") {
		return nil, false
	}
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil || out == nil {
		return nil, false
	}
	return out, true
}

package authorizer

import (
	"context"
	"encoding/json"
	"fmt"
)

// IssuerVerifier is a [Verifier] of one issuer's tokens, such as
// [*JWTVerifier].
type IssuerVerifier interface {
	Verifier
	// Issuer returns the exact iss the verifier accepts.
	Issuer() string
}

// MultiVerifier verifies tokens of several issuers (federation). It reads
// the unverified iss only to pick the one verifier of that issuer, which
// then checks everything, iss included; a token is never tried against a
// verifier of another issuer. It is safe for concurrent use.
type MultiVerifier struct {
	byIssuer map[string]IssuerVerifier
	maxBytes int
}

// NewMultiVerifier returns a verifier that dispatches on iss. Each verifier
// must implement [IssuerVerifier] and serve a distinct issuer (combine the
// token uses of one Cognito pool with [TokenUseAny] instead).
func NewMultiVerifier(vs ...Verifier) (*MultiVerifier, error) {
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: no verifiers", ErrConfig)
	}
	m := &MultiVerifier{byIssuer: make(map[string]IssuerVerifier, len(vs)), maxBytes: DefaultMaxTokenBytes}
	for _, v := range vs {
		iv, ok := v.(IssuerVerifier)
		if !ok || iv == nil {
			return nil, fmt.Errorf("%w: verifier %T has no Issuer method", ErrConfig, v)
		}
		iss := iv.Issuer()
		if iss == "" {
			return nil, fmt.Errorf("%w: verifier with empty issuer", ErrConfig)
		}
		if _, dup := m.byIssuer[iss]; dup {
			return nil, fmt.Errorf("%w: two verifiers for issuer %q", ErrConfig, iss)
		}
		m.byIssuer[iss] = iv
		if jv, ok := v.(*JWTVerifier); ok && jv.maxBytes > m.maxBytes {
			m.maxBytes = jv.maxBytes
		}
	}
	return m, nil
}

// Verify picks the verifier of the token's iss and returns its result. A
// token of an unknown issuer fails with [ErrIssuer].
func (m *MultiVerifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, ErrMissingToken
	}
	if len(token) > m.maxBytes {
		return nil, ErrTokenTooLarge
	}
	_, payload, _, _, err := splitToken(token)
	if err != nil {
		return nil, err
	}
	body, err := segments.DecodeString(payload)
	if err != nil {
		return nil, ErrMalformed
	}
	var p struct {
		Iss json.RawMessage `json:"iss"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, ErrMalformed
	}
	var iss string
	if json.Unmarshal(p.Iss, &iss) != nil {
		return nil, &ClaimError{Claim: "iss", Err: ErrIssuer}
	}
	v, ok := m.byIssuer[iss]
	if !ok {
		return nil, &ClaimError{Claim: "iss", Err: ErrIssuer}
	}
	return v.Verify(ctx, token)
}

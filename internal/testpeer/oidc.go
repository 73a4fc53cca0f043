package testpeer

import (
	"crypto/elliptic"
	"testing"

	"github.com/seclambda/seclambda/authorizer/authorizertest"
)

// Key is a signing key of an [Issuer]: an [authorizertest.Key] whose
// helpers fail the test instead of returning errors. A Key is immutable
// once made.
type Key struct{ *authorizertest.Key }

// NewRSAKey generates an RSA key of the given size (2048 if bits is 0) that
// signs with RS256.
func NewRSAKey(tb testing.TB, kid string, bits int) *Key {
	tb.Helper()
	k, err := authorizertest.NewRSAKey(kid, bits)
	if err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return &Key{k}
}

// NewECKey generates an ECDSA key on curve (P-256, P-384 or P-521) that signs
// with ES256, ES384 or ES512 to match.
func NewECKey(tb testing.TB, kid string, curve elliptic.Curve) *Key {
	tb.Helper()
	k, err := authorizertest.NewECKey(kid, curve)
	if err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return &Key{k}
}

// With returns a copy of k that signs and publishes with alg and use.
func (k *Key) With(alg, use string) *Key { return &Key{k.Key.With(alg, use)} }

// Mint signs claims with k as [authorizertest.Key.Sign] does, failing tb
// on error.
func (k *Key) Mint(tb testing.TB, claims map[string]any, extraHeader map[string]any) string {
	tb.Helper()
	tok, err := k.Sign(claims, extraHeader)
	if err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return tok
}

// SignRaw signs arbitrary header and payload bytes as
// [authorizertest.Key.SignRaw] does, failing tb on error.
func (k *Key) SignRaw(tb testing.TB, header, payload []byte) string {
	tb.Helper()
	tok, err := k.Key.SignRaw(header, payload)
	if err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return tok
}

// Issuer is an [authorizertest.Issuer] that stops at the test's cleanup and
// whose helpers fail the test instead of returning errors. It exists
// because no local peer serves arbitrary OIDC issuers; Cognito tokens come
// from [StartCognito].
type Issuer struct{ *authorizertest.Issuer }

// StartIssuer starts an issuer over plain HTTP on loopback
// ([authorizertest.NewHTTPIssuer]) with one RS256 key, kid "k1", published
// and used for signing. The server stops at the test's cleanup.
func StartIssuer(tb testing.TB) *Issuer {
	tb.Helper()
	iss := authorizertest.NewHTTPIssuer()
	tb.Cleanup(iss.Close)
	return &Issuer{iss}
}

// StartIssuerTLS is [StartIssuer] over HTTPS ([authorizertest.NewIssuer]);
// use [authorizertest.Issuer.Client] to trust its certificate.
func StartIssuerTLS(tb testing.TB) *Issuer {
	tb.Helper()
	iss := authorizertest.NewIssuer()
	tb.Cleanup(iss.Close)
	return &Issuer{iss}
}

// SigningKey returns the key that [Issuer.Mint] signs with.
func (i *Issuer) SigningKey() *Key { return &Key{i.Issuer.SigningKey()} }

// Publish replaces the published key set.
func (i *Issuer) Publish(keys ...*Key) {
	ks := make([]*authorizertest.Key, len(keys))
	for n, k := range keys {
		ks[n] = k.Key
	}
	i.Issuer.Publish(ks...)
}

// SetSigningKey makes k the key that [Issuer.Mint] signs with; it does not
// publish k.
func (i *Issuer) SetSigningKey(k *Key) { i.Issuer.SetSigningKey(k.Key) }

// Rotate generates a new RS256 key with kid, publishes it next to the
// current keys and makes it the signing key.
func (i *Issuer) Rotate(tb testing.TB, kid string) *Key {
	tb.Helper()
	k, err := i.Issuer.Rotate(kid)
	if err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return &Key{k}
}

// Mint signs claims with the signing key as [authorizertest.Issuer.Sign]
// does (iss defaults to the issuer's URL), failing tb on error.
func (i *Issuer) Mint(tb testing.TB, claims map[string]any, extraHeader map[string]any) string {
	tb.Helper()
	tok, err := i.Sign(claims, extraHeader)
	if err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return tok
}

package authorizer_test

import (
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestJWKSRotation(t *testing.T) {
	s := newOIDC(t, nil)
	_, err := s.v.Verify(ctx(t), s.mint(t, nil, nil))
	wantErrs(t, err)
	s.iss.Rotate(t, "k2")
	tok := s.mint(t, nil, nil)
	// Within the refresh interval the new kid is unknown: no refetch.
	_, err = s.v.Verify(ctx(t), tok)
	wantErrs(t, err, authorizer.ErrUnknownKID)
	if got := s.iss.JWKSFetches(); got != 1 {
		t.Fatalf("fetches = %d, want 1", got)
	}
	s.clock.Advance(authorizer.DefaultMinRefreshInterval)
	_, err = s.v.Verify(ctx(t), tok)
	wantErrs(t, err)
	if got := s.iss.JWKSFetches(); got != 2 {
		t.Fatalf("fetches = %d, want 2", got)
	}
	if ids := s.keys.KeyIDs(); strings.Join(ids, ",") != "k1,k2" {
		t.Fatalf("kids = %v", ids)
	}
}

func TestJWKSOutages(t *testing.T) {
	tests := []struct {
		name  string
		fault func(iss *testpeer.Issuer)
	}{
		{name: "500", fault: func(iss *testpeer.Issuer) { iss.FailJWKS(http.StatusInternalServerError) }},
		{name: "slow", fault: func(iss *testpeer.Issuer) { iss.SetLatency(time.Hour) }},
		{name: "not JSON", fault: func(iss *testpeer.Issuer) { iss.SetJWKSBody([]byte("<html>")) }},
		{name: "no usable keys", fault: func(iss *testpeer.Issuer) { iss.SetJWKSBody([]byte(`{"keys":[]}`)) }},
		{name: "too large", fault: func(iss *testpeer.Issuer) {
			iss.SetJWKSBody([]byte(`{"keys":[],"pad":"` + strings.Repeat("a", 70<<10) + `"}`))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name+" keeps the old keys", func(t *testing.T) {
			s := newOIDC(t, func(_ *authorizer.OIDCConfig, j *authorizer.JWKSConfig) { j.Timeout = 100 * time.Millisecond })
			old := s.mint(t, map[string]any{"exp": s.clock.Now().Add(24 * time.Hour).Unix()}, nil)
			_, err := s.v.Verify(ctx(t), old)
			wantErrs(t, err)
			tc.fault(s.iss)
			s.clock.Advance(2 * authorizer.DefaultMaxKeyAge) // stale: a refresh is tried and fails
			_, err = s.v.Verify(ctx(t), old)
			wantErrs(t, err)
			// A kid that only a refetch could find is an outage, not a
			// rejection, and the next attempt is in backoff.
			s.clock.Advance(authorizer.DefaultMinRefreshInterval)
			_, err = s.v.Verify(ctx(t), s.mint(t, nil, map[string]any{"kid": "new"}))
			wantErrs(t, err, authorizer.ErrUnavailable)
			if errors.Is(err, authorizer.ErrUnauthorized) {
				t.Fatalf("outage %q is in the rejection family", err)
			}
			_, err = s.v.Verify(ctx(t), s.mint(t, nil, map[string]any{"kid": "new2"}))
			wantErrs(t, err, authorizer.ErrBackoff)
			_, err = s.v.Verify(ctx(t), old)
			wantErrs(t, err)
		})
		t.Run(tc.name+" with an empty cache denies", func(t *testing.T) {
			s := newOIDC(t, func(_ *authorizer.OIDCConfig, j *authorizer.JWKSConfig) { j.Timeout = 100 * time.Millisecond })
			tc.fault(s.iss)
			tok := s.mint(t, nil, nil)
			_, err := s.v.Verify(ctx(t), tok)
			wantErrs(t, err, authorizer.ErrJWKSFetch, authorizer.ErrUnavailable)
			_, err = s.v.Verify(ctx(t), tok)
			wantErrs(t, err, authorizer.ErrBackoff, authorizer.ErrUnavailable)
			if got := s.iss.JWKSFetches(); got != 1 {
				t.Fatalf("fetches = %d, want 1", got)
			}
			// Recovery after the backoff.
			s.iss.FailJWKS(0)
			s.iss.SetLatency(0)
			s.iss.SetJWKSBody(nil)
			s.clock.Advance(authorizer.DefaultRetryBackoff)
			_, err = s.v.Verify(ctx(t), tok)
			wantErrs(t, err)
		})
	}
}

func TestJWKSUnknownKIDFlood(t *testing.T) {
	s := newOIDC(t, nil)
	_, err := s.v.Verify(ctx(t), s.mint(t, nil, nil))
	wantErrs(t, err)
	tokens := make([]string, 50)
	for i := range tokens {
		tokens[i] = s.mint(t, nil, map[string]any{"kid": fmt.Sprintf("forged-%d", i)})
	}
	for round := range 3 {
		var wg sync.WaitGroup
		for _, tok := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.v.Verify(ctx(t), tok)
				wantErrs(t, err, authorizer.ErrUnknownKID)
			}()
		}
		wg.Wait()
		if got, want := s.iss.JWKSFetches(), int64(1+round); got != want {
			t.Fatalf("round %d: fetches = %d, want %d", round, got, want)
		}
		s.clock.Advance(authorizer.DefaultMinRefreshInterval)
	}
}

func TestJWKSConcurrentColdStartFetchesOnce(t *testing.T) {
	s := newOIDC(t, nil)
	tok := s.mint(t, nil, nil)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.v.Verify(ctx(t), tok)
			wantErrs(t, err)
		}()
	}
	wg.Wait()
	if got := s.iss.JWKSFetches(); got != 1 {
		t.Fatalf("fetches = %d, want 1", got)
	}
}

func TestJWKSIgnoresUnusableKeys(t *testing.T) {
	s := newOIDC(t, nil)
	good := s.iss.SigningKey()
	weak := testpeer.NewRSAKey(t, "weak", 1024)
	enc := good.With("RS256", "enc")
	enc.ID = "enc"
	wrongAlg := testpeer.NewECKey(t, "wrongalg", elliptic.P256()).With("ES384", "sig")
	noAlg := testpeer.NewECKey(t, "noalg", elliptic.P256())
	noAlg.PublishAlg = false
	jwks := map[string]any{"keys": []any{
		good.JWK(), weak.JWK(), enc.JWK(), wrongAlg.JWK(), noAlg.JWK(),
		map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
		map[string]any{"kty": "EC", "kid": "offcurve", "crv": "P-256", "x": b64(make([]byte, 32)), "y": b64(make([]byte, 32))},
		"not an object",
	}}
	body, _ := json.Marshal(jwks)
	s.iss.SetJWKSBody(body)
	_, err := s.v.Verify(ctx(t), s.mint(t, nil, nil))
	wantErrs(t, err)
	if ids := strings.Join(s.keys.KeyIDs(), ","); ids != "k1,noalg" {
		t.Fatalf("kids = %s, want k1,noalg", ids)
	}
	_, err = s.v.Verify(ctx(t), noAlg.Mint(t, s.claims(nil), nil))
	wantErrs(t, err)
	_, err = s.v.Verify(ctx(t), weak.Mint(t, s.claims(nil), nil))
	wantErrs(t, err, authorizer.ErrUnknownKID)
}

func TestOIDCDiscovery(t *testing.T) {
	tests := []struct {
		name string
		doc  func(iss *testpeer.Issuer) map[string]any
		want []error
	}{
		{name: "served", doc: func(*testpeer.Issuer) map[string]any { return nil }},
		{name: "issuer mismatch", doc: func(iss *testpeer.Issuer) map[string]any {
			return map[string]any{"issuer": "https://evil.example", "jwks_uri": iss.JWKSURL}
		}, want: []error{authorizer.ErrJWKSFetch, authorizer.ErrUnavailable}},
		{name: "jwks_uri not https", doc: func(iss *testpeer.Issuer) map[string]any {
			return map[string]any{"issuer": iss.URL, "jwks_uri": "http://evil.example/jwks.json"}
		}, want: []error{authorizer.ErrJWKSFetch}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newOIDC(t, func(_ *authorizer.OIDCConfig, j *authorizer.JWKSConfig) {
				j.Issuer = j.URL[:len(j.URL)-len("/jwks.json")]
				j.URL = ""
			})
			s.iss.SetDiscovery(tc.doc(s.iss))
			_, err := s.v.Verify(ctx(t), s.mint(t, nil, nil))
			wantErrs(t, err, tc.want...)
			if s.iss.DiscoveryFetches() != 1 {
				t.Fatalf("discovery fetches = %d", s.iss.DiscoveryFetches())
			}
		})
	}
}

func TestOIDCOverTLSWithSharedCache(t *testing.T) {
	iss := testpeer.StartIssuerTLS(t)
	cfg := authorizer.OIDCConfig{
		Issuer:    iss.URL,
		Audiences: []string{testAudience},
		Settings:  authorizer.Settings{HTTPClient: iss.Client()},
	}
	v1, err := authorizer.NewOIDCVerifier(cfg)
	wantErrs(t, err)
	cfg.Audiences = []string{"another"}
	v2, err := authorizer.NewOIDCVerifier(cfg)
	wantErrs(t, err)
	if v1.JWKS() != v2.JWKS() {
		t.Fatal("verifiers of one issuer do not share the key cache")
	}
	wantErrs(t, v1.Prefetch(ctx(t)))
	now := time.Now().Unix()
	_, err = v2.Verify(ctx(t), iss.Mint(t, map[string]any{"sub": "u", "aud": "another", "exp": now + 60}, nil))
	wantErrs(t, err)
	if iss.DiscoveryFetches() != 1 || iss.JWKSFetches() != 1 {
		t.Fatalf("discovery %d, jwks %d fetches; want 1 and 1", iss.DiscoveryFetches(), iss.JWKSFetches())
	}
}

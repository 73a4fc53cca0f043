package authorizer_test

import (
	"context"
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
			s.clock.Advance(2 * authorizer.DefaultMaxKeyAge) // stale: a background refresh is tried and fails
			_, err = s.v.Verify(ctx(t), old)
			wantErrs(t, err)
			// Wait for the background refresh (Refresh joins it if it is
			// still in flight) so that the backoff below is deterministic.
			wantErrs(t, s.keys.Refresh(ctx(t)), authorizer.ErrJWKSFetch)
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

// gate is an http.RoundTripper that, once closed, holds every request
// until it is opened again (or the request's context ends), and says when
// a request arrives.
type gate struct {
	mu      sync.Mutex
	held    chan struct{} // nil: requests pass
	arrived chan struct{}
	base    http.RoundTripper
}

func newGate() *gate { return &gate{arrived: make(chan struct{}, 16), base: http.DefaultTransport} }

func (g *gate) close() { g.mu.Lock(); g.held = make(chan struct{}); g.mu.Unlock() }

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held != nil {
		close(g.held)
		g.held = nil
	}
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	held := g.held
	g.mu.Unlock()
	if held != nil {
		g.arrived <- struct{}{}
		select {
		case <-held:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return g.base.RoundTrip(r)
}

// TestJWKSStaleKeyServedWhileRefreshing checks that once the key set is
// older than MaxKeyAge, tokens with a cached kid are verified at once with
// the cached key while the refresh runs in the background, that only an
// unknown kid waits for it, and that the refresh's outcome applies to the
// tokens after it. Regression test: every request waited up to the fetch
// Timeout for the refresh.
func TestJWKSStaleKeyServedWhileRefreshing(t *testing.T) {
	tests := []struct {
		name string
		// during runs while the refresh is held; it changes the issuer.
		during func(t *testing.T, s *oidcSetup)
		// waiter, if set, is a token verified while the refresh is held,
		// which must wait for it and then give wantWaiter.
		waiter     func(t *testing.T, s *oidcSetup) string
		wantWaiter []error
		// wantOld is the outcome of the old token after the refresh.
		wantOld []error
	}{
		{name: "refresh keeps the key", during: func(t *testing.T, s *oidcSetup) { s.iss.Rotate(t, "k2") }},
		{name: "refresh drops the key", during: func(t *testing.T, s *oidcSetup) {
			s.iss.Publish(testpeer.NewRSAKey(t, "k3", 2048))
		}, wantOld: []error{authorizer.ErrUnknownKID}},
		{name: "refresh fails, old keys kept", during: func(t *testing.T, s *oidcSetup) {
			s.iss.FailJWKS(http.StatusInternalServerError)
		}},
		{name: "unknown kid waits for the refresh", during: func(t *testing.T, s *oidcSetup) { s.iss.Rotate(t, "k2") }, waiter: func(t *testing.T, s *oidcSetup) string { return s.mint(t, nil, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGate()
			s := newOIDC(t, func(_ *authorizer.OIDCConfig, j *authorizer.JWKSConfig) {
				j.Timeout = time.Hour
				j.HTTPClient = &http.Client{Transport: g}
			})
			old := s.mint(t, map[string]any{"exp": s.clock.Now().Add(24 * time.Hour).Unix()}, nil)
			_, err := s.v.Verify(ctx(t), old)
			wantErrs(t, err)

			s.clock.Advance(authorizer.DefaultMaxKeyAge)
			g.close()
			tt.during(t, s)
			// The stale key is served at once, twice: the second call does
			// not start another fetch. Without a deadline, a Verify that
			// waited for the held refresh would never return.
			for i := range 2 {
				done := make(chan error, 1)
				go func() { _, err := s.v.Verify(context.Background(), old); done <- err }()
				select {
				case err := <-done:
					wantErrs(t, err)
				case <-time.After(30 * time.Second):
					t.Fatalf("call %d: Verify waited for the background refresh", i)
				}
			}
			<-g.arrived // the refresh did start

			var waited chan error
			if tt.waiter != nil {
				tok := tt.waiter(t, s)
				waited = make(chan error, 1)
				go func() { _, err := s.v.Verify(context.Background(), tok); waited <- err }()
			}
			g.open()
			if waited != nil {
				wantErrs(t, <-waited, tt.wantWaiter...)
			}
			// Wait for the refresh to end (Refresh joins it if it is still
			// in flight; otherwise it fetches again, with the same outcome).
			_ = s.keys.Refresh(ctx(t))
			fetches := s.iss.JWKSFetches()
			_, err = s.v.Verify(ctx(t), old)
			wantErrs(t, err, tt.wantOld...)
			if got := s.iss.JWKSFetches(); got != fetches && tt.wantOld == nil {
				t.Errorf("a verification right after the refresh fetched again (%d, then %d)", fetches, got)
			}
		})
	}
}

// TestJWKSFetchRetry checks that a fetch whose first attempt fails on the
// connection or with a gateway status is tried once more at once, within
// the fetch timeout, and that other failures are not. Regression test: one
// dropped connection with no keys cached failed every token for
// RetryBackoff.
func TestJWKSFetchRetry(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(iss *testpeer.Issuer)
		want    []error
		fetches int64
	}{
		{name: "connection dropped once", fault: func(iss *testpeer.Issuer) { iss.DropJWKSNext(1) }, fetches: 2},
		{name: "body cut once", fault: func(iss *testpeer.Issuer) { iss.CutJWKSNext(1) }, fetches: 2},
		{name: "502 once", fault: func(iss *testpeer.Issuer) { iss.FailJWKSNext(1, http.StatusBadGateway) }, fetches: 2},
		{name: "503 once", fault: func(iss *testpeer.Issuer) { iss.FailJWKSNext(1, http.StatusServiceUnavailable) }, fetches: 2},
		{name: "504 once", fault: func(iss *testpeer.Issuer) { iss.FailJWKSNext(1, http.StatusGatewayTimeout) }, fetches: 2},
		{name: "connection dropped twice", fault: func(iss *testpeer.Issuer) { iss.DropJWKSNext(2) },
			want: []error{authorizer.ErrJWKSFetch, authorizer.ErrUnavailable}, fetches: 2},
		{name: "dropped, then 503", fault: func(iss *testpeer.Issuer) {
			iss.DropJWKSNext(1)
			iss.FailJWKSNext(1, http.StatusServiceUnavailable)
		}, want: []error{authorizer.ErrJWKSFetch}, fetches: 2},
		{name: "500 is not retried", fault: func(iss *testpeer.Issuer) { iss.FailJWKSNext(1, http.StatusInternalServerError) },
			want: []error{authorizer.ErrJWKSFetch}, fetches: 1},
		{name: "404 is not retried", fault: func(iss *testpeer.Issuer) { iss.FailJWKSNext(1, http.StatusNotFound) },
			want: []error{authorizer.ErrJWKSFetch}, fetches: 1},
		{name: "timeout is not retried", fault: func(iss *testpeer.Issuer) { iss.SetLatency(time.Hour) },
			want: []error{authorizer.ErrJWKSFetch}, fetches: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A new issuer, hence a new connection: net/http itself retries
			// a GET only on a reused connection.
			s := newOIDC(t, func(_ *authorizer.OIDCConfig, j *authorizer.JWKSConfig) { j.Timeout = 500 * time.Millisecond })
			tc.fault(s.iss)
			_, err := s.v.Verify(ctx(t), s.mint(t, nil, nil))
			wantErrs(t, err, tc.want...)
			if got := s.iss.JWKSFetches(); got != tc.fetches {
				t.Fatalf("fetches = %d, want %d", got, tc.fetches)
			}
		})
	}
}

// TestSharedJWKSRegistryBounded checks the rule of the process-wide key
// cache: one JWKS per endpoint and client, at most MaxSharedJWKS of them,
// the least recently used dropped first. Regression test: the registry was
// keyed by *http.Client and never evicted, so a program that built a client
// per verifier grew it without bound.
func TestSharedJWKSRegistryBounded(t *testing.T) {
	build := func(t *testing.T, client *http.Client) *authorizer.JWTVerifier {
		t.Helper()
		v, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{
			Issuer:    "https://registry.example",
			Audiences: []string{testAudience},
			Settings:  authorizer.Settings{HTTPClient: client},
		})
		wantErrs(t, err)
		return v
	}
	kept, dropped := &http.Client{}, &http.Client{}
	first := build(t, dropped)
	k := build(t, kept)
	if build(t, kept).JWKS() != k.JWKS() {
		t.Fatal("two verifiers of one endpoint and client do not share the key set")
	}
	if build(t, &http.Client{}).JWKS() == k.JWKS() {
		t.Fatal("verifiers with different clients share a key set")
	}
	for i := range 2 * authorizer.MaxSharedJWKS {
		build(t, &http.Client{})
		if i%8 == 0 {
			build(t, kept) // recently used: stays
		}
		if n := authorizer.SharedJWKSCount(); n > authorizer.MaxSharedJWKS {
			t.Fatalf("registry holds %d key sets, bound %d", n, authorizer.MaxSharedJWKS)
		}
	}
	if build(t, kept).JWKS() != k.JWKS() {
		t.Fatal("a recently used key set was dropped")
	}
	if again := build(t, dropped); again.JWKS() == first.JWKS() {
		t.Fatal("the least recently used key set was kept")
	}
	if first.JWKS() == nil {
		t.Fatal("a verifier lost its key set when the registry dropped it")
	}
}

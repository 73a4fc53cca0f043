package authorizer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

// fakeClock is an injectable clock that only moves when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testAudience is the aud of OIDC test tokens.
const testAudience = "api://orders"

// oidcSetup is a test issuer with a verifier of its tokens.
type oidcSetup struct {
	iss   *testpeer.Issuer
	clock *fakeClock
	keys  *authorizer.JWKS
	v     *authorizer.JWTVerifier
}

// newOIDC starts an issuer and a verifier with an injected clock; mutate
// adjusts the config before construction.
func newOIDC(t testing.TB, mutate func(*authorizer.OIDCConfig, *authorizer.JWKSConfig)) *oidcSetup {
	t.Helper()
	s := &oidcSetup{iss: testpeer.StartIssuer(t), clock: newClock()}
	jc := authorizer.JWKSConfig{URL: s.iss.JWKSURL, InsecureAllowHTTPLoopback: true, Clock: s.clock.Now}
	cfg := authorizer.OIDCConfig{
		Issuer:     s.iss.URL,
		Audiences:  []string{testAudience},
		Algorithms: []string{"RS256", "ES256", "ES384"},
		// The verified-token cache is off, so that every Verify exercises
		// the key set; the cache tests turn it on.
		Settings: authorizer.Settings{Clock: s.clock.Now, InsecureAllowHTTPLoopback: true, CacheSize: -1},
	}
	if mutate != nil {
		mutate(&cfg, &jc)
	}
	keys, err := authorizer.NewJWKS(jc)
	if err != nil {
		t.Fatal(err)
	}
	s.keys = keys
	cfg.JWKS = keys
	v, err := authorizer.NewOIDCVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.v = v
	return s
}

// claims returns valid claims for the setup's clock, with overrides
// (nil deletes a claim).
func (s *oidcSetup) claims(over map[string]any) map[string]any {
	now := s.clock.Now().Unix()
	c := map[string]any{
		"iss":            s.iss.URL,
		"sub":            "user-1",
		"aud":            testAudience,
		"exp":            now + 3600,
		"iat":            now,
		"cognito:groups": []string{"admin", "staff"},
		"scope":          "orders/read orders/write",
		"username":       "alice",
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// mint signs claims with the issuer's signing key.
func (s *oidcSetup) mint(t testing.TB, over map[string]any, hdr map[string]any) string {
	t.Helper()
	return s.iss.Mint(t, s.claims(over), hdr)
}

// wantErrs checks that err matches every want, or is nil when want is
// empty.
func wantErrs(t *testing.T, err error, want ...error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Fatalf("error %q does not match %q", err, w)
		}
	}
}

func ctx(t testing.TB) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// newAuthorizer returns authorizer.New(v, opts...) and fails t on an
// error.
func newAuthorizer(t testing.TB, v authorizer.Verifier, opts ...authorizer.Option) *authorizer.Authorizer {
	t.Helper()
	a, err := authorizer.New(v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

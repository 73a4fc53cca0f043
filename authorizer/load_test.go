package authorizer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// TestVerifyUnderLoadWhileRotating runs 1,000 concurrent verifications
// while the issuer rotates its signing key (it publishes the new key in
// the middle of the burst), over real HTTP on loopback. It requires no
// wrong answer (every token of the old key accepted with its own claims,
// every token of the new key accepted with its own claims or refused as an
// unknown kid, every forged or tampered token refused), at most one JWKS
// fetch per MinRefreshInterval, counted at the issuer, and no goroutine
// left behind.
func TestVerifyUnderLoadWhileRotating(t *testing.T) {
	const (
		verifications = 1000
		perKind       = 16
	)
	transport := &http.Transport{}
	s := newOIDC(t, func(_ *authorizer.OIDCConfig, j *authorizer.JWKSConfig) {
		j.HTTPClient = &http.Client{Transport: transport}
	})
	t.Cleanup(transport.CloseIdleConnections)
	oldKey := s.iss.SigningKey()
	newKey := testpeer.NewRSAKey(t, "k2", 2048)
	attacker := testpeer.NewRSAKey(t, "k1", 2048)

	type kind int
	const (
		oldToken kind = iota
		newToken
		forgedOld // signed by another key under the old kid
		forgedNew // signed by another key under the new kid
		tampered  // an old-key token whose payload was changed
		kinds
	)
	type sample struct {
		token string
		sub   string
	}
	var samples [kinds][]sample
	for i := range perKind {
		sub := func(k kind) string { return fmt.Sprintf("user-%d-%d", k, i) }
		claims := func(k kind) map[string]any { return s.claims(map[string]any{"sub": sub(k)}) }
		samples[oldToken] = append(samples[oldToken], sample{oldKey.Mint(t, claims(oldToken), nil), sub(oldToken)})
		samples[newToken] = append(samples[newToken], sample{newKey.Mint(t, claims(newToken), nil), sub(newToken)})
		samples[forgedOld] = append(samples[forgedOld], sample{attacker.Mint(t, claims(forgedOld), nil), ""})
		samples[forgedNew] = append(samples[forgedNew], sample{attacker.Mint(t, claims(forgedNew), map[string]any{"kid": "k2"}), ""})
		samples[tampered] = append(samples[tampered], sample{tamper(t, oldKey.Mint(t, claims(tampered), nil), sub(tampered), "admin"), ""})
	}

	// Warm up: the first fetch, before the burst.
	_, err := s.v.Verify(ctx(t), samples[oldToken][0].token)
	wantErrs(t, err)
	// One refresh interval has passed: the burst may cause one fetch.
	s.clock.Advance(authorizer.DefaultMinRefreshInterval)
	before := s.iss.JWKSFetches()
	baseline := runtime.NumGoroutine()

	var wrong atomic.Int64
	var accepted [kinds]atomic.Int64
	report := func(format string, args ...any) {
		if wrong.Add(1) <= 5 {
			t.Errorf(format, args...)
		}
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range verifications {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i == verifications/2 {
				// The rotation, in the middle of the burst.
				s.iss.Publish(oldKey, newKey)
				s.iss.SetSigningKey(newKey)
			}
			k := kind(i % int(kinds))
			smp := samples[k][i/int(kinds)%perKind]
			c, err := s.v.Verify(context.Background(), smp.token)
			switch {
			case err == nil && smp.sub == "":
				report("kind %d: a forged token was accepted", k)
			case err == nil && c.Subject != smp.sub:
				report("kind %d: claims of %q returned for a token of %q", k, c.Subject, smp.sub)
			case err == nil:
				accepted[k].Add(1)
			case k == oldToken:
				report("a token of the published key was refused: %v", err)
			case k == newToken && !errors.Is(err, authorizer.ErrUnknownKID):
				report("a token of the new key was refused with %v, not as an unknown kid", err)
			case (k == forgedOld || k == tampered) && !errors.Is(err, authorizer.ErrSignature):
				report("kind %d: refused with %v, not as a bad signature", k, err)
			case k == forgedNew && !errors.Is(err, authorizer.ErrSignature) && !errors.Is(err, authorizer.ErrUnknownKID):
				report("a forged token of the new kid was refused with %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d wrong answers out of %d", n, verifications)
	}
	if got := s.iss.JWKSFetches() - before; got > 1 {
		t.Fatalf("%d JWKS fetches within one refresh interval, want at most 1", got)
	}
	t.Logf("accepted: %d old-key, %d new-key tokens; JWKS fetches in the burst: %d",
		accepted[oldToken].Load(), accepted[newToken].Load(), s.iss.JWKSFetches()-before)

	// After the next interval the new key is found, with one more fetch.
	s.clock.Advance(authorizer.DefaultMinRefreshInterval)
	c, err := s.v.Verify(ctx(t), samples[newToken][0].token)
	wantErrs(t, err)
	if c.Subject != samples[newToken][0].sub {
		t.Fatalf("subject = %q", c.Subject)
	}
	if got := s.iss.JWKSFetches() - before; got > 2 {
		t.Fatalf("%d JWKS fetches in two refresh intervals, want at most 2", got)
	}

	// No goroutine is left: once the idle connections are closed, the count
	// returns to where it was before the burst. Goroutines end
	// asynchronously, so this waits for them, for at most a generous bound.
	transport.CloseIdleConnections()
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			t.Fatalf("%d goroutines after the burst, %d before", runtime.NumGoroutine(), baseline)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}

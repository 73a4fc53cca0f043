package mtls_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// testAt is the reference time of the test PKI.
var testAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var pkiOnce = sync.OnceValues(func() (*testpeer.PKI, error) { return testpeer.BuildPKI(testAt) })

// testPKI returns the PKI shared by the tests of this package; it is
// immutable.
func testPKI(tb testing.TB) *testpeer.PKI {
	tb.Helper()
	p, err := pkiOnce()
	if err != nil {
		tb.Fatalf("build PKI: %v", err)
	}
	return p
}

// clock is a settable clock for Config.Clock; safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// baseConfig is a strict configuration over p: the trust store, the current
// CRLs of every CA, revocation required, any certificate of the trust store
// allowed, and the clock fixed at p.At.
func baseConfig(p *testpeer.PKI) mtls.Config {
	return mtls.Config{
		TrustStore: p.TrustStorePEM(),
		CRLs:       p.CRLsPEM(),
		AllowAny:   true,
		Clock:      func() time.Time { return p.At },
	}
}

func newValidator(tb testing.TB, cfg mtls.Config) *mtls.Validator {
	tb.Helper()
	v, err := mtls.NewValidator(cfg)
	if err != nil {
		tb.Fatalf("NewValidator: %v", err)
	}
	return v
}

// checkErr fails tb unless err matches every error of want (nil want means
// success expected).
func checkErr(tb testing.TB, err error, want ...error) {
	tb.Helper()
	if len(want) == 0 {
		if err != nil {
			tb.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		tb.Fatalf("no error, want %v", want)
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			tb.Fatalf("error %q does not match %q", err, w)
		}
	}
}

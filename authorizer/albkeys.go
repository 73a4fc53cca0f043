package authorizer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Bounds of the ALB key cache.
const (
	// maxALBKeys bounds the kids kept; a load balancer rotates through a
	// few.
	maxALBKeys = 16
	// maxALBKeyBytes bounds a key response: a PEM P-256 public key is
	// under 200 bytes.
	maxALBKeyBytes = 4 << 10
)

// albKeys caches the load balancer's public keys by kid. The HTTP side
// (https or loopback, no redirects, fetch timeout, one retry, size limit,
// refresh interval and backoff) is a [JWKS]'s, whose key set is unused. It
// is safe for concurrent use.
type albKeys struct {
	base  string // endpoint without a trailing "/"
	fetch *JWKS
	now   func() time.Time

	keys atomic.Pointer[albKeySet] // immutable once published
	sf   singleflight.Group        // keyed by kid

	mu     sync.Mutex // guards the fields below
	last   time.Time  // end of the last fetch that missed or failed
	wait   time.Duration
	failed bool // the last fetch that did not succeed failed (not a miss)
}

// albKeySet is the published cache; never mutated once published.
type albKeySet struct {
	byKID map[string]*ecdsa.PublicKey
	order []string // oldest first
}

func newALBKeys(base string, client *http.Client, loopback bool, clock func() time.Time) (*albKeys, error) {
	if err := checkURL(base, loopback); err != nil {
		return nil, fmt.Errorf("%w: key endpoint: %w", ErrConfig, err)
	}
	fetch, err := NewJWKS(JWKSConfig{
		URL:                       base + "/",
		HTTPClient:                client,
		MaxBytes:                  maxALBKeyBytes,
		InsecureAllowHTTPLoopback: loopback,
		Clock:                     clock,
	})
	if err != nil {
		return nil, err
	}
	return &albKeys{base: base, fetch: fetch, now: fetch.now}, nil
}

// key returns the key of kid, fetching it when it is not cached and the
// refresh interval or backoff allow.
func (a *albKeys) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	if ks := a.keys.Load(); ks != nil {
		if k := ks.byKID[kid]; k != nil {
			return k, nil
		}
	}
	a.mu.Lock()
	if !a.last.IsZero() && a.now().Sub(a.last) < a.wait {
		failed := a.failed
		a.mu.Unlock()
		if failed {
			return nil, ErrBackoff
		}
		return nil, ErrUnknownKID
	}
	ch := a.sf.DoChan(kid, func() (any, error) { return a.fetchKey(kid) })
	a.mu.Unlock()
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*ecdsa.PublicKey), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrJWKSFetch, ctx.Err())
	}
}

// fetchKey runs inside the single flight of kid: it fetches and parses the
// key, publishes it on success, and otherwise starts the wait before the
// next new kid.
func (a *albKeys) fetchKey(kid string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), a.fetch.timeout)
	defer cancel()
	u := a.base + "/" + kid
	body, err := a.fetch.get(ctx, u)
	var pub *ecdsa.PublicKey
	if err == nil {
		if pub, err = parseALBKey(body); err != nil {
			err = &FetchError{URL: u, Status: http.StatusOK, Err: err}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var fe *FetchError
	switch {
	case err == nil:
		a.publishLocked(kid, pub)
		return pub, nil
	case errors.As(err, &fe) && (fe.Status == http.StatusNotFound || fe.Status == http.StatusForbidden):
		// The endpoint does not know the kid (S3 answers 403 for a
		// missing object).
		a.last, a.wait, a.failed = a.now(), a.fetch.minInterval, false
		return nil, ErrUnknownKID
	default:
		a.last, a.wait, a.failed = a.now(), a.fetch.backoff, true
		return nil, err
	}
}

// publishLocked publishes a copy of the cache with kid added, dropping the
// oldest kid when full. a.mu must be held.
func (a *albKeys) publishLocked(kid string, pub *ecdsa.PublicKey) {
	next := &albKeySet{byKID: make(map[string]*ecdsa.PublicKey, maxALBKeys)}
	if old := a.keys.Load(); old != nil {
		next.order = slices.Clone(old.order)
		for k, v := range old.byKID {
			next.byKID[k] = v
		}
	}
	if _, ok := next.byKID[kid]; !ok {
		if len(next.order) >= maxALBKeys {
			delete(next.byKID, next.order[0])
			next.order = next.order[1:]
		}
		next.order = append(next.order, kid)
	}
	next.byKID[kid] = pub
	a.keys.Store(next)
}

// parseALBKey parses the PEM public key that the key endpoint serves,
// which must be an ECDSA P-256 key.
func parseALBKey(body []byte) (*ecdsa.PublicKey, error) {
	b, _ := pem.Decode(body)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM public key")
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, errors.New("malformed public key")
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("not an ECDSA P-256 key")
	}
	return ec, nil
}

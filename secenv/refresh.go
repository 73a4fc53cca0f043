package secenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// DefaultCacheSize is the number of entries a cache holds when its
// CacheSize is zero; a negative CacheSize turns the cache off.
const DefaultCacheSize = 1024

// Defaults of [CacheConfig].
const (
	// DefaultMaxBackoff caps the wait between two refreshes of a value
	// whose refreshes fail.
	DefaultMaxBackoff = 5 * time.Minute
	// DefaultMaxStale is how long past its refresh time a [Live] value is
	// served while its refreshes fail.
	DefaultMaxStale = time.Hour
	// DefaultRefusedInterval is the least time between two refreshes that
	// [Live.Refused] starts for one secret.
	DefaultRefusedInterval = 5 * time.Second
	// baseBackoff is the wait after the first failed refresh; it doubles
	// with each failure, up to MaxBackoff.
	baseBackoff = time.Second
)

// CacheConfig configures a [Cache] built with [NewCacheFrom]. Its zero
// value gives the defaults of [NewCache].
type CacheConfig struct {
	// CacheSize bounds the number of entries. Zero means DefaultCacheSize
	// (1024); a negative value turns the cache off: every read fetches.
	// A store beyond the bound evicts the least recently used entry.
	CacheSize int

	// MaxBackoff caps the wait between refreshes of a value whose
	// refreshes fail: the first failure waits one second, and each one
	// after doubles the wait, up to MaxBackoff. Zero means
	// DefaultMaxBackoff; a negative value is an ErrConfig error.
	MaxBackoff time.Duration

	// MaxStale is how long past its refresh time a [Live] value is still
	// served while refreshes fail (stale on error); after that, Get returns
	// the error. Zero means DefaultMaxStale; a negative value means a value
	// is never served stale.
	MaxStale time.Duration

	// RefusedInterval is the least time between two refreshes of one
	// secret that [Live.Refused] starts, so that a caller whose requests
	// keep being refused cannot hammer Secrets Manager. Zero means
	// DefaultRefusedInterval; a negative value is an ErrConfig error.
	RefusedInterval time.Duration

	// OnError, when set, is called after every failed refresh of a Live
	// value, with the secret ID (or parameter name) and the error, whether
	// a stale value is then served or not. The error names no value. It is
	// called on the goroutine that refreshed, so it must not block.
	OnError func(ctx context.Context, id string, err error)

	// Transform, when set, is applied to every value a Live field fetches
	// before it is cached and used: to check it, decompress or decode it.
	// Its error fails the fetch (as [ErrInvalid]) and is not printed,
	// because it may quote the value. It must not keep value.
	Transform func(id string, value []byte) ([]byte, error)
}

// NewCacheFrom returns an empty cache configured by cfg. The only
// errors are negative durations, which wrap [ErrConfig].
func NewCacheFrom(cfg CacheConfig) (*Cache, error) {
	switch {
	case cfg.MaxBackoff < 0:
		return nil, fmt.Errorf("%w: MaxBackoff is negative", ErrConfig)
	case cfg.RefusedInterval < 0:
		return nil, fmt.Errorf("%w: RefusedInterval is negative", ErrConfig)
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxStale == 0 {
		cfg.MaxStale = DefaultMaxStale
	}
	if cfg.RefusedInterval == 0 {
		cfg.RefusedInterval = DefaultRefusedInterval
	}
	return &Cache{
		entries: make(map[cacheKey]cacheEntry),
		sources: make(map[any]*cacheSource),
		live:    make(map[cacheKey]*liveEntry),
		cfg:     cfg,
		jitter:  jitter,
	}, nil
}

// jitter returns a random duration between ttl/2 and ttl, as
// aws-secretsmanager-caching-go spreads refreshes, so that the execution
// environments of one function do not all refresh a secret at once.
func jitter(ttl time.Duration) time.Duration {
	if ttl <= 1 {
		return ttl
	}
	half := ttl / 2
	return half + rand.N(ttl-half+1)
}

// evict deletes the least recently used entry of either kind. c.mu must
// be held.
func (c *Cache) evict() {
	var oldKey cacheKey
	var oldT time.Time
	found, isLive := false, false
	for k, e := range c.entries {
		if !found || e.fetched.Before(oldT) {
			oldKey, oldT, found = k, e.fetched, true
		}
	}
	for k, e := range c.live {
		if !found || e.usedAt.Before(oldT) {
			oldKey, oldT, found, isLive = k, e.usedAt, true, true
		}
	}
	if !found {
		return
	}
	if isLive {
		delete(c.live, oldKey)
	} else {
		delete(c.entries, oldKey)
	}
}

// liveEntry is the state of one secret version selector (or parameter)
// that Live fields read. It is guarded by Cache.mu; the payload it points
// to is never modified.
type liveEntry struct {
	val      *secretPayload // nil until the first successful fetch
	next     time.Time      // when the value is due for a refresh
	retryAt  time.Time      // no refresh before this, after a failure
	failures int            // consecutive failed refreshes
	lastErr  error          // the last failure, while val is nil
	refused  time.Time      // when Refused last started a refresh
	usedAt   time.Time      // last read, for eviction
	// pendingID is the AWSPENDING version the last DescribeSecret saw (a
	// rotation in progress), and pending its value once fetched.
	pendingID string
	pending   *secretPayload
}

// liveFetch describes how to refresh one live entry.
type liveFetch struct {
	id string // secret ID or parameter name, for OnError and Transform
	// check, when set, returns the version that the entry should hold now,
	// and a rotation's pending version, without fetching the value
	// (DescribeSecret); ok false means it cannot tell.
	check func(ctx context.Context) (vc versionCheck, ok bool, err error)
	// get fetches the value; version, when not empty, is the version that
	// check reported.
	get func(ctx context.Context, version string) (secretPayload, error)
}

// refreshMode says why a live read goes to the cache.
type refreshMode uint8

const (
	refreshDue     refreshMode = iota // the reader's copy is due
	refreshRefused                    // the caller's credential was refused
	refreshNow                        // RefreshNow
)

// liveGet returns the value of the live entry key, fetching it when it is
// missing or due (or when mode forces a refresh), once for all concurrent
// callers. On a failed refresh it serves the value it has for up to
// MaxStale past its refresh time, and waits with exponential backoff
// before trying again; a value never fetched is an error. It returns the
// payload and when it is due for a refresh.
func (c *Cache) liveGet(ctx context.Context, key cacheKey, ttl time.Duration, now func() time.Time,
	mode refreshMode, lf liveFetch) (*secretPayload, time.Time, error) {
	t := now()
	c.mu.Lock()
	e := c.live[key]
	if e == nil {
		if len(c.entries)+len(c.live) >= max(c.cfg.CacheSize, 1) {
			c.evict()
		}
		e = &liveEntry{}
		c.live[key] = e
	}
	e.usedAt = t
	switch {
	case mode == refreshRefused && e.val != nil && t.Sub(e.refused) < c.cfg.RefusedInterval:
		// Rate limit: the value was refreshed for a refusal moments ago.
		p, next := e.val, e.next
		c.mu.Unlock()
		return p, next, nil
	case mode == refreshDue && e.val != nil && t.Before(e.next):
		p, next := e.val, e.next
		c.mu.Unlock()
		return p, next, nil
	case mode != refreshNow && t.Before(e.retryAt):
		// Backing off after a failure: stale value or the last error.
		p, retry, err := e.val, e.retryAt, e.lastErr
		stale := p != nil && c.staleOK(e, t)
		c.mu.Unlock()
		if stale {
			return p, retry, nil
		}
		if err == nil {
			err = detail("backing off after a failed refresh", ErrSecretsManager, ErrUnavailable)
		}
		return nil, time.Time{}, err
	}
	if mode == refreshRefused {
		e.refused = t
	}
	prev, pendingVal := e.val, e.pending
	c.mu.Unlock()

	fkey := cacheKey{src: "live\x00" + key.src, id: key.id}
	f := c.flights.start(fkey, func() (secretPayload, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CacheFetchTimeout)
		defer cancel()
		p, pendingID, err := refreshValue(fctx, lf, prev, pendingVal, c.cfg.Transform)
		t := now()
		c.mu.Lock()
		e := c.live[key]
		if e == nil { // evicted or purged meanwhile
			e = &liveEntry{usedAt: t}
			c.live[key] = e
		}
		if err == nil {
			e.val = p
			if e.pendingID = pendingID; e.pending != nil && e.pending.version != pendingID {
				e.pending = nil
			}
			e.next = t.Add(c.liveTTL(ttl))
			e.failures, e.retryAt, e.lastErr = 0, time.Time{}, nil
			c.mu.Unlock()
			return *p, nil
		}
		e.failures++
		wait := baseBackoff << min(e.failures-1, 30)
		if wait > c.cfg.MaxBackoff || wait <= 0 {
			wait = c.cfg.MaxBackoff
		}
		e.retryAt = t.Add(wait)
		e.lastErr = err
		stale := e.val != nil && c.staleOK(e, t)
		val := e.val
		c.mu.Unlock()
		if c.cfg.OnError != nil {
			c.cfg.OnError(fctx, lf.id, err)
		}
		if stale {
			return *val, nil
		}
		return secretPayload{}, err
	})
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, time.Time{}, transportError(ctx.Err(), ErrSecretsManager)
	}
	if f.err != nil {
		return nil, time.Time{}, f.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.live[key]; e != nil && e.val != nil {
		next := e.next
		if t := now(); !t.Before(next) && e.retryAt.After(next) {
			next = e.retryAt // stale, backing off
		}
		return e.val, next, nil
	}
	p := f.val // evicted meanwhile
	return &p, now(), nil
}

// staleOK reports whether e's value may still be served at t. c.mu must be
// held.
func (c *Cache) staleOK(e *liveEntry, t time.Time) bool {
	return c.cfg.MaxStale >= 0 && t.Sub(e.next) <= c.cfg.MaxStale
}

// liveTTL returns the time until the next refresh: a random time between
// ttl/2 and ttl, or zero (every read refreshes) when ttl <= 0 or the cache
// is off.
func (c *Cache) liveTTL(ttl time.Duration) time.Duration {
	if ttl <= 0 || c.cfg.CacheSize < 0 {
		return 0
	}
	return c.jitter(ttl)
}

// refreshValue fetches the value of lf, or, when lf can check versions and
// prev is still the version to hold, returns prev without fetching it (and
// pending, the value of a rotation's AWSPENDING version fetched earlier,
// when that version has become the one to hold). It also returns the
// pending version that the check saw.
func refreshValue(ctx context.Context, lf liveFetch, prev, pending *secretPayload,
	transform func(string, []byte) ([]byte, error)) (*secretPayload, string, error) {
	version, pendingID := "", ""
	if lf.check != nil && prev != nil {
		vc, ok, err := lf.check(ctx)
		if err != nil {
			return nil, "", err
		}
		pendingID = vc.pending
		switch {
		case ok && vc.version != "" && vc.version == prev.version:
			return prev, pendingID, nil // unchanged: no GetSecretValue
		case ok && pending != nil && vc.version != "" && vc.version == pending.version:
			return pending, pendingID, nil // the rotation finished: known value
		case ok:
			version = vc.version
		}
	}
	p, err := fetchTransformed(ctx, lf, version, transform)
	return p, pendingID, err
}

// fetchTransformed fetches version of lf (its selector when empty) and
// applies transform.
func fetchTransformed(ctx context.Context, lf liveFetch, version string,
	transform func(string, []byte) ([]byte, error)) (*secretPayload, error) {
	p, err := lf.get(ctx, version)
	if err != nil {
		return nil, err
	}
	if transform == nil {
		return &p, nil
	}
	raw := p.bin
	if !p.isBin {
		raw = []byte(p.str)
	}
	out, terr := transform(lf.id, raw)
	if terr != nil {
		return nil, detail("the cache's Transform refused the value", ErrInvalid)
	}
	if p.isBin {
		p.bin = out
	} else {
		p.str = string(out)
	}
	return &p, nil
}

// livePending returns the value of the AWSPENDING version that the last
// refresh of key saw, fetching it once (by version ID) the first time; nil
// when no rotation was in progress. It is the fallback of [Live.Do] for the
// window of a single-user rotation in which the upstream already has the
// new password and AWSCURRENT has not moved yet.
func (c *Cache) livePending(ctx context.Context, key cacheKey, lf liveFetch) (*secretPayload, error) {
	c.mu.Lock()
	e := c.live[key]
	if e == nil || e.pendingID == "" {
		c.mu.Unlock()
		return nil, nil
	}
	if e.pending != nil && e.pending.version == e.pendingID {
		p := e.pending
		c.mu.Unlock()
		return p, nil
	}
	id := e.pendingID
	c.mu.Unlock()
	fkey := cacheKey{src: "pending\x00" + key.src, id: key.id}
	f := c.flights.start(fkey, func() (secretPayload, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CacheFetchTimeout)
		defer cancel()
		p, err := fetchTransformed(fctx, lf, id, c.cfg.Transform)
		if err != nil {
			return secretPayload{}, err
		}
		if p.version == "" {
			p.version = id
		}
		c.mu.Lock()
		if e := c.live[key]; e != nil && e.pendingID == id {
			e.pending = p
		}
		c.mu.Unlock()
		return *p, nil
	})
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, transportError(ctx.Err(), ErrSecretsManager)
	}
	if f.err != nil {
		return nil, f.err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.live[key]; e != nil && e.pending != nil && e.pending.version == id {
		return e.pending, nil
	}
	p := f.val
	return &p, nil
}

package secenv

import (
	"context"
	"reflect"
	"strconv"
	"sync"
	"time"
)

// Cache holds Secrets Manager values between [Load] calls, so that warm
// invocations do not call Secrets Manager again until an entry is older than
// the TTL of the Load that reads it ([WithCacheTTL]) or the TTL of the Load
// that stored it, whichever is shorter. Concurrent lookups of the same
// secret share one call (single-flight). Failures are not cached, and an
// expired entry is never served, even when the refresh fails: a rotated
// secret must not be replaced by a stale one silently.
//
// Expired entries are deleted, so that their plaintext does not stay in
// memory: the entry being looked up on a miss, and a few others on every
// store (the work per call is bounded).
//
// Entries are keyed by the source (the client or the extension endpoint) and
// the secret ID, without the #jsonKey, so fields that pick different keys of
// one JSON secret share one entry. A client whose dynamic value is not
// comparable is never cached. The Cache remembers at most [MaxCacheSources]
// clients; a new client beyond that evicts the least recently used one and
// its entries. Reuse your client: build it once per cold start (or use
// secenvaws.Default), not once per invocation, or every invocation misses
// the cache.
//
// The single-flight fetch does not run under the context of the caller
// that started it: it runs, with a timeout of [CacheFetchTimeout], under a
// context that keeps that caller's values but not its cancellation, so one
// caller giving up does not fail the others. Every caller waits only as
// long as its own context allows.
//
// [Live] values live in the same Cache under other rules, those of
// aws-secretsmanager-caching-go and more: a refresh between half the TTL and
// the TTL, a DescribeSecret check before a fetch, and a value served stale
// while refreshes fail (see [CacheConfig]). At most CacheSize entries of
// both kinds are kept ([DefaultCacheSize]); a store beyond that evicts the
// least recently used one.
//
// A Cache is safe for concurrent use. The zero Cache is not usable; call
// [NewCache] or [NewCacheFrom]. Load uses one process-wide Cache unless
// given [WithCache].
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
	sources map[any]*cacheSource // source identity -> short key and last use
	nextSrc int                  // numbers source keys; never reused
	tick    uint64               // logical clock for the sources' last use
	flights flightGroup
	live    map[cacheKey]*liveEntry // values of Live fields (refresh.go)
	cfg     CacheConfig             // resolved: no zero values left
	jitter  func(time.Duration) time.Duration
}

// MaxCacheSources is how many distinct clients a [Cache] keeps entries for.
const MaxCacheSources = 16

// CacheFetchTimeout bounds a single-flight Secrets Manager fetch made
// through a [Cache], SDK retries included.
const CacheFetchTimeout = 30 * time.Second

// sweepBatch is how many entries a store examines for expiry.
const sweepBatch = 8

type cacheKey struct {
	src string
	id  string
}

type cacheEntry struct {
	val     secretPayload
	fetched time.Time
	expires time.Time // fetched plus the TTL of the Load that stored it
}

// cacheSource is the short key of one client and when it was last used.
type cacheSource struct {
	key  string
	used uint64
}

// secretPayload is one secret version as Secrets Manager returned it. It is
// shared between cache readers and never modified.
type secretPayload struct {
	str     string
	bin     []byte
	isBin   bool
	hasStr  bool
	version string // the version ID, when the source reports it
	secure  bool   // an SSM SecureString
}

// defaultCache is the process-wide cache shared by warm invocations.
var defaultCache = NewCache()

// NewCache returns an empty cache.
func NewCache() *Cache {
	c, _ := NewCacheFrom(CacheConfig{})
	return c
}

// Len returns the number of cached secrets, fresh or not yet deleted.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries) + len(c.live)
}

// Purge removes every entry and forgets every client, so that the next
// Load fetches every secret.
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	clear(c.sources)
	clear(c.live)
}

// sourceKey returns a short key for src, or "" when src cannot be used as a
// map key (its dynamic value is not comparable). A new client beyond
// MaxCacheSources evicts the least recently used one and its entries.
func (c *Cache) sourceKey(src any) string {
	if src == nil || !reflect.ValueOf(src).Comparable() {
		return ""
	}
	if s, ok := src.(string); ok {
		return "e:" + s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if e, ok := c.sources[src]; ok {
		e.used = c.tick
		return e.key
	}
	if len(c.sources) >= MaxCacheSources {
		var oldSrc any
		var old *cacheSource
		for k, e := range c.sources {
			if old == nil || e.used < old.used {
				oldSrc, old = k, e
			}
		}
		delete(c.sources, oldSrc)
		for k := range c.entries {
			if k.src == old.key {
				delete(c.entries, k)
			}
		}
		for k := range c.live {
			if k.src == old.key {
				delete(c.live, k)
			}
		}
	}
	e := &cacheSource{key: "c" + strconv.Itoa(c.nextSrc), used: c.tick}
	c.nextSrc++
	c.sources[src] = e
	return e.key
}

// get returns the payload of secret id from source src, from the cache when
// an entry is fresh (see [Cache]), otherwise by calling fetch once for all
// concurrent callers: it is lookup followed, on a miss, by fill.
func (c *Cache) get(ctx context.Context, src any, id string, ttl time.Duration, now func() time.Time,
	fetch func(context.Context) (secretPayload, error)) (secretPayload, error) {
	key, p, ok := c.lookup(src, id, ttl, now)
	if ok {
		return p, nil
	}
	return c.fill(ctx, key, ttl, now, fetch)
}

// lookup returns the key of secret id from source src and, when the cache
// holds a fresh entry for it, its payload and true. An expired entry is
// deleted. A nil c, an uncacheable source (the key's src is then "") or
// ttl <= 0 is a miss. It does not allocate on a hit, so that callers build
// their fetch function only on a miss.
func (c *Cache) lookup(src any, id string, ttl time.Duration, now func() time.Time) (cacheKey, secretPayload, bool) {
	if c == nil {
		return cacheKey{}, secretPayload{}, false
	}
	key := cacheKey{src: c.sourceKey(src), id: id}
	if key.src == "" || ttl <= 0 || c.cfg.CacheSize < 0 {
		return key, secretPayload{}, false
	}
	t := now()
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && !t.Before(e.expires) {
		delete(c.entries, key) // expired for every reader
		ok = false
	}
	c.mu.Unlock()
	if ok && t.Sub(e.fetched) < ttl {
		return key, e.val, true
	}
	return key, secretPayload{}, false
}

// fill fetches the payload for key after a lookup miss, once for all
// concurrent callers, and stores it when ttl > 0. A nil c or an
// uncacheable key calls fetch under ctx. Otherwise a caller whose ctx ends
// while it waits gets a Secrets Manager error wrapping ctx's error; the
// fetch goes on for the others.
func (c *Cache) fill(ctx context.Context, key cacheKey, ttl time.Duration, now func() time.Time,
	fetch func(context.Context) (secretPayload, error)) (secretPayload, error) {
	if c == nil || key.src == "" {
		return fetch(ctx)
	}
	f := c.flights.start(key, func() (secretPayload, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CacheFetchTimeout)
		defer cancel()
		p, err := fetch(fctx)
		if err != nil {
			return secretPayload{}, err
		}
		if ttl > 0 && c.cfg.CacheSize >= 0 {
			t := now()
			c.mu.Lock()
			if _, ok := c.entries[key]; !ok && len(c.entries)+len(c.live) >= c.cfg.CacheSize {
				c.evict()
			}
			c.entries[key] = cacheEntry{val: p, fetched: t, expires: t.Add(ttl)}
			c.sweep(t)
			c.mu.Unlock()
		}
		return p, nil
	})
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		return secretPayload{}, transportError(ctx.Err(), ErrSecretsManager)
	}
}

// sweep deletes the expired entries among at most sweepBatch entries (Go
// starts each map iteration at a random place, so repeated sweeps reach the
// whole map). c.mu must be held.
func (c *Cache) sweep(now time.Time) {
	n := 0
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
		if n++; n == sweepBatch {
			return
		}
	}
}

// flightGroup merges concurrent fetches of the same key into one call, as
// golang.org/x/sync/singleflight's DoChan does, typed for secret payloads.
type flightGroup struct {
	mu     sync.Mutex
	m      map[cacheKey]*flight
	joined func() // test hook: called when a caller joins a flight
}

// flight is one fetch in progress; done is closed when val and err are set.
type flight struct {
	done chan struct{}
	val  secretPayload
	err  error
}

// start returns the flight for key, starting fn in a new goroutine unless a
// call for key is already in flight. The caller waits on the flight's done
// channel as long as it wants to.
func (g *flightGroup) start(key cacheKey, fn func() (secretPayload, error)) *flight {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.m[key]; ok {
		if g.joined != nil {
			g.joined()
		}
		return f
	}
	if g.m == nil {
		g.m = make(map[cacheKey]*flight)
	}
	f := &flight{done: make(chan struct{})}
	g.m[key] = f
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// Nobody can recover a panic in this goroutine; report it to
				// the waiters rather than crash the function. The panic
				// value is not printed: it might hold a secret.
				f.val, f.err = secretPayload{}, detail("", ErrSecretsManager, errFlightPanicked)
			}
			g.mu.Lock()
			delete(g.m, key)
			g.mu.Unlock()
			close(f.done)
		}()
		f.val, f.err = fn()
	}()
	return f
}

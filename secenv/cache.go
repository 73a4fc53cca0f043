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
// the TTL of the Load that reads it ([WithCacheTTL]). Concurrent lookups of
// the same secret share one call (single-flight). Failures are not cached,
// and an expired entry is never served, even when the refresh fails: a
// rotated secret must not be replaced by a stale one silently.
//
// Entries are keyed by the source (the client or the extension endpoint) and
// the secret ID, without the #jsonKey, so fields that pick different keys of
// one JSON secret share one entry. A client whose dynamic type is not
// comparable is never cached.
//
// A Cache is safe for concurrent use. The zero Cache is not usable; call
// [NewCache]. Load uses one process-wide Cache unless given [WithCache].
type Cache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
	sources map[any]string // source identity -> short key
	flights flightGroup
}

type cacheKey struct {
	src string
	id  string
}

type cacheEntry struct {
	val     secretPayload
	fetched time.Time
}

// secretPayload is one secret version as Secrets Manager returned it. It is
// shared between cache readers and never modified.
type secretPayload struct {
	str    string
	bin    []byte
	isBin  bool
	hasStr bool
}

// defaultCache is the process-wide cache shared by warm invocations.
var defaultCache = NewCache()

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{entries: make(map[cacheKey]cacheEntry), sources: make(map[any]string)}
}

// Len returns the number of cached secrets, fresh or not.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Purge removes every entry, so that the next Load fetches every secret.
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// sourceKey returns a short key for src, or "" when src cannot be used as a
// map key (its dynamic type is not comparable).
func (c *Cache) sourceKey(src any) string {
	if src == nil || !reflect.TypeOf(src).Comparable() {
		return ""
	}
	if s, ok := src.(string); ok {
		return "e:" + s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.sources[src]
	if !ok {
		k = "c" + strconv.Itoa(len(c.sources))
		c.sources[src] = k
	}
	return k
}

// get returns the payload of secret id from source src, from the cache when
// an entry is younger than ttl, otherwise by calling fetch once for all
// concurrent callers. A nil c, an uncacheable source or ttl <= 0 bypasses
// the cache (concurrent callers through the same c still share one fetch).
func (c *Cache) get(ctx context.Context, src any, id string, ttl time.Duration, now func() time.Time,
	fetch func(context.Context) (secretPayload, error)) (secretPayload, error) {
	if c == nil {
		return fetch(ctx)
	}
	sk := c.sourceKey(src)
	if sk == "" {
		return fetch(ctx)
	}
	key := cacheKey{src: sk, id: id}
	if ttl > 0 {
		c.mu.Lock()
		e, ok := c.entries[key]
		c.mu.Unlock()
		if ok && now().Sub(e.fetched) < ttl {
			return e.val, nil
		}
	}
	return c.flights.do(key, func() (secretPayload, error) {
		p, err := fetch(ctx)
		if err != nil {
			return secretPayload{}, err
		}
		if ttl > 0 {
			c.mu.Lock()
			c.entries[key] = cacheEntry{val: p, fetched: now()}
			c.mu.Unlock()
		}
		return p, nil
	})
}

// flightGroup merges concurrent fetches of the same key into one call, as
// golang.org/x/sync/singleflight does, typed for secret payloads.
type flightGroup struct {
	mu sync.Mutex
	m  map[cacheKey]*flight
}

// flight is one fetch in progress; done is closed when val and err are set.
type flight struct {
	done chan struct{}
	val  secretPayload
	err  error
}

// do calls fn for key unless a call for key is already in flight, in which
// case it waits for that call and returns its result.
func (g *flightGroup) do(key cacheKey, fn func() (secretPayload, error)) (secretPayload, error) {
	g.mu.Lock()
	if f, ok := g.m[key]; ok {
		g.mu.Unlock()
		<-f.done
		return f.val, f.err
	}
	if g.m == nil {
		g.m = make(map[cacheKey]*flight)
	}
	f := &flight{done: make(chan struct{})}
	g.m[key] = f
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.m, key)
		g.mu.Unlock()
		close(f.done)
	}()
	f.err = errFlightPanicked // replaced unless fn panics
	f.val, f.err = fn()
	return f.val, f.err
}

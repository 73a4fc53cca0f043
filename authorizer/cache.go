package authorizer

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// tokenCache remembers verified tokens. Entries are keyed by a seeded hash
// of the token (the seed is random per process, so collisions cannot be
// planned) and hold the token itself, so that a hash collision is a miss,
// never a wrong answer. It holds at most max entries, each until its
// token's exp (plus leeway) or its TTL, whichever is first. It is safe for
// concurrent use.
type tokenCache struct {
	seed maphash.Seed
	ttl  time.Duration
	max  int

	mu      sync.RWMutex
	entries map[uint64]*cacheEntry
}

type cacheEntry struct {
	token   string
	claims  *Claims
	expires time.Time
}

func newTokenCache(max int, ttl time.Duration) *tokenCache {
	return &tokenCache{seed: maphash.MakeSeed(), ttl: ttl, max: max, entries: make(map[uint64]*cacheEntry, max)}
}

// get returns the cached claims of token, or nil.
func (c *tokenCache) get(token string, now time.Time) *Claims {
	h := maphash.String(c.seed, token)
	c.mu.RLock()
	e := c.entries[h]
	c.mu.RUnlock()
	if e == nil || e.token != token || !now.Before(e.expires) {
		return nil
	}
	return e.claims
}

// put caches claims for token until expires (capped by the TTL).
func (c *tokenCache) put(token string, claims *Claims, now, expires time.Time) {
	if limit := now.Add(c.ttl); limit.Before(expires) {
		expires = limit
	}
	if !now.Before(expires) {
		return
	}
	h := maphash.String(c.seed, token)
	e := &cacheEntry{token: token, claims: claims, expires: expires}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[h]; !ok && len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[h] = e
}

// evict drops expired entries, then, if the cache is still full, an
// arbitrary eighth of it, so that the sweep is amortised over many inserts.
// The caller holds mu.
func (c *tokenCache) evict(now time.Time) {
	for h, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, h)
		}
	}
	for h := range c.entries {
		if len(c.entries) <= c.max-1-c.max/8 {
			break
		}
		delete(c.entries, h)
	}
}

// verifyCached is the Verify of every verifier: it refuses an empty token
// or one longer than maxBytes, answers from cache (nil: no cache) when it
// can, and otherwise calls verify and caches its claims until their exp
// plus leeway (capped by the cache's TTL).
func verifyCached(ctx context.Context, token string, maxBytes int, cache *tokenCache, clock func() time.Time, leeway time.Duration,
	verify func(context.Context, string) (*Claims, error)) (*Claims, error) {
	if token == "" {
		return nil, ErrMissingToken
	}
	if len(token) > maxBytes {
		return nil, ErrTokenTooLarge
	}
	var now time.Time
	if cache != nil {
		now = clock()
		if c := cache.get(token, now); c != nil {
			return c, nil
		}
	}
	c, err := verify(ctx, token)
	if err != nil {
		return nil, err
	}
	if cache != nil {
		cache.put(token, c, now, c.ExpiresAt.Add(leeway))
	}
	return c, nil
}

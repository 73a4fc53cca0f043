package mtls

import (
	"sync"
	"time"
)

// cache holds successful validations keyed by the SHA-256 fingerprint of the
// certificate's DER. Each published [state] has its own cache, so reloading
// CRLs drops every entry at once. Entries are immutable; the map is guarded
// by mu.
type cache struct {
	mu  sync.RWMutex
	m   map[[32]byte]*cacheEntry
	max int
}

// cacheEntry is a verdict that holds from from to until (inclusive).
type cacheEntry struct {
	id          *Identity
	from, until time.Time
}

func newCache(max int) *cache {
	if max < 0 {
		return nil
	}
	if max == 0 {
		max = defaultCacheSize
	}
	return &cache{m: make(map[[32]byte]*cacheEntry), max: max}
}

// get returns the cached Identity of fp if its verdict holds at now.
func (c *cache) get(fp *[32]byte, now time.Time) (*Identity, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e := c.m[*fp]
	c.mu.RUnlock()
	if e == nil || now.Before(e.from) || now.After(e.until) {
		return nil, false
	}
	return e.id, true
}

// put stores a verdict. When the cache is full it first drops the entries
// that no longer hold at now, and then, if that was not enough, everything:
// a crude policy, but bounded, and a warm function sees few distinct clients.
func (c *cache) put(fp [32]byte, e *cacheEntry, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[fp]; !ok && len(c.m) >= c.max {
		for k, old := range c.m {
			if now.Before(old.from) || now.After(old.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			clear(c.m)
		}
	}
	c.m[fp] = e
}

// len returns the number of entries, for tests.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

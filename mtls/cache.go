package mtls

import (
	"strings"
	"sync"
	"time"
)

// cache holds successful validations keyed by the SHA-256 fingerprint of the
// certificate's DER, and, in front of it, an index by the exact input string
// (up to maxRawKey bytes), so that a repeated input skips even the decoding
// and hashing. The input determines the DER, so both keys are sound. Each
// published [state] has its own cache, so reloading CRLs drops every entry at
// once. Entries are immutable; the maps are guarded by mu.
type cache struct {
	mu  sync.RWMutex
	fp  map[[32]byte]*cacheEntry
	raw map[string]*cacheEntry
	max int
}

// maxRawKey bounds the inputs indexed as they are, and so the memory the raw
// index holds (max entries of at most maxRawKey bytes).
const maxRawKey = 8 << 10

// cacheEntry is a verdict that holds from from to until (inclusive).
type cacheEntry struct {
	id          *Identity
	from, until time.Time
}

func (e *cacheEntry) holds(now time.Time) bool {
	return e != nil && !now.Before(e.from) && !now.After(e.until)
}

func newCache(max int) *cache {
	if max < 0 {
		return nil
	}
	if max == 0 {
		max = DefaultCacheSize
	}
	return &cache{fp: make(map[[32]byte]*cacheEntry), raw: make(map[string]*cacheEntry), max: max}
}

// getRaw returns the cached Identity of the input s if its verdict holds at
// now.
func (c *cache) getRaw(s string, now time.Time) (*Identity, bool) {
	if c == nil || len(s) > maxRawKey {
		return nil, false
	}
	c.mu.RLock()
	e := c.raw[s]
	c.mu.RUnlock()
	if !e.holds(now) {
		return nil, false
	}
	return e.id, true
}

// get returns the cached entry of the fingerprint fp if its verdict holds at
// now.
func (c *cache) get(fp *[32]byte, now time.Time) (*cacheEntry, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e := c.fp[*fp]
	c.mu.RUnlock()
	if !e.holds(now) {
		return nil, false
	}
	return e, true
}

// put stores a verdict under its fingerprint and under the input s,
// replacing any entry there. When a map is full it first drops the entries
// that no longer hold at now, and then, if that was not enough, everything: a
// crude policy, but bounded, and a warm function sees few distinct clients.
func (c *cache) put(fp [32]byte, s string, e *cacheEntry, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.fp[fp]; !ok && len(c.fp) >= c.max {
		prune(c.fp, now, c.max)
	}
	c.fp[fp] = e
	if len(s) > maxRawKey {
		return
	}
	if _, ok := c.raw[s]; ok {
		c.raw[s] = e
		return
	}
	if len(c.raw) >= c.max {
		prune(c.raw, now, c.max)
	}
	// Clone: the key must not pin a larger buffer it may share.
	c.raw[strings.Clone(s)] = e
}

// prune drops the entries of m that no longer hold at now, and everything if
// m still holds max entries.
func prune[K comparable](m map[K]*cacheEntry, now time.Time, max int) {
	for k, e := range m {
		if !e.holds(now) {
			delete(m, k)
		}
	}
	if len(m) >= max {
		clear(m)
	}
}

// len returns the number of fingerprint entries, for tests.
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.fp)
}

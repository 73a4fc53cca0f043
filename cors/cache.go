package cors

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// Decision cache. rs/cors needs an *http.Request and writes its answer into
// an http.Header, so asking it costs more than the wrappers' own work.
// Browsers repeat the same few requests (one origin, the same preflights),
// so CORS remembers recent allowed decisions in a small direct-mapped
// cache and asks rs/cors only on a miss.
//
//   - Only allowed decisions are cached, and only when AllowOriginFunc is
//     unset: rs/cors's other decisions are a pure function of the key and
//     the immutable options, so a hit returns exactly what rs/cors would.
//     AllowOriginFunc may depend on state the cache cannot see.
//   - A hit compares the whole key, so hash collisions cost a miss, never a
//     wrong answer.
//   - Memory is bounded: cacheSlots entries, keys of at most cacheMaxKey
//     bytes. A new entry replaces whatever shared its slot, in O(1) and
//     without locks, so a client sending many distinct allowed requests
//     only evicts entries (costing misses), never grows the cache or makes
//     a request slower than an uncached one by more than one allocation.
const (
	cacheSlots  = 256 // a power of two
	cacheMaxKey = 512
)

// cacheKey is everything a cached decision depends on.
type cacheKey struct {
	method, origin, acrm, acrh, acrpn string
}

func (k *cacheKey) size() int {
	return len(k.method) + len(k.origin) + len(k.acrm) + len(k.acrh) + len(k.acrpn)
}

type cacheEntry struct {
	key cacheKey
	d   decision
}

type decisionCache struct {
	seed  maphash.Seed
	slots [cacheSlots]atomic.Pointer[cacheEntry]
}

func newDecisionCache() *decisionCache { return &decisionCache{seed: maphash.MakeSeed()} }

func (c *decisionCache) slot(k *cacheKey) *atomic.Pointer[cacheEntry] {
	const prime = 1099511628211
	h := maphash.String(c.seed, k.origin)
	// Methods are short tokens; their length and first byte are enough to
	// spread them over slots (the key comparison does the rest).
	h ^= uint64(len(k.method))<<8 | uint64(firstByte(k.method))
	if k.acrm != "" {
		h = h*prime ^ maphash.String(c.seed, k.acrh)
		h ^= uint64(len(k.acrm))<<8 | uint64(firstByte(k.acrm)) | uint64(len(k.acrpn))<<16
	}
	return &c.slots[h&(cacheSlots-1)]
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// get returns the cached decision for k.
func (c *decisionCache) get(k *cacheKey) (decision, bool) {
	e := c.slot(k).Load()
	if e == nil || e.key != *k {
		return decision{}, false
	}
	return e.d, true
}

// put remembers d, an allowed decision computed for k. It copies the
// strings it keeps, so the cache holds no part of the event it came from.
func (c *decisionCache) put(k *cacheKey, d decision) {
	if k.size() > cacheMaxKey || d.allowHeadersList != nil {
		return
	}
	e := &cacheEntry{key: cacheKey{
		method: strings.Clone(k.method),
		origin: strings.Clone(k.origin),
		acrm:   strings.Clone(k.acrm),
		acrh:   strings.Clone(k.acrh),
		acrpn:  strings.Clone(k.acrpn),
	}}
	// The decision's request-dependent values are copies of key fields;
	// point them at the cache's own copies.
	d.allowOrigin = reuse(d.allowOrigin, e.key.origin)
	d.allowMethods = reuse(d.allowMethods, e.key.acrm)
	d.allowHeaders = reuse(d.allowHeaders, e.key.acrh)
	e.d = d
	c.slot(&e.key).Store(e)
}

// reuse returns own when it equals s, and a copy of s otherwise.
func reuse(s, own string) string {
	if s == own {
		return own
	}
	return strings.Clone(s)
}

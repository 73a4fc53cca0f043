package local

import (
	"sync"
	"time"
)

type usageResult int

const (
	admitted usageResult = iota
	throttled
	overQuota
)

// usage enforces a usage plan per API key: a token bucket of BurstLimit
// refilled at RateLimit per second, and QuotaLimit requests per
// QuotaPeriod, counted from the key's first request.
type usage struct {
	plan UsagePlan
	mu   sync.Mutex
	keys map[string]*keyUsage
}

type keyUsage struct {
	tokens      float64
	last        time.Time
	periodStart time.Time
	used        int
}

func newUsage(p UsagePlan) *usage { return &usage{plan: p, keys: map[string]*keyUsage{}} }

// take admits one request of key at now, or says why not. A throttled
// request does not count against the quota.
func (u *usage) take(key string, now time.Time) usageResult {
	u.mu.Lock()
	defer u.mu.Unlock()
	k := u.keys[key]
	if k == nil {
		k = &keyUsage{tokens: float64(u.plan.BurstLimit), last: now, periodStart: now}
		u.keys[key] = k
	}
	if u.plan.RateLimit > 0 {
		if d := now.Sub(k.last); d > 0 {
			k.tokens = min(float64(u.plan.BurstLimit), k.tokens+d.Seconds()*u.plan.RateLimit)
		}
		k.last = now
		if k.tokens < 1 {
			return throttled
		}
	}
	if u.plan.QuotaLimit > 0 {
		if u.plan.QuotaPeriod > 0 && now.Sub(k.periodStart) >= u.plan.QuotaPeriod {
			k.periodStart, k.used = now, 0
		}
		if k.used >= u.plan.QuotaLimit {
			return overQuota
		}
		k.used++
	}
	if u.plan.RateLimit > 0 {
		k.tokens--
	}
	return admitted
}

package secenv

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a settable clock for cache tests.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// blockingFetch is a fetch that signals started, then waits for release or
// for its context to end.
type blockingFetch struct {
	started, release chan struct{}
	calls            atomic.Int32
	mu               sync.Mutex
	ctxs             []context.Context
}

func newBlockingFetch() *blockingFetch {
	return &blockingFetch{started: make(chan struct{}, 8), release: make(chan struct{})}
}

func (b *blockingFetch) fetch(ctx context.Context) (secretPayload, error) {
	b.calls.Add(1)
	b.mu.Lock()
	b.ctxs = append(b.ctxs, ctx)
	b.mu.Unlock()
	b.started <- struct{}{}
	select {
	case <-b.release:
		return secretPayload{str: "value", hasStr: true}, nil
	case <-ctx.Done():
		return secretPayload{}, transportError(ctx.Err(), ErrSecretsManager)
	}
}

type ctxKey struct{}

type getResult struct {
	p   secretPayload
	err error
}

// TestCacheFlightContext checks that a single-flight fetch does not run
// under the context of the caller that started it: cancelling the first
// caller, or a waiter, ends only that caller's wait, and the fetch goes on
// for the others with the first caller's values and a timeout. Regression
// test: the first caller's cancellation failed every waiter.
func TestCacheFlightContext(t *testing.T) {
	tests := []struct {
		name string
		// cancelFirst cancels the caller that started the fetch after a
		// second caller joined; otherwise the second caller is cancelled.
		cancelFirst bool
	}{
		{name: "first caller cancelled", cancelFirst: true},
		{name: "waiter cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache()
			joined := make(chan struct{}, 1)
			c.flights.joined = func() { joined <- struct{}{} }
			clk := newTestClock()
			src := &struct{ int }{}
			bf := newBlockingFetch()

			ctx1, cancel1 := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "first"))
			defer cancel1()
			ctx2, cancel2 := context.WithCancel(t.Context())
			defer cancel2()
			res1, res2 := make(chan getResult, 1), make(chan getResult, 1)
			go func() {
				p, err := c.get(ctx1, src, "id", time.Minute, clk.now, bf.fetch)
				res1 <- getResult{p, err}
			}()
			<-bf.started
			go func() {
				p, err := c.get(ctx2, src, "id", time.Minute, clk.now, bf.fetch)
				res2 <- getResult{p, err}
			}()
			<-joined

			cancelled, waiting := res2, res1
			if tt.cancelFirst {
				cancel1()
				cancelled, waiting = res1, res2
			} else {
				cancel2()
			}
			r := <-cancelled
			if !errors.Is(r.err, context.Canceled) || !errors.Is(r.err, ErrSecretsManager) {
				t.Fatalf("cancelled caller: err = %v, want context.Canceled and ErrSecretsManager", r.err)
			}

			bf.mu.Lock()
			fctx := bf.ctxs[0]
			bf.mu.Unlock()
			if fctx.Err() != nil {
				t.Fatalf("fetch context ended with its caller: %v", fctx.Err())
			}
			if fctx.Value(ctxKey{}) != "first" {
				t.Errorf("fetch context lost the first caller's values")
			}
			if dl, ok := fctx.Deadline(); !ok || time.Until(dl) > CacheFetchTimeout {
				t.Errorf("fetch context deadline = %v, %v; want at most %v away", dl, ok, CacheFetchTimeout)
			}

			close(bf.release)
			r = <-waiting
			if r.err != nil || r.p.str != "value" {
				t.Fatalf("waiting caller: %q, %v", r.p.str, r.err)
			}
			if n := bf.calls.Load(); n != 1 {
				t.Errorf("fetch called %d times, want 1", n)
			}
			// The fetch finished for the cache too.
			if p, err := c.get(t.Context(), src, "id", time.Minute, clk.now, bf.fetch); err != nil || p.str != "value" || bf.calls.Load() != 1 {
				t.Errorf("after the flight: %q, %v, %d calls", p.str, err, bf.calls.Load())
			}
		})
	}
}

// TestCacheFlightPanic checks that a panicking fetch fails its callers
// instead of crashing the process.
func TestCacheFlightPanic(t *testing.T) {
	c := NewCache()
	_, err := c.get(t.Context(), &struct{ int }{}, "id", time.Minute, time.Now, func(context.Context) (secretPayload, error) {
		panic("boom")
	})
	if !errors.Is(err, errFlightPanicked) || !errors.Is(err, ErrSecretsManager) {
		t.Fatalf("err = %v", err)
	}
}

// TestCacheEviction checks that expired entries are deleted (the one looked
// up on a miss, and a bounded batch on every store), and that the cache
// keeps at most MaxCacheSources clients, evicting the least recently used
// with its entries. Regression test: entries and clients only accumulated,
// and expired plaintexts stayed in memory.
func TestCacheEviction(t *testing.T) {
	value := func(context.Context) (secretPayload, error) { return secretPayload{str: "v", hasStr: true}, nil }
	failing := func(context.Context) (secretPayload, error) {
		return secretPayload{}, detail("", ErrSecretsManager, ErrUnavailable)
	}
	src := &struct{ int }{}
	tests := []struct {
		name string
		run  func(t *testing.T, c *Cache, clk *testClock)
	}{
		{name: "expired entry deleted on a failed refresh", run: func(t *testing.T, c *Cache, clk *testClock) {
			if _, err := c.get(t.Context(), src, "a", time.Minute, clk.now, value); err != nil {
				t.Fatal(err)
			}
			clk.advance(time.Minute)
			if _, err := c.get(t.Context(), src, "a", time.Minute, clk.now, failing); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v", err)
			}
			if n := c.Len(); n != 0 {
				t.Errorf("Len = %d, want 0: the expired plaintext is still held", n)
			}
		}},
		{name: "entry lives as long as the TTL it was stored with", run: func(t *testing.T, c *Cache, clk *testClock) {
			if _, err := c.get(t.Context(), src, "a", time.Minute, clk.now, value); err != nil {
				t.Fatal(err)
			}
			clk.advance(time.Minute)
			// A longer TTL of the reader does not revive it.
			if _, err := c.get(t.Context(), src, "a", time.Hour, clk.now, failing); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("expired entry served: err = %v", err)
			}
		}},
		{name: "shorter TTL of the reader refetches but keeps a valid entry", run: func(t *testing.T, c *Cache, clk *testClock) {
			if _, err := c.get(t.Context(), src, "a", time.Hour, clk.now, value); err != nil {
				t.Fatal(err)
			}
			clk.advance(2 * time.Minute)
			if _, err := c.get(t.Context(), src, "a", time.Minute, clk.now, failing); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v", err)
			}
			if _, err := c.get(t.Context(), src, "a", time.Hour, clk.now, failing); err != nil {
				t.Fatalf("entry valid for the long TTL was dropped: %v", err)
			}
		}},
		{name: "store sweeps a bounded batch of expired entries", run: func(t *testing.T, c *Cache, clk *testClock) {
			const n = 100
			for i := range n {
				if _, err := c.get(t.Context(), src, strconv.Itoa(i), time.Minute, clk.now, value); err != nil {
					t.Fatal(err)
				}
			}
			// Stores sweep as they go, but nothing has expired yet.
			if got := c.Len(); got != n {
				t.Fatalf("Len = %d, want %d", got, n)
			}
			clk.advance(time.Minute)
			if _, err := c.get(t.Context(), src, "new", time.Minute, clk.now, value); err != nil {
				t.Fatal(err)
			}
			// The store examined sweepBatch entries, at most one of them the
			// fresh one, and deleted the others.
			if got, max := c.Len(), n+1-(sweepBatch-1); got > max || got < n+1-sweepBatch {
				t.Errorf("Len = %d after one store, want between %d and %d", got, n+1-sweepBatch, max)
			}
		}},
		{name: "clients capped, least recently used evicted", run: func(t *testing.T, c *Cache, clk *testClock) {
			reused := &struct{ int }{}
			for i := range 3 * MaxCacheSources {
				if _, err := c.get(t.Context(), reused, "s", time.Hour, clk.now, value); err != nil {
					t.Fatal(err)
				}
				// A client built per call.
				if _, err := c.get(t.Context(), &struct{ int }{i}, "s", time.Hour, clk.now, value); err != nil {
					t.Fatal(err)
				}
			}
			c.mu.Lock()
			sources := len(c.sources)
			c.mu.Unlock()
			if sources != MaxCacheSources || c.Len() != MaxCacheSources {
				t.Errorf("%d clients, %d entries; want %d of each", sources, c.Len(), MaxCacheSources)
			}
			// The reused client kept its entry.
			if _, err := c.get(t.Context(), reused, "s", time.Hour, clk.now, failing); err != nil {
				t.Errorf("reused client evicted: %v", err)
			}
		}},
		{name: "purge forgets clients", run: func(t *testing.T, c *Cache, clk *testClock) {
			if _, err := c.get(t.Context(), src, "a", time.Hour, clk.now, value); err != nil {
				t.Fatal(err)
			}
			c.Purge()
			c.mu.Lock()
			sources := len(c.sources)
			c.mu.Unlock()
			if sources != 0 || c.Len() != 0 {
				t.Errorf("after Purge: %d clients, %d entries", sources, c.Len())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, NewCache(), newTestClock())
		})
	}
}

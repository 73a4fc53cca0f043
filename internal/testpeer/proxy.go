package testpeer

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	mathrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is an AWS JSON-protocol error answered in place of the real
// response: HTTP Status with the body {"__type": Code, "message": Message}
// and the headers an AWS service sends with it, so that the SDK decodes it
// into the same error type and the same retry decision as the real one.
type Fault struct {
	// Status is the HTTP status code, such as 400 or 500.
	Status int
	// Code is the AWS error code, such as ThrottlingException.
	Code string
	// Message is the error message.
	Message string
	// Drop, when true, answers nothing: the connection is closed before a
	// response is written, as when a network path fails mid-request.
	// Status, Code and Message are then unused.
	Drop bool
}

// ThrottlingFault is the throttling error that KMS and Secrets Manager
// answer when a request rate quota is exceeded. The SDK's standard retryer
// retries it.
func ThrottlingFault() Fault {
	return Fault{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
}

// InternalFault is a 500 with the service's internal-error code:
// "KMSInternalException" for KMS, "InternalServiceError" for Secrets
// Manager. The SDK's standard retryer retries it.
func InternalFault(code string) Fault {
	return Fault{Status: http.StatusInternalServerError, Code: code, Message: "We encountered an internal error. Please try again."}
}

// DropFault is a dropped connection: the request is read and the connection
// closed without a response. The SDK sees a transport error (EOF).
func DropFault() Fault { return Fault{Drop: true} }

// writeFault writes f as an AWS JSON 1.1 error response, or closes the
// connection without a response when f.Drop is set.
func writeFault(w http.ResponseWriter, f Fault) {
	if f.Drop {
		// The server closes the connection and logs nothing.
		panic(http.ErrAbortHandler)
	}
	writeAWSJSON(w, f.Status, map[string]string{"__type": f.Code, "message": f.Message})
}

// writeAWSJSON writes v as an AWS JSON 1.1 response with a request ID.
func writeAWSJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-Requestid", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestID returns a random UUID-shaped request ID.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// faults is a queue of injected faults plus an added latency, shared by
// [Proxy] and [SecretsManager]. It is safe for concurrent use.
type faults struct {
	mu      sync.Mutex
	queue   []Fault
	latency time.Duration
	rate    float64 // chance that a request the queue does not fault gets one of random
	random  []Fault

	requests atomic.Int64
	injected atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
}

// inject queues f for the next n requests.
func (q *faults) inject(n int, f Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for range n {
		q.queue = append(q.queue, f)
	}
}

// begin counts a request, waits for the configured latency (or until the
// request is cancelled) and returns the fault to answer with, if any. The
// caller must call end when the request is done.
func (q *faults) begin(r *http.Request) (Fault, bool) {
	q.requests.Add(1)
	n := q.inFlight.Add(1)
	for {
		m := q.maxIn.Load()
		if n <= m || q.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	q.mu.Lock()
	d := q.latency
	var f Fault
	ok := len(q.queue) > 0
	if ok {
		f, q.queue = q.queue[0], q.queue[1:]
	} else if len(q.random) > 0 && mathrand.Float64() < q.rate {
		f, ok = q.random[mathrand.IntN(len(q.random))], true
	}
	q.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if ok {
		q.injected.Add(1)
	}
	return f, ok
}

func (q *faults) end() { q.inFlight.Add(-1) }

// Proxy is a loopback HTTP reverse proxy that injects faults in front of a
// real peer such as local-kms: added latency on every request, and queued
// or random faults (AWS errors such as throttling and 5xx, or dropped
// connections) answered instead of forwarding. It counts
// requests and the most that were in flight at once. It is safe for
// concurrent use.
type Proxy struct {
	// URL is the proxy's base URL, http://127.0.0.1:PORT. Point an SDK
	// client's BaseEndpoint at it.
	URL string

	srv *httptest.Server
	q   faults
}

// StartProxy starts a proxy to target (a base URL such as a [KMS]'s
// Endpoint) that stops at the test's cleanup.
func StartProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		tb.Fatalf("testpeer: proxy target %q is not a base URL", target)
	}
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer p.q.end()
		if f, ok := p.q.begin(r); ok {
			writeFault(w, f)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	return p
}

// SetLatency adds d to every request from now on, before it is answered or
// forwarded. Zero removes it.
func (p *Proxy) SetLatency(d time.Duration) {
	p.q.mu.Lock()
	p.q.latency = d
	p.q.mu.Unlock()
}

// Inject makes the next n requests fail with f instead of being forwarded.
func (p *Proxy) Inject(n int, f Fault) { p.q.inject(n, f) }

// InjectRandom makes every later request that no queued fault ([Proxy.Inject])
// answers fail with probability rate, with one of fs picked at random: a
// flaky, throttling network path. A rate of 0 or no fs stops it.
func (p *Proxy) InjectRandom(rate float64, fs ...Fault) {
	p.q.mu.Lock()
	p.q.rate, p.q.random = rate, append([]Fault(nil), fs...)
	p.q.mu.Unlock()
}

// Requests returns how many requests the proxy has received.
func (p *Proxy) Requests() int { return int(p.q.requests.Load()) }

// Injected returns how many requests were answered with an injected fault.
func (p *Proxy) Injected() int { return int(p.q.injected.Load()) }

// Forwarded returns how many requests reached the target.
func (p *Proxy) Forwarded() int { return p.Requests() - p.Injected() }

// MaxInFlight returns the most requests that were in progress at once.
func (p *Proxy) MaxInFlight() int { return int(p.q.maxIn.Load()) }

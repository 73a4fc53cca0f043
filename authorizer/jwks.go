package authorizer

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults of [JWKSConfig], used when a field is zero.
const (
	// DefaultFetchTimeout bounds one key set fetch, its retry included
	// ([JWKSConfig].Timeout).
	DefaultFetchTimeout = 5 * time.Second
	// DefaultMaxJWKSBytes bounds a key set or discovery response body:
	// 64 KiB ([JWKSConfig].MaxBytes).
	DefaultMaxJWKSBytes = 64 << 10
	// DefaultMinRefreshInterval is the least time between two fetches
	// caused by unknown kids ([JWKSConfig].MinRefreshInterval).
	DefaultMinRefreshInterval = time.Minute
	// DefaultRetryBackoff is the wait after a failed fetch
	// ([JWKSConfig].RetryBackoff).
	DefaultRetryBackoff = 10 * time.Second
	// DefaultMaxKeyAge is how long a fetched key set is used before a
	// token causes a refresh ([JWKSConfig].MaxKeyAge).
	DefaultMaxKeyAge = time.Hour
)

// JWKSConfig configures a [JWKS] key cache. Every zero value means the
// documented default.
type JWKSConfig struct {
	// URL is the JWKS endpoint. It must be https, or http on a loopback
	// address with InsecureAllowHTTPLoopback. If empty, Issuer is required
	// and the URL is discovered from Issuer's openid-configuration.
	URL string
	// Issuer, used only when URL is empty, is the OIDC issuer whose
	// /.well-known/openid-configuration names the jwks_uri. The document's
	// issuer must equal Issuer exactly.
	Issuer string
	// HTTPClient makes the requests. Nil means a client with no redirects.
	// A copy is used whose redirects are refused, so that a redirect can
	// never leave https.
	HTTPClient *http.Client
	// Timeout bounds each fetch, including its one retry: a fetch whose
	// first attempt fails on the connection or answers 502, 503 or 504 is
	// tried once more at once, within the same Timeout. Zero means
	// [DefaultFetchTimeout].
	Timeout time.Duration
	// MaxBytes bounds a response body. Zero means [DefaultMaxJWKSBytes].
	MaxBytes int64
	// MinRefreshInterval is the least time between two fetches caused by
	// unknown kids: a flood of forged kids causes at most one fetch per
	// interval. Zero means [DefaultMinRefreshInterval].
	MinRefreshInterval time.Duration
	// RetryBackoff is the wait after a failed fetch before the next one; in
	// between, tokens whose kid is not cached fail with [ErrBackoff]. Zero
	// means [DefaultRetryBackoff].
	RetryBackoff time.Duration
	// MaxKeyAge is how long a fetched key set is used before a token causes
	// a refresh, so that keys the issuer removed stop working. The refresh
	// runs in the background: the token that causes it, and the tokens
	// verified until it ends, are checked with the cached key rather than
	// wait for the fetch; only an unknown kid waits. A failed refresh keeps
	// the old keys (and is retried after RetryBackoff). Zero means
	// [DefaultMaxKeyAge]; negative means never (the only field of
	// JWKSConfig where a negative value is not an error).
	MaxKeyAge time.Duration
	// InsecureAllowHTTPLoopback allows http URLs on loopback addresses
	// (127.0.0.0/8, ::1, localhost), for local peers and tests only.
	InsecureAllowHTTPLoopback bool
	// Clock returns the current time. Nil means time.Now.
	Clock func() time.Time
}

// JWKS is a cache of one issuer's signing keys. It fetches the key set at
// first use (or on [JWKS.Refresh]), refetches on an unknown kid at most once
// per MinRefreshInterval with concurrent misses merged into one request,
// tries a fetch once more at once when a connection drops or the endpoint
// answers 502, 503 or 504, keeps the last good keys when a fetch fails, and
// fails closed when it has no keys. Keys whose use is not "sig", whose alg does not fit their type,
// or whose RSA modulus is under 2048 bits are ignored.
//
// A JWKS is safe for concurrent use. Share one between every verifier of an
// issuer.
//
// Verifiers built without one ([Settings].JWKS nil) share a process-wide
// JWKS per endpoint: one per JWKS URL (or, when the URL is discovered, per
// issuer), per [Settings].HTTPClient (the same *http.Client pointer; nil is
// one client) and per InsecureAllowHTTPLoopback. The process keeps at most
// 64 such shared key sets: building a verifier for a 65th endpoint drops
// the least recently used one from the registry. Verifiers that hold a
// dropped JWKS keep using it; the next verifier of that endpoint gets a new
// one, which fetches again. So a program that makes a new *http.Client for
// every verifier stays bounded, but shares nothing: reuse the client, or
// pass a JWKS.
type JWKS struct {
	url, issuer string
	client      *http.Client
	timeout     time.Duration
	maxBytes    int64
	minInterval time.Duration
	backoff     time.Duration
	maxAge      time.Duration
	loopback    bool
	now         func() time.Time

	keys atomic.Pointer[keySet] // immutable once published
	sf   singleflight.Group

	mu          sync.Mutex // guards the fields below
	inflight    bool
	lastAttempt time.Time
	lastFailed  bool
	jwksURL     string // resolved URL (after discovery)
}

// keySet is one fetched key set; never mutated once published.
type keySet struct {
	byKID   map[string]*jwk
	fetched time.Time
}

// jwk is a usable verification key.
type jwk struct {
	kid string
	alg string // "" when the JWK named none
	rsa *rsa.PublicKey
	ec  *ecdsa.PublicKey
}

// NewJWKS validates cfg and returns a key cache. It does no I/O.
func NewJWKS(cfg JWKSConfig) (*JWKS, error) {
	k := &JWKS{
		url:         cfg.URL,
		issuer:      cfg.Issuer,
		timeout:     orDefault(cfg.Timeout, DefaultFetchTimeout),
		maxBytes:    cfg.MaxBytes,
		minInterval: orDefault(cfg.MinRefreshInterval, DefaultMinRefreshInterval),
		backoff:     orDefault(cfg.RetryBackoff, DefaultRetryBackoff),
		maxAge:      orDefault(cfg.MaxKeyAge, DefaultMaxKeyAge),
		loopback:    cfg.InsecureAllowHTTPLoopback,
		now:         cfg.Clock,
	}
	switch {
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("%w: negative Timeout", ErrConfig)
	case cfg.MaxBytes < 0:
		return nil, fmt.Errorf("%w: negative MaxBytes", ErrConfig)
	case cfg.MinRefreshInterval < 0:
		return nil, fmt.Errorf("%w: negative MinRefreshInterval", ErrConfig)
	case cfg.RetryBackoff < 0:
		return nil, fmt.Errorf("%w: negative RetryBackoff", ErrConfig)
	}
	if k.maxBytes == 0 {
		k.maxBytes = DefaultMaxJWKSBytes
	}
	if k.now == nil {
		k.now = time.Now
	}
	switch {
	case k.url != "":
		if err := checkURL(k.url, k.loopback); err != nil {
			return nil, fmt.Errorf("%w: JWKS URL: %w", ErrConfig, err)
		}
		k.jwksURL = k.url
	case k.issuer != "":
		if err := checkURL(k.issuer, k.loopback); err != nil {
			return nil, fmt.Errorf("%w: issuer URL: %w", ErrConfig, err)
		}
	default:
		return nil, fmt.Errorf("%w: JWKS needs URL or Issuer", ErrConfig)
	}
	c := &http.Client{}
	if cfg.HTTPClient != nil {
		*c = *cfg.HTTPClient
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	k.client = c
	return k, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// checkURL requires https, or http on loopback when allowed.
func checkURL(raw string, loopback bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return errors.New("not an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback && isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New("must be https (http only on loopback with InsecureAllowHTTPLoopback)")
	}
	return errors.New("must be https")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Refresh fetches the key set now, ignoring the refresh interval, merging
// with any fetch in flight. Call it at cold start for an eager fetch. On
// failure the cache keeps its previous keys.
func (k *JWKS) Refresh(ctx context.Context) error {
	k.mu.Lock()
	k.inflight = true
	k.lastAttempt = k.now()
	ch := k.sf.DoChan("", k.fetch)
	k.mu.Unlock()
	_, err := wait(ctx, ch)
	return err
}

// KeyIDs returns the kids of the cached keys, sorted; nil before the first
// successful fetch.
func (k *JWKS) KeyIDs() []string {
	ks := k.keys.Load()
	if ks == nil {
		return nil
	}
	ids := make([]string, 0, len(ks.byKID))
	for id := range ks.byKID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// key returns the key for kid, fetching the key set if allowed.
func (k *JWKS) key(ctx context.Context, kid string) (*jwk, error) {
	ks := k.keys.Load()
	if ks != nil {
		key, ok := ks.byKID[kid]
		if ok {
			if k.maxAge >= 0 && k.now().Sub(ks.fetched) >= k.maxAge {
				// Stale: serve the cached key and refresh in the
				// background, within the refresh interval and backoff. The
				// refresh publishes new keys, or keeps these if it fails.
				k.refreshInBackground()
			}
			return key, nil
		}
	}
	ch := k.begin()
	if ch == nil {
		k.mu.Lock()
		failed := k.lastFailed
		k.mu.Unlock()
		if failed || ks == nil {
			return nil, ErrBackoff
		}
		return nil, ErrUnknownKID
	}
	fresh, err := wait(ctx, ch)
	if err != nil {
		return nil, err
	}
	if key, ok := fresh.byKID[kid]; ok {
		return key, nil
	}
	return nil, ErrUnknownKID
}

// begin starts a fetch or joins the one in flight, returning its result
// channel, or nil when the refresh interval or backoff forbids a fetch.
func (k *JWKS) begin() <-chan singleflight.Result {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.inflight && !k.startLocked() {
		return nil
	}
	return k.sf.DoChan("", k.fetch)
}

// refreshInBackground starts a fetch unless one is in flight or the
// refresh interval or backoff forbids it, and does not wait for it.
func (k *JWKS) refreshInBackground() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.inflight && k.startLocked() {
		// DoChan's channel is buffered, so nobody needs to read it.
		k.sf.DoChan("", k.fetch)
	}
}

// startLocked marks a fetch as started and reports true, or reports false
// when the refresh interval or backoff forbids one. k.mu must be held and
// no fetch be in flight.
func (k *JWKS) startLocked() bool {
	now := k.now()
	if !k.lastAttempt.IsZero() {
		wait := k.minInterval
		if k.lastFailed {
			wait = k.backoff
		}
		if now.Sub(k.lastAttempt) < wait {
			return false
		}
	}
	k.inflight = true
	k.lastAttempt = now
	return true
}

// wait waits for a fetch result or for ctx.
func wait(ctx context.Context, ch <-chan singleflight.Result) (*keySet, error) {
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*keySet), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrJWKSFetch, ctx.Err())
	}
}

// fetch runs inside the single flight: it resolves the URL, fetches and
// parses the key set, and publishes it on success.
func (k *JWKS) fetch() (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), k.timeout)
	defer cancel()
	ks, err := k.fetchKeys(ctx)
	k.mu.Lock()
	k.inflight = false
	k.lastFailed = err != nil
	if err == nil {
		k.keys.Store(ks)
	}
	k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return ks, nil
}

func (k *JWKS) fetchKeys(ctx context.Context) (*keySet, error) {
	k.mu.Lock()
	u := k.jwksURL
	k.mu.Unlock()
	if u == "" {
		var err error
		if u, err = k.discover(ctx); err != nil {
			return nil, err
		}
		k.mu.Lock()
		k.jwksURL = u
		k.mu.Unlock()
	}
	body, err := k.get(ctx, u)
	if err != nil {
		return nil, err
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, &FetchError{URL: u, Err: err}
	}
	return &keySet{byKID: keys, fetched: k.now()}, nil
}

// discover reads jwks_uri from the issuer's openid-configuration.
func (k *JWKS) discover(ctx context.Context) (string, error) {
	u := strings.TrimSuffix(k.issuer, "/") + "/.well-known/openid-configuration"
	body, err := k.get(ctx, u)
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", &FetchError{URL: u, Err: errors.New("discovery document is not JSON")}
	}
	if doc.Issuer != k.issuer {
		return "", &FetchError{URL: u, Err: errors.New("discovery issuer does not match")}
	}
	if err := checkURL(doc.JWKSURI, k.loopback); err != nil {
		return "", &FetchError{URL: u, Err: fmt.Errorf("jwks_uri: %w", err)}
	}
	return doc.JWKSURI, nil
}

// get fetches u with the size limit. When the first attempt fails on the
// connection (no response, or the body cut short) or answers 502, 503 or
// 504, it tries once more at once if ctx, which carries the fetch timeout,
// has not ended: one dropped connection or one restarting front end must
// not become an outage of RetryBackoff. GET is safe to repeat (RFC 9110
// §9.2.2). Other statuses, such as 500 or 404, report the issuer's own
// answer and are not retried; aws-jwt-verify retries no status at all.
func (k *JWKS) get(ctx context.Context, u string) ([]byte, error) {
	body, transient, err := k.getOnce(ctx, u)
	if err != nil && transient && ctx.Err() == nil {
		body, _, err = k.getOnce(ctx, u)
	}
	return body, err
}

// getOnce makes one attempt of get, also reporting whether a failure is
// transient (worth one more attempt).
func (k *JWKS) getOnce(ctx context.Context, u string) (body []byte, transient bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, &FetchError{URL: u, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, true, &FetchError{URL: u, Err: errors.Unwrap(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		switch resp.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			transient = true
		}
		return nil, transient, &FetchError{URL: u, Status: resp.StatusCode}
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, k.maxBytes+1))
	if err != nil {
		return nil, true, &FetchError{URL: u, Status: resp.StatusCode, Err: err}
	}
	if int64(len(body)) > k.maxBytes {
		return nil, false, &FetchError{URL: u, Status: resp.StatusCode, Err: errors.New("response too large")}
	}
	return body, false, nil
}

// rawJWK is one entry of a JWKS document.
type rawJWK struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	Alg    string   `json:"alg"`
	KeyOps []string `json:"key_ops"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	Crv    string   `json:"crv"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
}

// rsaAlgs and ecAlgs map each supported alg to the key it needs.
var (
	rsaAlgs = map[string]bool{"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true}
	ecAlgs  = map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
)

// parseJWKS parses a JWKS document, keeping only usable signature keys. It
// fails when the document is not a JWKS or holds no usable key.
func parseJWKS(body []byte) (map[string]*jwk, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Keys == nil {
		return nil, errors.New("not a JWKS document")
	}
	out := make(map[string]*jwk, len(doc.Keys))
	for _, raw := range doc.Keys {
		var r rawJWK
		if json.Unmarshal(raw, &r) != nil {
			continue
		}
		key := parseJWK(&r)
		if key == nil {
			continue
		}
		if _, dup := out[key.kid]; dup {
			continue // the first key of a kid wins
		}
		out[key.kid] = key
	}
	if len(out) == 0 {
		return nil, errors.New("JWKS has no usable signing key")
	}
	return out, nil
}

// parseJWK returns the key, or nil when it must be ignored.
func parseJWK(r *rawJWK) *jwk {
	if r.Kid == "" || (r.Use != "" && r.Use != "sig") {
		return nil
	}
	if r.KeyOps != nil && !slices.Contains(r.KeyOps, "verify") {
		return nil
	}
	switch r.Kty {
	case "RSA":
		if r.Alg != "" && !rsaAlgs[r.Alg] {
			return nil
		}
		n, err1 := decodeB64(r.N)
		e, err2 := decodeB64(r.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 || pub.N.BitLen() > 8192 || pub.E < 3 || pub.E%2 == 0 {
			return nil
		}
		return &jwk{kid: r.Kid, alg: r.Alg, rsa: pub}
	case "EC":
		if r.Alg != "" && ecAlgs[r.Alg] != r.Crv {
			return nil
		}
		pub := parseEC(r.Crv, r.X, r.Y)
		if pub == nil {
			return nil
		}
		return &jwk{kid: r.Kid, alg: r.Alg, ec: pub}
	}
	return nil
}

// parseEC builds an ECDSA key, checking that the point is on the curve.
func parseEC(crv, xs, ys string) *ecdsa.PublicKey {
	var curve elliptic.Curve
	var ec ecdh.Curve
	switch crv {
	case "P-256":
		curve, ec = elliptic.P256(), ecdh.P256()
	case "P-384":
		curve, ec = elliptic.P384(), ecdh.P384()
	case "P-521":
		curve, ec = elliptic.P521(), ecdh.P521()
	default:
		return nil
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err1 := decodeB64(xs)
	y, err2 := decodeB64(ys)
	if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
		return nil
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	if _, err := ec.NewPublicKey(point); err != nil {
		return nil
	}
	return &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
}

// decodeB64 decodes base64url with or without padding.
func decodeB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// fits reports whether key can verify alg.
func (key *jwk) fits(alg string) bool {
	if key.alg != "" && key.alg != alg {
		return false
	}
	if key.rsa != nil {
		return rsaAlgs[alg]
	}
	return key.ec != nil && ecAlgs[alg] == key.ec.Curve.Params().Name
}

// maxSharedJWKS bounds the process-wide registry of shared key sets.
const maxSharedJWKS = 64

// registry shares one JWKS per endpoint between verifiers that were not
// given one, under the rule documented on [JWKS]: keyed by endpoint, client
// and loopback opt-in, at most maxSharedJWKS entries, least recently used
// dropped first. Verifier construction is rare, so a mutex is enough.
var registry = struct {
	mu   sync.Mutex
	m    map[registryKey]*registryEntry
	tick uint64
}{m: make(map[registryKey]*registryEntry)}

type registryKey struct {
	url, issuer string
	client      *http.Client
	loopback    bool
}

type registryEntry struct {
	keys *JWKS
	used uint64 // registry.tick at the last use
}

// sharedJWKS returns the process-wide JWKS for the endpoint.
func sharedJWKS(jwksURL, issuer string, client *http.Client, loopback bool) (*JWKS, error) {
	rk := registryKey{url: jwksURL, issuer: issuer, client: client, loopback: loopback}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.tick++
	if e, ok := registry.m[rk]; ok {
		e.used = registry.tick
		return e.keys, nil
	}
	k, err := NewJWKS(JWKSConfig{URL: jwksURL, Issuer: issuer, HTTPClient: client, InsecureAllowHTTPLoopback: loopback})
	if err != nil {
		return nil, err
	}
	if len(registry.m) >= maxSharedJWKS {
		var oldest registryKey
		var min uint64
		for key, e := range registry.m {
			if min == 0 || e.used < min {
				oldest, min = key, e.used
			}
		}
		delete(registry.m, oldest)
	}
	registry.m[rk] = &registryEntry{keys: k, used: registry.tick}
	return k, nil
}

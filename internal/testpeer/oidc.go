package testpeer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Key is a signing key of an [Issuer]: an RSA or ECDSA private key with its
// kid and JWS algorithm. A Key is immutable once made.
type Key struct {
	// ID is the key's kid.
	ID string
	// Alg is the JWS algorithm the key signs with: RS256, RS384, RS512,
	// PS256, ES256, ES384 or ES512.
	Alg string
	// Use is the JWK use published for the key; NewRSAKey and NewECKey set
	// "sig".
	Use string
	// Signer is the private key.
	Signer crypto.Signer
	// PublishAlg, when false, leaves alg out of the published JWK.
	PublishAlg bool
}

// NewRSAKey generates an RSA key of the given size (2048 if bits is 0) that
// signs with RS256.
func NewRSAKey(tb testing.TB, kid string, bits int) *Key {
	tb.Helper()
	if bits == 0 {
		bits = 2048
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		tb.Fatalf("testpeer: rsa key: %v", err)
	}
	return &Key{ID: kid, Alg: "RS256", Use: "sig", Signer: k, PublishAlg: true}
}

// NewECKey generates an ECDSA key on curve (P-256, P-384 or P-521) that signs
// with ES256, ES384 or ES512 to match.
func NewECKey(tb testing.TB, kid string, curve elliptic.Curve) *Key {
	tb.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		tb.Fatalf("testpeer: ecdsa key: %v", err)
	}
	alg := map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[curve.Params().Name]
	if alg == "" {
		tb.Fatalf("testpeer: unsupported curve %s", curve.Params().Name)
	}
	return &Key{ID: kid, Alg: alg, Use: "sig", Signer: k, PublishAlg: true}
}

// With returns a copy of k that signs and publishes with alg and use.
func (k *Key) With(alg, use string) *Key {
	c := *k
	c.Alg, c.Use = alg, use
	return &c
}

// JWK returns the public JWK of k as published in a JWKS.
func (k *Key) JWK() map[string]any {
	m := map[string]any{"kid": k.ID}
	if k.Use != "" {
		m["use"] = k.Use
	}
	if k.PublishAlg && k.Alg != "" {
		m["alg"] = k.Alg
	}
	enc := base64.RawURLEncoding.EncodeToString
	switch pub := k.Signer.Public().(type) {
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = enc(pub.N.Bytes())
		m["e"] = enc(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		m["kty"] = "EC"
		m["crv"] = pub.Curve.Params().Name
		m["x"] = enc(pub.X.FillBytes(make([]byte, size)))
		m["y"] = enc(pub.Y.FillBytes(make([]byte, size)))
	}
	return m
}

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// Mint signs claims with k under a header of alg, kid and typ JWT, plus
// any extra header fields (which may override those three, or delete one
// when set to nil).
func (k *Key) Mint(tb testing.TB, claims map[string]any, extraHeader map[string]any) string {
	tb.Helper()
	h := map[string]any{"alg": k.Alg, "kid": k.ID, "typ": "JWT"}
	for name, v := range extraHeader {
		if v == nil {
			delete(h, name)
			continue
		}
		h[name] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		tb.Fatalf("testpeer: header: %v", err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		tb.Fatalf("testpeer: claims: %v", err)
	}
	return k.SignRaw(tb, hb, cb)
}

// SignRaw signs arbitrary header and payload bytes with k's private key
// under k.Alg, whatever alg the header names, and returns the compact JWS.
// It lets tests build tokens with malformed JSON or odd headers that still
// carry a valid signature.
func (k *Key) SignRaw(tb testing.TB, header, payload []byte) string {
	tb.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	signing := enc(header) + "." + enc(payload)
	sig, err := k.sign([]byte(signing))
	if err != nil {
		tb.Fatalf("testpeer: sign: %v", err)
	}
	return signing + "." + enc(sig)
}

func (k *Key) sign(msg []byte) ([]byte, error) {
	var h hash.Hash
	var ch crypto.Hash
	switch k.Alg[2:] {
	case "256":
		h, ch = sha256.New(), crypto.SHA256
	case "384":
		h, ch = sha512.New384(), crypto.SHA384
	case "512":
		h, ch = sha512.New(), crypto.SHA512
	default:
		return nil, fmt.Errorf("unsupported alg %s", k.Alg)
	}
	h.Write(msg)
	digest := h.Sum(nil)
	switch priv := k.Signer.(type) {
	case *rsa.PrivateKey:
		if k.Alg[:2] == "PS" {
			return rsa.SignPSS(rand.Reader, priv, ch, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(rand.Reader, priv, ch, digest)
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
		if err != nil {
			return nil, err
		}
		size := (priv.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("unsupported key type %T", k.Signer)
}

// Issuer is an OIDC issuer on an httptest server that a test drives: it
// serves /.well-known/openid-configuration and /jwks.json, publishes and
// rotates keys, mints tokens, counts JWKS fetches, and injects failures and
// latency. It is safe for concurrent use. It exists because no local peer
// serves arbitrary OIDC issuers; Cognito tokens come from [StartCognito].
type Issuer struct {
	// URL is the issuer identifier and base URL, http(s)://127.0.0.1:PORT.
	URL string
	// JWKSURL is URL + "/jwks.json".
	JWKSURL string

	srv *httptest.Server

	mu        sync.Mutex
	published []*Key
	signing   *Key
	status    int
	latency   time.Duration
	body      []byte
	discovery map[string]any
	next      []jwksFault // one-off faults of the next JWKS requests

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
}

// StartIssuer starts an issuer over plain HTTP on loopback with one RS256 key,
// kid "k1", published and used for signing. The server stops at the test's
// cleanup.
func StartIssuer(tb testing.TB) *Issuer {
	tb.Helper()
	return startIssuer(tb, false)
}

// StartIssuerTLS is [StartIssuer] over HTTPS; use [Issuer.Client] to trust
// its certificate.
func StartIssuerTLS(tb testing.TB) *Issuer {
	tb.Helper()
	return startIssuer(tb, true)
}

func startIssuer(tb testing.TB, tls bool) *Issuer {
	tb.Helper()
	iss := &Issuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", iss.serveDiscovery)
	mux.HandleFunc("/jwks.json", iss.serveJWKS)
	if tls {
		iss.srv = httptest.NewTLSServer(mux)
	} else {
		iss.srv = httptest.NewServer(mux)
	}
	tb.Cleanup(iss.srv.Close)
	iss.URL = iss.srv.URL
	iss.JWKSURL = iss.URL + "/jwks.json"
	k := NewRSAKey(tb, "k1", 2048)
	iss.published = []*Key{k}
	iss.signing = k
	return iss
}

// Client returns an HTTP client that trusts the issuer's TLS certificate.
func (i *Issuer) Client() *http.Client { return i.srv.Client() }

// SigningKey returns the key that [Issuer.Mint] signs with.
func (i *Issuer) SigningKey() *Key {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.signing
}

// Publish replaces the published key set.
func (i *Issuer) Publish(keys ...*Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = append([]*Key(nil), keys...)
}

// SetSigningKey makes k the key that [Issuer.Mint] signs with; it does not
// publish k.
func (i *Issuer) SetSigningKey(k *Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.signing = k
}

// Rotate generates a new RS256 key with kid, publishes it next to the
// current keys and makes it the signing key.
func (i *Issuer) Rotate(tb testing.TB, kid string) *Key {
	tb.Helper()
	k := NewRSAKey(tb, kid, 2048)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = append(append([]*Key(nil), i.published...), k)
	i.signing = k
	return k
}

// FailJWKS makes the JWKS endpoint answer with status (such as 500); 0
// restores normal service.
func (i *Issuer) FailJWKS(status int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.status = status
}

// jwksFault is a one-off fault of one JWKS request.
type jwksFault struct {
	status int  // answer with this status
	drop   bool // close the connection before any response
	cut    bool // close the connection in the middle of the body
}

// FailJWKSNext makes the next n JWKS requests answer with status (such as
// 503); the ones after are served normally (or as [Issuer.FailJWKS] says).
func (i *Issuer) FailJWKSNext(n, status int) { i.queue(n, jwksFault{status: status}) }

// DropJWKSNext makes the server close the connection of each of the next n
// JWKS requests without sending any response, as a dropped connection
// does.
func (i *Issuer) DropJWKSNext(n int) { i.queue(n, jwksFault{drop: true}) }

// CutJWKSNext makes the server send each of the next n JWKS responses'
// status, headers and first half of the body, then close the connection.
func (i *Issuer) CutJWKSNext(n int) { i.queue(n, jwksFault{cut: true}) }

func (i *Issuer) queue(n int, f jwksFault) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for range n {
		i.next = append(i.next, f)
	}
}

// SetLatency delays every JWKS response by d, or until the client gives up.
func (i *Issuer) SetLatency(d time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.latency = d
}

// SetJWKSBody makes the JWKS endpoint serve body verbatim; nil restores the
// generated key set.
func (i *Issuer) SetJWKSBody(body []byte) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.body = body
}

// SetDiscovery makes the discovery endpoint serve doc; nil restores the
// generated document.
func (i *Issuer) SetDiscovery(doc map[string]any) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.discovery = doc
}

// JWKSFetches reports how many times the JWKS endpoint was requested.
func (i *Issuer) JWKSFetches() int64 { return i.jwksFetches.Load() }

// DiscoveryFetches reports how many times the discovery document was
// requested.
func (i *Issuer) DiscoveryFetches() int64 { return i.discoveryFetches.Load() }

// Mint signs claims with the signing key. iss defaults to the issuer's URL
// when claims has none; extraHeader is as for [Key.Mint].
func (i *Issuer) Mint(tb testing.TB, claims map[string]any, extraHeader map[string]any) string {
	tb.Helper()
	c := make(map[string]any, len(claims)+1)
	c["iss"] = i.URL
	for k, v := range claims {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return i.SigningKey().Mint(tb, c, extraHeader)
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	i.discoveryFetches.Add(1)
	i.mu.Lock()
	doc := i.discovery
	i.mu.Unlock()
	if doc == nil {
		doc = map[string]any{
			"issuer":                                i.URL,
			"jwks_uri":                              i.JWKSURL,
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	i.jwksFetches.Add(1)
	i.mu.Lock()
	status, latency, body := i.status, i.latency, i.body
	var fault jwksFault
	if len(i.next) > 0 {
		fault, i.next = i.next[0], i.next[1:]
	}
	keys := make([]map[string]any, 0, len(i.published))
	for _, k := range i.published {
		keys = append(keys, k.JWK())
	}
	i.mu.Unlock()
	if fault.drop {
		// The server closes the connection without writing anything.
		panic(http.ErrAbortHandler)
	}
	if fault.status != 0 {
		status = fault.status
	}
	if latency > 0 {
		if !delay(r.Context(), latency) {
			// The client gave up: send it nothing at all. Returning would
			// make the server write an empty 200, which a client racing
			// its own deadline could take as an answer.
			panic(http.ErrAbortHandler)
		}
	}
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if body == nil {
		var err error
		if body, err = json.Marshal(map[string]any{"keys": keys}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	if fault.cut {
		// Announce the whole body, send half of it, then close.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(body)
}

// delay waits for d or until ctx is done, reporting whether d passed. It is
// the only sleep in the harness: it simulates a slow network peer.
func delay(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

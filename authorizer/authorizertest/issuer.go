package authorizertest

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seclambda/seclambda/authorizer"
)

// Issuer is a JWT issuer on an httptest server on loopback that a test
// drives: it serves OpenID Connect discovery and a JWKS, signs tokens,
// publishes and rotates keys, counts fetches, and injects failures and
// latency. It is safe for concurrent use. Call [Issuer.Close] when done.
type Issuer struct {
	// URL is the issuer identifier, the iss of its tokens: the server's
	// base URL (https://127.0.0.1:PORT), followed by "/" and the pool ID
	// for a [NewCognitoIssuer].
	URL string
	// JWKSURL is the key set URL: URL + "/jwks.json" for [NewIssuer] and
	// [NewHTTPIssuer], URL + "/.well-known/jwks.json" (Cognito's) for
	// [NewCognitoIssuer]. Discovery names it as jwks_uri.
	JWKSURL string
	// UserPoolID is the pool ID of a [NewCognitoIssuer], and empty
	// otherwise.
	UserPoolID string

	srv *httptest.Server
	tls bool

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

// NewIssuer starts an OpenID Connect issuer over TLS on 127.0.0.1 with one
// RS256 key, kid "k1", published and used for signing. Like
// httptest.NewTLSServer it panics if it cannot listen (or, here, generate
// the key).
func NewIssuer() *Issuer { return start("", true) }

// NewHTTPIssuer is [NewIssuer] over plain HTTP, as cognito-local serves
// its pools: a verifier trusts it only with InsecureAllowHTTPLoopback,
// which [Issuer.OIDCConfig] and [Issuer.CognitoConfig] then set.
func NewHTTPIssuer() *Issuer { return start("", false) }

// NewCognitoIssuer starts, over TLS on 127.0.0.1, an issuer shaped like the
// Cognito user pool userPoolID (such as "us-east-1_test"): its URL ends in
// "/" + userPoolID and its JWKS is at URL + "/.well-known/jwks.json", where
// authorizer.NewCognitoVerifier looks. Sign [CognitoIDClaims] and
// [CognitoAccessClaims] with it. It panics as [NewIssuer] does.
func NewCognitoIssuer(userPoolID string) *Issuer { return start(userPoolID, true) }

func start(pool string, tls bool) *Issuer {
	k, err := NewRSAKey("k1", 2048)
	if err != nil {
		panic(err)
	}
	iss := &Issuer{UserPoolID: pool, tls: tls, published: []*Key{k}, signing: k}
	prefix, jwksPath := "", "/jwks.json"
	if pool != "" {
		prefix, jwksPath = "/"+pool, "/.well-known/jwks.json"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/.well-known/openid-configuration", iss.serveDiscovery)
	mux.HandleFunc("GET "+prefix+jwksPath, iss.serveJWKS)
	if tls {
		iss.srv = httptest.NewTLSServer(mux)
	} else {
		iss.srv = httptest.NewServer(mux)
	}
	iss.URL = iss.srv.URL + prefix
	iss.JWKSURL = iss.URL + jwksPath
	return iss
}

// Close shuts the server down and blocks until its requests are done.
func (i *Issuer) Close() { i.srv.Close() }

// Client returns an HTTP client that trusts the issuer's TLS certificate.
// It returns the same client on every call, so verifiers built with it
// share one key cache.
func (i *Issuer) Client() *http.Client { return i.srv.Client() }

// Certificate returns the issuer's TLS certificate, or nil for a
// [NewHTTPIssuer].
func (i *Issuer) Certificate() *x509.Certificate { return i.srv.Certificate() }

// OIDCConfig returns a configuration that trusts the issuer and accepts
// tokens for audiences: Issuer is [Issuer.URL], the JWKS is found by
// discovery, HTTPClient is [Issuer.Client], and InsecureAllowHTTPLoopback
// is set only for a [NewHTTPIssuer]. Algorithms is left empty (RS256);
// set it when signing with other keys.
func (i *Issuer) OIDCConfig(audiences ...string) authorizer.OIDCConfig {
	return authorizer.OIDCConfig{Issuer: i.URL, Audiences: audiences, Settings: i.settings()}
}

// CognitoConfig returns a configuration that trusts a [NewCognitoIssuer]'s
// pool and accepts tokens of use for clientIDs: UserPoolID and Issuer are
// the issuer's, and HTTPClient is [Issuer.Client]. For an issuer made
// without a pool, UserPoolID is empty, which authorizer.NewCognitoVerifier
// refuses.
func (i *Issuer) CognitoConfig(use authorizer.TokenUse, clientIDs ...string) authorizer.CognitoConfig {
	return authorizer.CognitoConfig{
		UserPoolID: i.UserPoolID,
		Issuer:     i.URL,
		ClientIDs:  clientIDs,
		TokenUse:   use,
		Settings:   i.settings(),
	}
}

func (i *Issuer) settings() authorizer.Settings {
	return authorizer.Settings{HTTPClient: i.Client(), InsecureAllowHTTPLoopback: !i.tls}
}

// SigningKey returns the key that [Issuer.Sign] signs with.
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

// SetSigningKey makes k the key that [Issuer.Sign] signs with; it does not
// publish k, so tokens it signs fail verification until [Issuer.Publish]
// does.
func (i *Issuer) SetSigningKey(k *Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.signing = k
}

// Rotate generates a new RS256 key with kid, publishes it next to the
// current keys and makes it the signing key, as an identity provider
// rotates: tokens signed before still verify until [Issuer.Publish] drops
// their key.
func (i *Issuer) Rotate(kid string) (*Key, error) {
	k, err := NewRSAKey(kid, 2048)
	if err != nil {
		return nil, err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = append(append([]*Key(nil), i.published...), k)
	i.signing = k
	return k, nil
}

// FailJWKS makes the JWKS endpoint answer every request with status (such
// as 500), which a verifier reports as authorizer.ErrUnavailable; 0
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
// generated document (issuer, jwks_uri and the signing algorithms).
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

// Sign signs claims with the signing key and returns the compact JWS. iss
// is [Issuer.URL] unless claims sets it; a claim set to nil is left out.
// extraHeader is as for [Key.Sign]. Sign adds no other claim: exp, sub and
// aud are the caller's (see [CognitoIDClaims], [CognitoAccessClaims]).
func (i *Issuer) Sign(claims map[string]any, extraHeader map[string]any) (string, error) {
	c := make(map[string]any, len(claims)+1)
	c["iss"] = i.URL
	for k, v := range claims {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return i.SigningKey().Sign(c, extraHeader)
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
	if latency > 0 && !delay(r.Context(), latency) {
		// The client gave up: send it nothing at all. Returning would make
		// the server write an empty 200, which a client racing its own
		// deadline could take as an answer.
		panic(http.ErrAbortHandler)
	}
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if body == nil {
		var err error
		if body, err = json.Marshal(map[string]any{"keys": keys}); err != nil {
			http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
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

// delay waits for d or until ctx is done, reporting whether d passed. It
// simulates a slow network peer.
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

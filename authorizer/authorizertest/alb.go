package authorizertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seclambda/seclambda/authorizer"
)

// Defaults of an [ALB].
const (
	// ALBARN is the ARN of the load balancer an [ALB] signs as.
	ALBARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/test/0123456789abcdef"
	// ALBIssuer is the issuer an [ALB] puts in its tokens' iss header.
	ALBIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
	// ALBClientID is the client an [ALB] puts in its tokens' client header.
	ALBClientID = "alb-client-1"
)

// ALB stands in for an Application Load Balancer with an
// authenticate-cognito or authenticate-oidc action: it signs
// x-amzn-oidc-data tokens as the load balancer does (ES256, with AWS's
// signer, iss, client and exp header fields and padded base64url
// segments), serves their public keys in PEM by kid from a key endpoint
// over TLS on 127.0.0.1, rotates keys, fails on demand, and builds ALB
// target events. [ALB.Config] is the verifier configuration that trusts
// it. It is safe for concurrent use. Call [ALB.Close] when done.
type ALB struct {
	// ARN is the signer header of its tokens: [ALBARN].
	ARN string
	// Issuer is the iss header of its tokens: [ALBIssuer].
	Issuer string
	// ClientID is the client header of its tokens: [ALBClientID].
	ClientID string
	// KeyEndpoint is the base URL of the key endpoint; the key of kid K is
	// at KeyEndpoint + "/" + K.
	KeyEndpoint string

	srv *httptest.Server

	mu      sync.Mutex
	keys    map[string]*ecdsa.PrivateKey
	signing string
	status  int
	body    []byte

	fetches atomic.Int64
}

// NewALB starts a key endpoint over TLS on 127.0.0.1 with one P-256 key
// under a random UUID kid. Like httptest.NewTLSServer it panics if it
// cannot listen (or, here, generate the key).
func NewALB() *ALB {
	a := &ALB{ARN: ALBARN, Issuer: ALBIssuer, ClientID: ALBClientID, keys: map[string]*ecdsa.PrivateKey{}}
	if _, err := a.Rotate(); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{kid}", a.serveKey)
	a.srv = httptest.NewTLSServer(mux)
	a.KeyEndpoint = a.srv.URL
	return a
}

// Close shuts the key endpoint down and blocks until its requests are
// done.
func (a *ALB) Close() { a.srv.Close() }

// Client returns an HTTP client that trusts the key endpoint's TLS
// certificate; the same client on every call.
func (a *ALB) Client() *http.Client { return a.srv.Client() }

// Certificate returns the key endpoint's TLS certificate, for a function
// in another process that must trust it (through SSL_CERT_FILE, say).
func (a *ALB) Certificate() *x509.Certificate { return a.srv.Certificate() }

// Config returns the verifier configuration that trusts a: its ARN,
// Issuer, ClientID and KeyEndpoint, and [ALB.Client].
func (a *ALB) Config() authorizer.ALBConfig {
	return authorizer.ALBConfig{
		LoadBalancerARN: a.ARN,
		Issuer:          a.Issuer,
		ClientID:        a.ClientID,
		KeyEndpoint:     a.KeyEndpoint,
		HTTPClient:      a.Client(),
	}
}

// Rotate generates a new P-256 key under a new UUID kid, publishes it
// (keeping the old ones) and signs with it from now on. It returns the
// kid.
func (a *ALB) Rotate() (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("authorizertest: ecdsa key: %w", err)
	}
	kid := uuid()
	a.mu.Lock()
	a.keys[kid], a.signing = k, kid
	a.mu.Unlock()
	return kid, nil
}

// KeyID returns the kid of the signing key.
func (a *ALB) KeyID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.signing
}

// FailKeys makes the key endpoint answer status to every request, until
// called with 0.
func (a *ALB) FailKeys(status int) {
	a.mu.Lock()
	a.status = status
	a.mu.Unlock()
}

// SetKeyBody makes the key endpoint answer body, with status 200, to
// every request, until called with nil.
func (a *ALB) SetKeyBody(body []byte) {
	a.mu.Lock()
	a.body = body
	a.mu.Unlock()
}

// KeyFetches returns how many requests the key endpoint has served.
func (a *ALB) KeyFetches() int64 { return a.fetches.Load() }

// ALBClaims returns the payload of a token for the user sub, shaped like
// the claims that an authenticate-cognito action passes: sub, username,
// email, exp an hour from now and iss [ALBIssuer].
func ALBClaims(sub, username, email string) map[string]any {
	return map[string]any{
		"sub":            sub,
		"username":       username,
		"email":          email,
		"email_verified": "true",
		"exp":            time.Now().Add(time.Hour).Unix(),
		"iss":            ALBIssuer,
	}
}

// Sign signs claims as the load balancer does and returns the token, with
// "=" padding on every segment that needs it. The header has alg ES256,
// typ JWT, the signing kid, signer [ALB.ARN], iss [ALB.Issuer], client
// [ALB.ClientID] and exp: the claims' exp, or an hour from now. Fields of
// extraHeader override those, or delete one when set to nil.
func (a *ALB) Sign(claims map[string]any, extraHeader map[string]any) (string, error) {
	return a.sign(claims, extraHeader, true)
}

// SignUnpadded is [ALB.Sign] without "=" padding, as RFC 7515 would have
// it; the verifier accepts both.
func (a *ALB) SignUnpadded(claims map[string]any, extraHeader map[string]any) (string, error) {
	return a.sign(claims, extraHeader, false)
}

func (a *ALB) sign(claims map[string]any, extraHeader map[string]any, padded bool) (string, error) {
	a.mu.Lock()
	kid := a.signing
	priv := a.keys[kid]
	a.mu.Unlock()
	exp, ok := claims["exp"]
	if !ok {
		exp = time.Now().Add(time.Hour).Unix()
	}
	h := map[string]any{
		"alg": "ES256", "typ": "JWT", "kid": kid,
		"signer": a.ARN, "iss": a.Issuer, "client": a.ClientID, "exp": exp,
	}
	for name, v := range extraHeader {
		if v == nil {
			delete(h, name)
			continue
		}
		h[name] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("authorizertest: header: %w", err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("authorizertest: claims: %w", err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	if padded {
		enc = base64.URLEncoding.EncodeToString
	}
	signing := enc(hb) + "." + enc(cb)
	k := &Key{ID: kid, Alg: "ES256", Signer: priv}
	sig, err := k.sign([]byte(signing))
	if err != nil {
		return "", fmt.Errorf("authorizertest: sign: %w", err)
	}
	return signing + "." + enc(sig), nil
}

// Event returns an ALB target event for method and path carrying token
// in x-amzn-oidc-data (when not empty), with the target group's
// multi-value headers on or off.
func (a *ALB) Event(method, path, token string, multiValue bool) events.ALBTargetGroupRequest {
	e := events.ALBTargetGroupRequest{
		HTTPMethod: method,
		Path:       path,
		RequestContext: events.ALBTargetGroupRequestContext{
			ELB: events.ELBContext{TargetGroupArn: strings.Replace(a.ARN, ":loadbalancer/app/", ":targetgroup/", 1)},
		},
	}
	h := map[string]string{"host": "app.example.com"}
	if token != "" {
		h["x-amzn-oidc-data"] = token
	}
	if multiValue {
		e.MultiValueHeaders = make(map[string][]string, len(h))
		for k, v := range h {
			e.MultiValueHeaders[k] = []string{v}
		}
	} else {
		e.Headers = h
	}
	return e
}

func (a *ALB) serveKey(w http.ResponseWriter, r *http.Request) {
	a.fetches.Add(1)
	a.mu.Lock()
	status, body := a.status, a.body
	priv := a.keys[r.PathValue("kid")]
	a.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	if body == nil {
		if priv == nil {
			// The AWS endpoint, like S3, answers 403 for an unknown key.
			http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
			return
		}
		der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(body)
}

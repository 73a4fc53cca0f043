package local

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/seclambda/seclambda/authorizer"
)

// Invoker runs one Lambda invocation and returns the function's raw
// response; a function error comes back as a document with errorMessage, as
// the Lambda Invoke API returns it. *testpeer.Function is an Invoker.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// AuthorizerType is the payload type of a Lambda authorizer.
type AuthorizerType string

// The Lambda authorizer payload types of REST APIs.
const (
	TokenAuthorizer   AuthorizerType = "TOKEN"
	RequestAuthorizer AuthorizerType = "REQUEST"
)

// LambdaAuthorizer is a REST API Lambda authorizer.
type LambdaAuthorizer struct {
	// Function is the authorizer function. Required.
	Function Invoker
	// Type is TOKEN or REQUEST. Required.
	Type AuthorizerType
	// IdentityHeader is the header that carries the identity source (and,
	// for TOKEN, the token). Empty means Authorization. A request without
	// it gets 401 without invoking the authorizer.
	IdentityHeader string
	// ValidationExpression, for TOKEN authorizers, must match the token;
	// otherwise 401 without invoking the authorizer. Nil means none.
	ValidationExpression *regexp.Regexp
	// TTL caches the authorizer's policy by identity source value. Zero
	// turns caching off.
	TTL time.Duration
}

// RESTRoute is one method of the REST API. Exactly one of Authorizer,
// UserPool and IAM is set.
type RESTRoute struct {
	// Method and Resource, such as "GET" and "/token".
	Method, Resource string
	// Function is the Lambda proxy integration. Required.
	Function Invoker
	// Authorizer is the Lambda authorizer of the route.
	Authorizer *LambdaAuthorizer
	// UserPool verifies the Authorization header as a Cognito user pool
	// authorizer; the claims reach the function in
	// requestContext.authorizer.claims.
	UserPool authorizer.Verifier
	// IAM requires a SigV4 signature by one of [Config.IAM].
	IAM bool
	// APIKeyRequired requires the Lambda authorizer's usageIdentifierKey
	// to be a key of the usage plan, and applies its throttle and quota.
	APIKeyRequired bool
}

// HTTPRoute is one route of the HTTP API.
type HTTPRoute struct {
	// RouteKey is "METHOD /path", with {name} and a final {name+}
	// parameters, such as "GET /notes/{id}" or "OPTIONS /{proxy+}".
	RouteKey string
	// Function is the integration. Required.
	Function Invoker
	// JWT is the route's JWT authorizer; nil means no authorization.
	JWT authorizer.Verifier
	// Authorizer is the route's Lambda authorizer, instead of JWT.
	Authorizer *HTTPAuthorizer
}

// HTTPAuthorizer is an HTTP API Lambda authorizer with payload format 2.0
// and simple responses. Its answers are not cached. The function's context
// reaches the integration as requestContext.authorizer.lambda, with its
// JSON types.
type HTTPAuthorizer struct {
	// Function is the authorizer function. Required.
	Function Invoker
	// IdentityHeader is the header of the identity source. Empty means
	// Authorization. A request without it gets 401 without invoking the
	// authorizer.
	IdentityHeader string
}

// UsagePlan is the REST API's usage plan.
type UsagePlan struct {
	// Keys are the API key values in the plan.
	Keys []string
	// RateLimit (requests per second) and BurstLimit are the throttle of
	// each key: a token bucket. Zero RateLimit means no throttle.
	RateLimit  float64
	BurstLimit int
	// QuotaLimit requests per QuotaPeriod, counted per key. Zero means no
	// quota.
	QuotaLimit  int
	QuotaPeriod time.Duration
}

// IAMIdentity is a set of AWS credentials the gateway accepts on AWS_IAM
// routes, with the identity API Gateway reports for them. For credentials
// of a Cognito identity pool, set the Cognito fields.
type IAMIdentity struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string

	AccountID string
	Caller    string
	User      string
	UserARN   string

	CognitoIdentityID             string
	CognitoIdentityPoolID         string
	CognitoAuthenticationType     string
	CognitoAuthenticationProvider string
}

// Login configures the POST /auth/login proxy to Cognito's InitiateAuth.
type Login struct {
	// CognitoEndpoint is the Cognito Identity Provider endpoint, such as
	// cognito-local's base URL.
	CognitoEndpoint string
	// ClientID is the app client that allows USER_PASSWORD_AUTH.
	ClientID string
}

// Config configures a [Gateway].
type Config struct {
	// AccountID, Region, RESTAPIID, HTTPAPIID and Stage name the APIs in
	// events and method ARNs. Empty means 123456789012, us-east-1,
	// "restapi001", "httpapi001" and "prod".
	AccountID, Region, RESTAPIID, HTTPAPIID, Stage string
	// REST and HTTP are the two APIs' routes; their paths must not
	// overlap.
	REST []RESTRoute
	HTTP []HTTPRoute
	// UsagePlan applies to REST routes with APIKeyRequired.
	UsagePlan UsagePlan
	// IAM are the credentials accepted on AWS_IAM routes.
	IAM []IAMIdentity
	// GatewayResponseHeaders are added to every 4XX and 5XX response the
	// REST API generates itself (DEFAULT_4XX and DEFAULT_5XX), such as
	// Access-Control-Allow-Origin.
	GatewayResponseHeaders map[string]string
	// AllowedOrigin is the browser origin allowed to call POST
	// /auth/login. Empty refuses cross-origin sign-ins.
	AllowedOrigin string
	// Login enables POST /auth/login. Nil means 404.
	Login *Login
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Log receives one line per request (route, status, reason); nil
	// discards it. Tokens, keys and signatures are never logged.
	Log *slog.Logger
	// HTTPClient reaches Cognito for sign-ins; nil means a client with a
	// 10 s timeout.
	HTTPClient *http.Client
}

// Gateway is the local API Gateway. It is an http.Handler and safe for
// concurrent use.
type Gateway struct {
	cfg   Config
	rest  []RESTRoute
	http  []httpRoute
	keys  map[string]bool
	iam   map[string]IAMIdentity
	now   func() time.Time
	log   *slog.Logger
	usage *usage
	cache *authCache
	hc    *http.Client
}

// New validates cfg and returns a Gateway.
func New(cfg Config) (*Gateway, error) {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&cfg.AccountID, "123456789012")
	def(&cfg.Region, "us-east-1")
	def(&cfg.RESTAPIID, "restapi001")
	def(&cfg.HTTPAPIID, "httpapi001")
	def(&cfg.Stage, "prod")
	g := &Gateway{cfg: cfg, keys: map[string]bool{}, iam: map[string]IAMIdentity{}, now: cfg.Clock, log: cfg.Log, hc: cfg.HTTPClient}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.hc == nil {
		g.hc = &http.Client{Timeout: 10 * time.Second}
	}
	for i, r := range cfg.REST {
		n := 0
		for _, set := range []bool{r.Authorizer != nil, r.UserPool != nil, r.IAM} {
			if set {
				n++
			}
		}
		switch {
		case r.Function == nil:
			return nil, fmt.Errorf("local: REST route %d (%s %s) has no Function", i, r.Method, r.Resource)
		case n != 1:
			return nil, fmt.Errorf("local: REST route %s %s needs exactly one of Authorizer, UserPool, IAM", r.Method, r.Resource)
		case r.Authorizer != nil && r.Authorizer.Type != TokenAuthorizer && r.Authorizer.Type != RequestAuthorizer:
			return nil, fmt.Errorf("local: REST route %s %s: authorizer type must be TOKEN or REQUEST", r.Method, r.Resource)
		case r.Authorizer != nil && r.Authorizer.Function == nil:
			return nil, fmt.Errorf("local: REST route %s %s: authorizer has no Function", r.Method, r.Resource)
		case !strings.HasPrefix(r.Resource, "/"):
			return nil, fmt.Errorf("local: REST route %s %s: resource must start with /", r.Method, r.Resource)
		}
		g.rest = append(g.rest, r)
	}
	for _, r := range cfg.HTTP {
		hr, err := parseRouteKey(r)
		if err != nil {
			return nil, err
		}
		g.http = append(g.http, hr)
	}
	for _, k := range cfg.UsagePlan.Keys {
		if k == "" {
			return nil, errors.New("local: empty API key in the usage plan")
		}
		g.keys[k] = true
	}
	for _, id := range cfg.IAM {
		if id.AccessKeyID == "" || id.SecretAccessKey == "" {
			return nil, errors.New("local: IAM identity without access key or secret")
		}
		g.iam[id.AccessKeyID] = id
	}
	g.usage = newUsage(cfg.UsagePlan)
	g.cache = &authCache{entries: map[cacheKey]cacheEntry{}}
	return g, nil
}

// ServeHTTP routes r to the REST API, the HTTP API or the sign-in proxy.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 10<<20))
	if err != nil {
		g.restError(w, http.StatusRequestEntityTooLarge, "Request Too Long", "request body too large")
		return
	}
	if r.URL.Path == "/auth/login" {
		g.serveLogin(w, r, body)
		return
	}
	for i := range g.rest {
		if g.rest[i].Resource == r.URL.Path {
			g.serveREST(w, r, body)
			return
		}
	}
	if g.matchesHTTPPath(r.URL.Path) {
		g.serveHTTPAPI(w, r, body)
		return
	}
	// Unknown REST resources: API Gateway answers 403.
	g.restError(w, http.StatusForbidden, "Missing Authentication Token", "no such resource")
}

// ResetUsage forgets every API key's throttle and quota counters, as the
// start of a new quota period does.
func (g *Gateway) ResetUsage() {
	g.usage.mu.Lock()
	clear(g.usage.keys)
	g.usage.mu.Unlock()
}

// restError writes a REST API gateway response: JSON {"message"}, with the
// configured gateway response headers.
func (g *Gateway) restError(w http.ResponseWriter, status int, message, reason string) {
	for k, v := range g.cfg.GatewayResponseHeaders {
		w.Header().Set(k, v)
	}
	writeJSONError(w, status, message)
	g.log.Info("gateway response", "api", "rest", "status", status, "reason", reason)
}

// httpError writes an HTTP API error: JSON {"message"} and no CORS headers,
// as an HTTP API without CorsConfiguration answers.
func (g *Gateway) httpError(w http.ResponseWriter, status int, message, reason string) {
	writeJSONError(w, status, message)
	g.log.Info("gateway response", "api", "http", "status", status, "reason", reason)
}

func writeJSONError(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeResponse writes a function's response.
func writeResponse(w http.ResponseWriter, status int, headers map[string]string, multi map[string][]string, cookies []string, body string, b64 bool) {
	h := w.Header()
	for k, v := range headers {
		h.Set(k, v)
	}
	for k, vs := range multi {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
	data := []byte(body)
	if b64 {
		d, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			writeJSONError(w, http.StatusBadGateway, "Internal server error")
			return
		}
		data = d
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// invoke runs fn with event and decodes its response into out. failure is
// the errorMessage of a function error.
func invoke(ctx context.Context, fn Invoker, event, out any) (failure string, err error) {
	payload, err := json.Marshal(event)
	if err != nil {
		return "", err
	}
	raw, err := fn.Invoke(ctx, payload)
	if err != nil {
		return "", err
	}
	var fe struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(raw, &fe) == nil && fe.ErrorMessage != nil {
		if *fe.ErrorMessage == "" {
			return fe.ErrorType, nil
		}
		return *fe.ErrorMessage, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return "", fmt.Errorf("local: function response is not the expected JSON: %w", err)
	}
	return "", nil
}

// requestID returns a random request ID.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// sourceIP returns the client's address.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// eventBody returns the body as API Gateway passes it: text, or base64 when
// it is not valid UTF-8.
func eventBody(body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if utf8.Valid(body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// authCache holds Lambda authorizer policies by authorizer and identity
// source value.
type authCache struct {
	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

type cacheKey struct {
	authz    *LambdaAuthorizer
	identity string
}

type cacheEntry struct {
	resp    authorizerResponse
	expires time.Time
}

func (c *authCache) get(k cacheKey, now time.Time) (authorizerResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.expires) {
		delete(c.entries, k)
		return authorizerResponse{}, false
	}
	return e.resp, true
}

func (c *authCache) put(k cacheKey, resp authorizerResponse, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 {
		clear(c.entries)
	}
	c.entries[k] = cacheEntry{resp: resp, expires: expires}
}

package local

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
)

// authorizerResponse is what the gateway keeps of a Lambda authorizer's
// answer.
type authorizerResponse struct {
	principal  string
	statements []events.IAMPolicyStatement
	context    map[string]any
	usageKey   string
}

// serveREST handles one REST API request.
func (g *Gateway) serveREST(w http.ResponseWriter, r *http.Request, body []byte) {
	var route *RESTRoute
	for i := range g.rest {
		if g.rest[i].Resource == r.URL.Path && g.rest[i].Method == r.Method {
			route = &g.rest[i]
			break
		}
	}
	if route == nil {
		g.restError(w, http.StatusForbidden, "Missing Authentication Token", "no such method")
		return
	}
	ctx := r.Context()
	now := g.now()
	methodARN := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s",
		g.cfg.Region, g.cfg.AccountID, g.cfg.RESTAPIID, g.cfg.Stage, route.Method, route.Resource)
	reqCtx := events.APIGatewayProxyRequestContext{
		AccountID:        g.cfg.AccountID,
		ResourceID:       "res001",
		Stage:            g.cfg.Stage,
		RequestID:        requestID(),
		ResourcePath:     route.Resource,
		HTTPMethod:       r.Method,
		APIID:            g.cfg.RESTAPIID,
		Path:             r.URL.Path,
		DomainName:       r.Host,
		Protocol:         r.Proto,
		RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		RequestTimeEpoch: now.UnixMilli(),
		Identity: events.APIGatewayRequestIdentity{
			SourceIP:   sourceIP(r),
			UserAgent:  r.UserAgent(),
			ClientCert: clientCert(r),
		},
	}
	headers, multi := v1Headers(r)

	switch {
	case route.Authorizer != nil:
		resp, status, msg := g.lambdaAuthorize(ctx, r, route, methodARN, headers, multi, reqCtx)
		if status != 0 {
			g.restError(w, status, msg, "lambda authorizer")
			return
		}
		switch evaluate(resp.statements, methodARN) {
		case policyAllow:
		case policyExplicitDeny:
			g.restError(w, http.StatusForbidden, "User is not authorized to access this resource with an explicit deny", "explicit deny")
			return
		default:
			g.restError(w, http.StatusForbidden, "User is not authorized to access this resource", "no allow")
			return
		}
		a := map[string]any{"principalId": resp.principal, "integrationLatency": 0}
		for k, v := range resp.context {
			// REST APIs pass authorizer context values as strings.
			a[k] = fmt.Sprint(v)
		}
		reqCtx.Authorizer = a
		if route.APIKeyRequired {
			if resp.usageKey == "" || !g.keys[resp.usageKey] {
				g.restError(w, http.StatusForbidden, "Forbidden", "no usage plan key")
				return
			}
			reqCtx.Identity.APIKey = resp.usageKey
			reqCtx.Identity.APIKeyID = keyID(resp.usageKey)
		}
	case route.UserPool != nil:
		tok := strings.TrimSpace(r.Header.Get("Authorization"))
		if t, ok := cutBearer(tok); ok {
			tok = t
		}
		if tok == "" {
			g.restError(w, http.StatusUnauthorized, "Unauthorized", "no token")
			return
		}
		c, err := route.UserPool.Verify(ctx, tok)
		switch {
		case errors.Is(err, authorizer.ErrUnauthorized) || errors.Is(err, authorizer.ErrForbidden):
			g.restError(w, http.StatusUnauthorized, "Unauthorized", "user pool token rejected")
			return
		case err != nil:
			g.restError(w, http.StatusInternalServerError, "Internal server error", "user pool keys unavailable")
			return
		}
		reqCtx.Authorizer = map[string]any{"claims": restClaims(c)}
	case route.IAM:
		id, status, msg := g.verifySigV4(r, body, now)
		if status != 0 {
			g.restError(w, status, msg, "sigv4")
			return
		}
		reqCtx.Identity.AccountID = id.AccountID
		reqCtx.Identity.Caller = id.Caller
		reqCtx.Identity.User = id.User
		reqCtx.Identity.UserArn = id.UserARN
		reqCtx.Identity.AccessKey = id.AccessKeyID
		reqCtx.Identity.CognitoIdentityID = id.CognitoIdentityID
		reqCtx.Identity.CognitoIdentityPoolID = id.CognitoIdentityPoolID
		reqCtx.Identity.CognitoAuthenticationType = id.CognitoAuthenticationType
		reqCtx.Identity.CognitoAuthenticationProvider = id.CognitoAuthenticationProvider
	}
	if route.APIKeyRequired && reqCtx.Identity.APIKey == "" {
		// Only a Lambda authorizer names a key (ApiKeySourceType
		// AUTHORIZER); other authorization types have none.
		g.restError(w, http.StatusForbidden, "Forbidden", "no usage plan key")
		return
	}
	if route.APIKeyRequired {
		switch g.usage.take(reqCtx.Identity.APIKey, now) {
		case throttled:
			g.restError(w, http.StatusTooManyRequests, "Too Many Requests", "throttled")
			return
		case overQuota:
			g.restError(w, http.StatusTooManyRequests, "Limit Exceeded", "quota")
			return
		}
	}

	text, b64 := eventBody(body)
	event := events.APIGatewayProxyRequest{
		Resource:                        route.Resource,
		Path:                            r.URL.Path,
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           singleQuery(r),
		MultiValueQueryStringParameters: map[string][]string(r.URL.Query()),
		RequestContext:                  reqCtx,
		Body:                            text,
		IsBase64Encoded:                 b64,
	}
	if len(event.MultiValueQueryStringParameters) == 0 {
		event.MultiValueQueryStringParameters = nil
	}
	var resp events.APIGatewayProxyResponse
	failure, err := invoke(ctx, route.Function, event, &resp)
	if err != nil || failure != "" || resp.StatusCode == 0 {
		g.restError(w, http.StatusBadGateway, "Internal server error", "integration failed")
		return
	}
	g.log.Info("integration", "api", "rest", "route", route.Method+" "+route.Resource, "status", resp.StatusCode)
	writeResponse(w, resp.StatusCode, resp.Headers, resp.MultiValueHeaders, nil, resp.Body, resp.IsBase64Encoded)
}

// lambdaAuthorize returns the authorizer's answer for the request, from the
// cache when it holds one, or a gateway status and message.
func (g *Gateway) lambdaAuthorize(ctx context.Context, r *http.Request, route *RESTRoute, methodARN string,
	headers map[string]string, multi map[string][]string, reqCtx events.APIGatewayProxyRequestContext) (authorizerResponse, int, string) {
	a := route.Authorizer
	name := a.IdentityHeader
	if name == "" {
		name = "Authorization"
	}
	identity := r.Header.Get(name)
	if identity == "" || (a.Type == TokenAuthorizer && a.ValidationExpression != nil && !a.ValidationExpression.MatchString(identity)) {
		return authorizerResponse{}, http.StatusUnauthorized, "Unauthorized"
	}
	key := cacheKey{authz: a, identity: identity}
	if a.TTL > 0 {
		if resp, ok := g.cache.get(key, g.now()); ok {
			return resp, 0, ""
		}
	}
	var event any
	if a.Type == TokenAuthorizer {
		event = events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: identity, MethodArn: methodARN}
	} else {
		ev := events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", MethodArn: methodARN, Resource: route.Resource, Path: r.URL.Path, HTTPMethod: r.Method,
			Headers: headers, MultiValueHeaders: multi,
			QueryStringParameters: singleQuery(r), MultiValueQueryStringParameters: map[string][]string(r.URL.Query()),
			RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
				Path: reqCtx.Path, AccountID: reqCtx.AccountID, ResourceID: reqCtx.ResourceID, Stage: reqCtx.Stage,
				RequestID: reqCtx.RequestID, ResourcePath: reqCtx.ResourcePath, HTTPMethod: reqCtx.HTTPMethod, APIID: reqCtx.APIID,
				Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: reqCtx.Identity.SourceIP},
			},
		}
		if c := reqCtx.Identity.ClientCert; c != nil {
			ev.RequestContext.Identity.ClientCert = *c
		}
		event = ev
	}
	var out events.APIGatewayCustomAuthorizerResponse
	failure, err := invoke(ctx, a.Function, event, &out)
	switch {
	case err != nil:
		return authorizerResponse{}, http.StatusInternalServerError, "Internal server error"
	case failure == "Unauthorized":
		return authorizerResponse{}, http.StatusUnauthorized, "Unauthorized"
	case failure != "" || out.PrincipalID == "":
		// Any other error, or an invalid response, is a 500 that is not
		// cached.
		return authorizerResponse{}, http.StatusInternalServerError, "Internal server error"
	}
	resp := authorizerResponse{principal: out.PrincipalID, statements: out.PolicyDocument.Statement, context: out.Context, usageKey: out.UsageIdentifierKey}
	if a.TTL > 0 {
		g.cache.put(key, resp, g.now().Add(a.TTL))
	}
	return resp, 0, ""
}

// v1Headers returns the request's headers as a REST API passes them: the
// client's casing, the last value in headers and every value in
// multiValueHeaders.
func v1Headers(r *http.Request) (map[string]string, map[string][]string) {
	single := map[string]string{}
	multi := map[string][]string{}
	for k, vs := range r.Header {
		single[k] = vs[len(vs)-1]
		multi[k] = append([]string(nil), vs...)
	}
	if r.Host != "" {
		single["Host"] = r.Host
		multi["Host"] = []string{r.Host}
	}
	return single, multi
}

func singleQuery(r *http.Request) map[string]string {
	q := r.URL.Query()
	if len(q) == 0 {
		return nil
	}
	out := make(map[string]string, len(q))
	for k, vs := range q {
		out[k] = vs[len(vs)-1]
	}
	return out
}

// clientCert returns the verified client certificate of an mTLS request in
// API Gateway's form, or nil.
func clientCert(r *http.Request) *events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCert {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
		return nil
	}
	c := r.TLS.PeerCertificates[0]
	return &events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCert{
		ClientCertPem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})),
		SubjectDN:     c.Subject.String(),
		IssuerDN:      c.Issuer.String(),
		SerialNumber:  serial(c),
		Validity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCertValidity{
			NotBefore: c.NotBefore.UTC().Format("Jan 2 15:04:05 2006 GMT"),
			NotAfter:  c.NotAfter.UTC().Format("Jan 2 15:04:05 2006 GMT"),
		},
	}
}

func serial(c *x509.Certificate) string {
	b := c.SerialNumber.Bytes()
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

// restClaims formats verified claims as a REST Cognito user pool
// authorizer passes them: every value a string, lists comma-joined and
// dates in time.UnixDate form.
func restClaims(c *authorizer.Claims) map[string]any {
	out := make(map[string]any, len(c.Raw))
	for k, v := range c.Raw {
		switch k {
		case "exp", "iat", "auth_time", "nbf":
			if f, ok := v.(float64); ok {
				out[k] = time.Unix(int64(f), 0).UTC().Format(time.UnixDate)
				continue
			}
		}
		out[k] = claimString(v, ",")
	}
	return out
}

// claimString formats one claim value; lists are joined with sep.
func claimString(v any, sep string) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, claimString(x, sep))
		}
		sort.Strings(parts)
		return strings.Join(parts, sep)
	default:
		return fmt.Sprint(v)
	}
}

func cutBearer(v string) (string, bool) {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:]), true
	}
	return v, false
}

// keyID is a stable, non-secret ID for an API key value.
func keyID(key string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return fmt.Sprintf("key%08x", h)
}

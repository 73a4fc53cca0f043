package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
)

// httpRoute is a parsed HTTP API route.
type httpRoute HTTPRoute

// routeMethod and routeSegments split a route key.
func (r httpRoute) split() (string, []string) {
	m, p, _ := strings.Cut(r.RouteKey, " ")
	return m, strings.Split(strings.Trim(p, "/"), "/")
}

func parseRouteKey(r HTTPRoute) (httpRoute, error) {
	m, p, ok := strings.Cut(r.RouteKey, " ")
	if !ok || m == "" || !strings.HasPrefix(p, "/") {
		return httpRoute{}, fmt.Errorf("local: HTTP route key %q is not \"METHOD /path\"", r.RouteKey)
	}
	if r.Function == nil {
		return httpRoute{}, fmt.Errorf("local: HTTP route %s has no Function", r.RouteKey)
	}
	if r.Authorizer != nil && (r.JWT != nil || r.Authorizer.Function == nil) {
		return httpRoute{}, fmt.Errorf("local: HTTP route %s: a Lambda authorizer needs a Function and no JWT authorizer", r.RouteKey)
	}
	return httpRoute(r), nil
}

// match returns the path parameters of path for route segments, with a
// score: exact segments beat parameters, which beat a greedy parameter.
func match(segs []string, path string) (map[string]string, int, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	score := 0
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
			if i >= len(parts) || parts[i] == "" {
				return nil, 0, false
			}
			v, err := url.PathUnescape(strings.Join(parts[i:], "/"))
			if err != nil {
				return nil, 0, false
			}
			params[s[1:len(s)-2]] = v
			return params, score, true
		}
		if i >= len(parts) {
			return nil, 0, false
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if parts[i] == "" {
				return nil, 0, false
			}
			v, err := url.PathUnescape(parts[i])
			if err != nil {
				return nil, 0, false
			}
			params[s[1:len(s)-1]] = v
			score += 2
			continue
		}
		if s != parts[i] {
			return nil, 0, false
		}
		score += 3
	}
	if len(parts) != len(segs) {
		return nil, 0, false
	}
	score += 100
	return params, score, true
}

// matchesHTTPPath reports whether any HTTP API route (of any method other
// than a catch-all) matches path.
func (g *Gateway) matchesHTTPPath(path string) bool {
	for _, r := range g.http {
		_, segs := r.split()
		if _, score, ok := match(segs, path); ok && score >= 100 {
			return true
		}
	}
	return false
}

// route finds the best HTTP API route for method and path.
func (g *Gateway) route(method, path string) (*httpRoute, map[string]string) {
	var best *httpRoute
	var bestParams map[string]string
	bestScore := -1
	for i := range g.http {
		m, segs := g.http[i].split()
		if m != method && m != "ANY" {
			continue
		}
		if params, score, ok := match(segs, path); ok && score > bestScore {
			best, bestParams, bestScore = &g.http[i], params, score
		}
	}
	return best, bestParams
}

// serveHTTPAPI handles one HTTP API request.
func (g *Gateway) serveHTTPAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	// Match on the path as sent, and decode each parameter once, as API
	// Gateway does: r.URL.Path is decoded already.
	route, params := g.route(r.Method, r.URL.EscapedPath())
	if route == nil {
		g.httpError(w, http.StatusNotFound, "Not Found", "no route")
		return
	}
	ctx := r.Context()
	now := g.now()
	headers := map[string]string{}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	event := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       route.RouteKey,
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.RouteKey,
			AccountID:    g.cfg.AccountID,
			Stage:        "$default",
			RequestID:    requestID(),
			APIID:        g.cfg.HTTPAPIID,
			DomainName:   r.Host,
			DomainPrefix: strings.Split(r.Host, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
			},
		},
	}
	if len(params) > 0 {
		event.PathParameters = params
	}
	if q := r.URL.Query(); len(q) > 0 {
		event.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			event.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	event.Body, event.IsBase64Encoded = eventBody(body)
	if route.JWT != nil {
		tok, _ := cutBearer(strings.TrimSpace(r.Header.Get("Authorization")))
		if tok == "" {
			g.httpError(w, http.StatusUnauthorized, "Unauthorized", "no token")
			return
		}
		c, err := route.JWT.Verify(ctx, tok)
		switch {
		case errors.Is(err, authorizer.ErrUnauthorized) || errors.Is(err, authorizer.ErrForbidden):
			g.httpError(w, http.StatusUnauthorized, "Unauthorized", "jwt rejected")
			return
		case err != nil:
			g.httpError(w, http.StatusServiceUnavailable, "Service Unavailable", "jwt keys unavailable")
			return
		}
		event.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: httpClaims(c)},
		}
	}
	if route.Authorizer != nil {
		lambdaContext, status, msg := g.httpLambdaAuthorize(ctx, r, route, &event)
		if status != 0 {
			g.httpError(w, status, msg, "lambda authorizer")
			return
		}
		event.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: lambdaContext}
	}
	var resp events.APIGatewayV2HTTPResponse
	failure, err := invoke(ctx, route.Function, event, &resp)
	if err != nil || failure != "" {
		g.httpError(w, http.StatusInternalServerError, "Internal Server Error", "integration failed")
		return
	}
	g.log.Info("integration", "api", "http", "route", route.RouteKey, "status", resp.StatusCode)
	writeResponse(w, resp.StatusCode, resp.Headers, resp.MultiValueHeaders, resp.Cookies, resp.Body, resp.IsBase64Encoded)
}

// httpLambdaAuthorize invokes the route's Lambda authorizer (payload 2.0,
// simple responses) for event and returns its context, or a gateway status
// and message: 401 without the identity source or on "Unauthorized", 403
// when it does not authorize, 500 on any other failure.
func (g *Gateway) httpLambdaAuthorize(ctx context.Context, r *http.Request, route *httpRoute, event *events.APIGatewayV2HTTPRequest) (map[string]any, int, string) {
	a := route.Authorizer
	name := a.IdentityHeader
	if name == "" {
		name = "Authorization"
	}
	identity := r.Header.Get(name)
	if identity == "" {
		return nil, http.StatusUnauthorized, "Unauthorized"
	}
	arn := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", g.cfg.Region, g.cfg.AccountID, g.cfg.HTTPAPIID,
		event.RequestContext.Stage, event.RequestContext.HTTP.Method, event.RawPath)
	req := events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST", RouteArn: arn, IdentitySource: []string{identity},
		RouteKey: event.RouteKey, RawPath: event.RawPath, RawQueryString: event.RawQueryString,
		Cookies: event.Cookies, Headers: event.Headers, QueryStringParameters: event.QueryStringParameters,
		RequestContext: event.RequestContext, PathParameters: event.PathParameters,
	}
	var out events.APIGatewayV2CustomAuthorizerSimpleResponse
	failure, err := invoke(ctx, a.Function, req, &out)
	switch {
	case err != nil:
		return nil, http.StatusInternalServerError, "Internal Server Error"
	case failure == "Unauthorized":
		return nil, http.StatusUnauthorized, "Unauthorized"
	case failure != "":
		return nil, http.StatusInternalServerError, "Internal Server Error"
	case !out.IsAuthorized:
		return nil, http.StatusForbidden, "Forbidden"
	}
	return out.Context, 0, ""
}

// httpClaims formats verified claims as an HTTP API JWT authorizer passes
// them: strings, numbers in decimal and lists as "[a b]".
func httpClaims(c *authorizer.Claims) map[string]string {
	out := make(map[string]string, len(c.Raw))
	keys := make([]string, 0, len(c.Raw))
	for k := range c.Raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if list, ok := c.Raw[k].([]any); ok {
			out[k] = "[" + claimString(list, " ") + "]"
			continue
		}
		out[k] = claimString(c.Raw[k], " ")
	}
	return out
}

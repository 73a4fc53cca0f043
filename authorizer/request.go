package authorizer

import "github.com/aws/aws-lambda-go/events"

// Request is the request that a REQUEST or HTTP API authorizer decides on,
// in one form for both events, as a [WithRequestRule] rule sees it. The
// handlers build it only when such a rule is set.
//
// Treat it as read-only; its maps belong to the event.
type Request struct {
	// ARN is the methodArn (REST) or routeArn (HTTP API);
	// [ParseMethodARN] splits it.
	ARN string
	// Method is the HTTP method, such as "GET".
	Method string
	// Path is the request path, such as "/tenants/t1/orders".
	Path string
	// Route is the REST API resource, such as "/tenants/{tenant}/orders",
	// or the HTTP API route key, such as "GET /tenants/{tenant}/orders".
	Route string
	// PathParameters holds the values of the route's path parameters, such
	// as "tenant": "t1"; nil when the route has none.
	PathParameters map[string]string
	// SourceIP is the client's IP address as API Gateway saw it.
	SourceIP string
	// ClientCert is the PEM client certificate that API Gateway's mutual
	// TLS accepted, or "" without mutual TLS. API Gateway checked only
	// that it chains to the truststore and that the client holds its key;
	// [WithClientCert] checks revocation, usage and allow-lists too.
	ClientCert string
	// Event is the event itself, for anything else: an
	// events.APIGatewayCustomAuthorizerRequestTypeRequest (REST) or an
	// events.APIGatewayV2CustomAuthorizerV2Request (HTTP API).
	Event any

	headers     map[string]string
	multiHeader map[string][]string
	query       map[string]string
	multiQuery  map[string][]string
}

// Header returns the first value of the named header, matched
// case-insensitively (REST APIs keep the client's casing, HTTP APIs
// lowercase), or "" when it is absent. HTTP APIs join the values of a
// repeated header with commas.
func (r *Request) Header(name string) string { return header(r.headers, r.multiHeader, name) }

// Query returns the first value of the named query string parameter, or ""
// when it is absent. HTTP APIs join the values of a repeated parameter
// with commas.
func (r *Request) Query(name string) string {
	if v, ok := r.query[name]; ok {
		return v
	}
	if vs := r.multiQuery[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// restRequest is the Request of a REST API REQUEST authorizer event.
func restRequest(e *events.APIGatewayCustomAuthorizerRequestTypeRequest) *Request {
	return &Request{
		ARN:            e.MethodArn,
		Method:         e.HTTPMethod,
		Path:           e.Path,
		Route:          e.Resource,
		PathParameters: e.PathParameters,
		SourceIP:       e.RequestContext.Identity.SourceIP,
		ClientCert:     e.RequestContext.Identity.ClientCert.ClientCertPem,
		Event:          *e,
		headers:        e.Headers,
		multiHeader:    e.MultiValueHeaders,
		query:          e.QueryStringParameters,
		multiQuery:     e.MultiValueQueryStringParameters,
	}
}

// httpAPIRequest is the Request of an HTTP API Lambda authorizer event
// (payload format 2.0).
func httpAPIRequest(e *events.APIGatewayV2CustomAuthorizerV2Request) *Request {
	return &Request{
		ARN:            e.RouteArn,
		Method:         e.RequestContext.HTTP.Method,
		Path:           e.RequestContext.HTTP.Path,
		Route:          e.RouteKey,
		PathParameters: e.PathParameters,
		SourceIP:       e.RequestContext.HTTP.SourceIP,
		ClientCert:     e.RequestContext.Authentication.ClientCert.ClientCertPem,
		Event:          *e,
		headers:        e.Headers,
		query:          e.QueryStringParameters,
	}
}

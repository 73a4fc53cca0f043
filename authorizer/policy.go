package authorizer

import (
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/policy"
)

// Route is one API route a principal may call: an HTTP method (GET, POST,
// ... or "*" for any) and a resource path such as "/pets/123" ("*" matches
// any run of characters in API Gateway, slashes included). Wildcards need
// the explicit opt-in of [Policy.AllowWildcards] or [WithWildcardRoutes].
type Route struct {
	// Method is the HTTP method, such as "GET", or "*" for any.
	Method string
	// Resource is the path, with its leading slash, such as "/pets/123";
	// "*" matches any run of characters.
	Resource string
}

var httpMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "OPTIONS": true, "*": true,
}

// Policy builds the IAM policy of a Lambda authorizer response for the API
// stage of one method ARN. It allows only the routes it is given, and
// refuses wildcards unless AllowWildcards was called.
//
// API Gateway caches the policy per identity (the token) for the
// authorizer's TTL (300 s by default) and applies it to every route the
// identity calls in that time. A policy that allows only the route of the
// current request therefore denies the principal's next, different route
// until the cache expires. Give the principal's full route set, as
// [WithRoutes] does, or set the authorizer's TTL to 0.
//
// A Policy is not safe for concurrent use; build one per response.
type Policy struct {
	arn      MethodARN
	wildcard bool
	allow    []string
	denyAll  bool
}

// NewPolicy returns an empty policy for the API and stage of arn. An empty
// policy denies everything.
func NewPolicy(arn MethodARN) *Policy { return &Policy{arn: arn} }

// AllowWildcards permits "*" in later Allow calls. Wildcards widen access
// to routes that may be added to the API later; use them knowingly.
func (p *Policy) AllowWildcards() *Policy {
	p.wildcard = true
	return p
}

// Allow adds the routes to the allowed set. It fails with [ErrRoute] for an
// unknown method or a resource with spaces or missing leading slash, and
// with [ErrWildcard] for a wildcard without the opt-in.
func (p *Policy) Allow(routes ...Route) error {
	for _, r := range routes {
		m := strings.ToUpper(r.Method)
		if !httpMethods[m] || !strings.HasPrefix(r.Resource, "/") || strings.ContainsAny(r.Resource, " \t\r\n\"?#") {
			return fmt.Errorf("%w: %q", ErrRoute, r.Method+" "+r.Resource)
		}
		if !p.wildcard && (m == "*" || strings.Contains(r.Resource, "*")) {
			return fmt.Errorf("%w: %q", ErrWildcard, r.Method+" "+r.Resource)
		}
		p.allow = append(p.allow, p.arn.stageARN()+m+r.Resource)
	}
	return nil
}

// DenyAll makes the policy an explicit Deny of every route of the API
// stage. Denying is never a privilege escalation, so it needs no opt-in.
func (p *Policy) DenyAll() { p.denyAll = true }

// Document returns the policy document. It is an explicit Deny of the API
// stage when DenyAll was called or nothing was allowed.
func (p *Policy) Document() events.APIGatewayCustomAuthorizerPolicy {
	if p.denyAll || len(p.allow) == 0 {
		return policy.Document(policy.Deny, p.arn.stageARN()+"*")
	}
	return policy.Document(policy.Allow, p.allow...)
}

// routeOf returns the route of a method ARN, with the leading slash.
func routeOf(a MethodARN) Route { return Route{Method: a.Method, Resource: "/" + a.Resource} }

// matches reports whether route r (which may hold wildcards) covers the
// method and resource of a, as API Gateway matches policy resources.
func (r Route) matches(a MethodARN) bool {
	return globMatch(strings.ToUpper(r.Method), a.Method) && globMatch(r.Resource, "/"+a.Resource)
}

// globMatch matches s against pattern, where "*" matches any run of
// characters (slashes included) and "?" is literal.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

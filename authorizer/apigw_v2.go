package authorizer

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// HTTPAPISimple is the handler of an HTTP API Lambda authorizer with payload
// format 2.0 and simple responses. The token comes from the Authorization
// header, or from the source set by [WithTokenHeader], [WithTokenQuery] or
// [WithTokenCookie]. See [Authorizer] for the outcomes.
//
// A simple response has no policy: with [WithRoutes] it authorizes only
// when the request's route is in the set. HTTP API caches the answer per
// identity source, for every route; if the route set is not the same for
// all routes, disable authorizer caching or add $context.routeKey to the
// identity sources.
//
// HTTP APIs have no usage plans: with [WithUsageIdentifierKey] set,
// HTTPAPISimple fails every call with an error matching [ErrConfig] (a 500).
func (a *Authorizer) HTTPAPISimple(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	var none events.APIGatewayV2CustomAuthorizerSimpleResponse
	if a.httpAPIErr != nil {
		return none, a.httpAPIErr
	}
	var route *MethodARN
	if a.o.routes != nil {
		arn, err := ParseMethodARN(req.RouteArn)
		if err != nil {
			return none, err
		}
		route = &arn
	}
	d, err := a.decide(ctx, a.v2Token(&req), route, a.v2Request(&req))
	if err != nil {
		return none, err
	}
	if !d.allow {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	if a.o.routes != nil {
		// Validate the set as the policy handlers do (wildcard opt-in).
		if _, err := a.policy(d, *route); err != nil {
			return none, err
		}
		ok := false
		for _, r := range d.routes {
			if r.matches(*route) {
				ok = true
				break
			}
		}
		if !ok {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
		}
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: d.context}, nil
}

// HTTPAPIIAM is the handler of an HTTP API Lambda authorizer with payload
// format 2.0 and IAM policy responses. It behaves like [Authorizer.RESTToken]
// for the routeArn; the token source is as for [Authorizer.HTTPAPISimple].
// As there, [WithUsageIdentifierKey] makes every call fail with
// [ErrConfig], since HTTP APIs have no usage plans.
func (a *Authorizer) HTTPAPIIAM(ctx context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerIAMPolicyResponse, error) {
	var none events.APIGatewayV2CustomAuthorizerIAMPolicyResponse
	if a.httpAPIErr != nil {
		return none, a.httpAPIErr
	}
	arn, err := ParseMethodARN(req.RouteArn)
	if err != nil {
		return none, err
	}
	d, err := a.decide(ctx, a.v2Token(&req), &arn, a.v2Request(&req))
	if err != nil {
		return none, err
	}
	p, err := a.policy(d, arn)
	if err != nil {
		return none, err
	}
	return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{
		PrincipalID:    d.principal,
		PolicyDocument: p.Document(),
		Context:        d.context,
	}, nil
}

// v2Token reads the token from a payload 2.0 event.
func (a *Authorizer) v2Token(req *events.APIGatewayV2CustomAuthorizerV2Request) string {
	switch a.o.kind {
	case sourceQuery:
		return req.QueryStringParameters[a.o.name]
	case sourceCookie:
		return cookie(req.Cookies, a.o.name)
	}
	return bearer(header(req.Headers, nil, a.o.name))
}

// v2Request returns the Request of a payload 2.0 event when a rule needs
// it, and nil otherwise.
func (a *Authorizer) v2Request(req *events.APIGatewayV2CustomAuthorizerV2Request) *Request {
	if !a.needsRequest() {
		return nil
	}
	return httpAPIRequest(req)
}

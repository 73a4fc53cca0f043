package authorizer

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// RESTToken is the handler of a REST API TOKEN authorizer. The token is the
// authorizationToken, with any "Bearer " prefix removed: the authorizer's
// identity source in API Gateway chooses the header. See [Authorizer] for
// the outcomes.
//
// A TOKEN event has neither the request nor a choice of token source, so
// with a request rule ([WithRequestRule], [WithClientCert]) or a token
// source option ([WithTokenHeader], [WithTokenQuery], [WithTokenCookie])
// RESTToken fails every call with an error matching [ErrConfig] (a 500),
// before the token is read.
func (a *Authorizer) RESTToken(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	if a.restTokenErr != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, a.restTokenErr
	}
	return a.rest(ctx, bearer(req.AuthorizationToken), req.MethodArn, nil)
}

// RESTRequest is the handler of a REST API REQUEST authorizer. The token comes
// from the Authorization header, or from the source set by
// [WithTokenHeader], [WithTokenQuery] or [WithTokenCookie]. See
// [Authorizer] for the outcomes.
func (a *Authorizer) RESTRequest(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	var token string
	switch a.o.kind {
	case sourceHeader:
		token = bearer(header(req.Headers, req.MultiValueHeaders, a.o.name))
	case sourceQuery:
		token = req.QueryStringParameters[a.o.name]
		if token == "" && len(req.MultiValueQueryStringParameters[a.o.name]) > 0 {
			token = req.MultiValueQueryStringParameters[a.o.name][0]
		}
	case sourceCookie:
		var lines []string
		for k, vs := range req.MultiValueHeaders {
			if strings.EqualFold(k, "Cookie") {
				lines = append(lines, vs...)
			}
		}
		if len(lines) == 0 {
			lines = []string{header(req.Headers, nil, "Cookie")}
		}
		token = cookie(lines, a.o.name)
	}
	var r *Request
	if a.needsRequest() {
		r = restRequest(&req)
	}
	return a.rest(ctx, token, req.MethodArn, r)
}

func (a *Authorizer) rest(ctx context.Context, token, methodARN string, req *Request) (events.APIGatewayCustomAuthorizerResponse, error) {
	var none events.APIGatewayCustomAuthorizerResponse
	arn, err := ParseMethodARN(methodARN)
	if err != nil {
		return none, err
	}
	d, err := a.decide(ctx, token, &arn, req)
	if err != nil {
		return none, err
	}
	p, err := a.policy(d, arn)
	if err != nil {
		return none, err
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:        d.principal,
		PolicyDocument:     p.Document(),
		Context:            d.context,
		UsageIdentifierKey: d.usageKey,
	}, nil
}

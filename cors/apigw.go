package cors

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// RESTHandler is the handler signature for API Gateway REST API (v1
// payload) Lambda proxy integrations, accepted by lambda.Start.
type RESTHandler = func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// HTTPAPIHandler is the handler signature for API Gateway HTTP API (v2
// payload) Lambda integrations, accepted by lambda.Start.
type HTTPAPIHandler = func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// WrapREST returns h with CORS applied to API Gateway REST API (v1
// payload) events, as described at [CORS]. It reads request headers from
// MultiValueHeaders, falling back to Headers, matching names
// case-insensitively. It writes the CORS headers into both Headers and
// MultiValueHeaders of the response, with the same values, so whichever map
// the handler or a later middleware reads is right; API Gateway merges the
// two maps and keeps one copy of a header that appears in both.
//
// Do not also enable CORS on the API Gateway resource (its OPTIONS mock
// integration answers preflights before they reach the function).
func (c *CORS) WrapREST(h RESTHandler) RESTHandler {
	return func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		r, ok := c.read(req.HTTPMethod, req.Headers, req.MultiValueHeaders)
		if !ok {
			resp, err := h(ctx, req)
			if err != nil {
				return resp, err
			}
			d := c.noOrigin(&r)
			resp.Headers, resp.MultiValueHeaders = d.merge(resp.Headers, resp.MultiValueHeaders, toBoth)
			return resp, nil
		}
		d := c.decide(&r)
		if r.preflight() && !c.passthrough {
			var resp events.APIGatewayProxyResponse
			resp.StatusCode = c.status
			resp.Headers, resp.MultiValueHeaders = d.merge(nil, nil, toBoth)
			return resp, nil
		}
		resp, err := h(ctx, req)
		if err != nil {
			c.handlerError(ctx, err)
			resp = events.APIGatewayProxyResponse{
				StatusCode:        500,
				Headers:           map[string]string{"Content-Type": "application/json"},
				MultiValueHeaders: map[string][]string{"Content-Type": {"application/json"}},
				Body:              errorBody,
			}
		}
		resp.Headers, resp.MultiValueHeaders = d.merge(resp.Headers, resp.MultiValueHeaders, toBoth)
		return resp, nil
	}
}

// WrapHTTPAPI returns h with CORS applied to API Gateway HTTP API (v2
// payload) events, as described at [CORS]. It reads request headers from
// Headers (HTTP API lowercases their names and joins repeated headers with
// commas) and writes the CORS headers into the response's Headers.
//
// Do not also configure CORS on the HTTP API: API Gateway then answers
// preflights itself and overwrites the function's CORS headers.
func (c *CORS) WrapHTTPAPI(h HTTPAPIHandler) HTTPAPIHandler {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		r, ok := c.read(req.RequestContext.HTTP.Method, req.Headers, nil)
		if !ok {
			resp, err := h(ctx, req)
			if err != nil {
				return resp, err
			}
			d := c.noOrigin(&r)
			resp.Headers, resp.MultiValueHeaders = d.merge(resp.Headers, resp.MultiValueHeaders, toSingle)
			return resp, nil
		}
		d := c.decide(&r)
		if r.preflight() && !c.passthrough {
			var resp events.APIGatewayV2HTTPResponse
			resp.StatusCode = c.status
			resp.Headers, _ = d.merge(nil, nil, toSingle)
			return resp, nil
		}
		resp, err := h(ctx, req)
		if err != nil {
			c.handlerError(ctx, err)
			resp = events.APIGatewayV2HTTPResponse{
				StatusCode: 500,
				Headers:    map[string]string{"Content-Type": "application/json"},
				Body:       errorBody,
			}
		}
		resp.Headers, resp.MultiValueHeaders = d.merge(resp.Headers, resp.MultiValueHeaders, toSingle)
		return resp, nil
	}
}

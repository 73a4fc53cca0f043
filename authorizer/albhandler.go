package authorizer

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ALBHandler is the handler signature for Application Load Balancer Lambda
// targets, accepted by lambda.Start. It is the same type as
// cors.ALBHandler, so the wrappers of both packages compose.
type ALBHandler = func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error)

// claimsKey is the context key of the claims that [ALBVerifier.WrapALB]
// verified.
type claimsKey struct{}

// ClaimsFromContext returns the claims that [ALBVerifier.WrapALB] verified
// for the current request, and whether there are any.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}

// WrapALB returns h behind a check of the x-amzn-oidc-data header
// ([ALBHeader]) of each ALB target event, found case-insensitively in
// headers or multiValueHeaders, whichever the target group sends. h runs
// only for a token that [ALBVerifier.Verify] accepts, and finds its claims
// with [ClaimsFromContext]. Otherwise the wrapper answers itself, in
// Headers or MultiValueHeaders to match the request, with a JSON body
// that never says why:
//   - missing, repeated or rejected token: 401 {"message":"Unauthorized"};
//   - the load balancer's keys cannot be fetched ([ErrUnavailable]): 503
//     {"message":"Service Unavailable"}, so that clients retry;
//   - any other error: 500 {"message":"Internal Server Error"}.
//
// Compose it with cors.WrapALB outside, so that CORS headers go on these
// answers too: c.WrapALB(v.WrapALB(h)). A listener in mutual TLS verify
// mode adds the client certificate, which h reads with mtls's
// Validator.FromALB.
//
// A 401 is the right answer only when the function can be invoked other
// than through a listener rule with an authenticate action; behind one,
// a request without a valid token means a misconfiguration, and the
// wrapper fails closed all the same.
func (v *ALBVerifier) WrapALB(h ALBHandler) ALBHandler {
	return func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		token, ok := albToken(req)
		if !ok {
			return albError(req, 401), nil
		}
		c, err := v.Verify(ctx, token)
		switch {
		case err == nil:
			return h(context.WithValue(ctx, claimsKey{}, c), req)
		case errors.Is(err, ErrUnavailable):
			return albError(req, 503), nil
		case errors.Is(err, ErrUnauthorized):
			return albError(req, 401), nil
		}
		return albError(req, 500), nil
	}
}

// albToken returns the single x-amzn-oidc-data value, or false when it
// appears more than once, in either map or both (a repeated header is
// refused, never resolved).
func albToken(req events.ALBTargetGroupRequest) (string, bool) {
	var vals []string
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, ALBHeader) {
			vals = append(vals, vs...)
		}
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, ALBHeader) {
			vals = append(vals, v)
		}
	}
	switch len(vals) {
	case 0:
		return "", true // Verify answers ErrMissingToken
	case 1:
		return vals[0], true
	}
	return "", false
}

// albError is the wrapper's own answer with status 401, 503 or 500.
func albError(req events.ALBTargetGroupRequest, status int) events.ALBTargetGroupResponse {
	text := map[int]string{401: "Unauthorized", 503: "Service Unavailable", 500: "Internal Server Error"}[status]
	resp := events.ALBTargetGroupResponse{
		StatusCode:        status,
		StatusDescription: strconv.Itoa(status) + " " + text,
		Body:              `{"message":"` + text + `"}`,
	}
	// As in cors.WrapALB: a request with multi-value headers means the
	// target group reads only the response's MultiValueHeaders.
	if len(req.MultiValueHeaders) > 0 {
		resp.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
	} else {
		resp.Headers = map[string]string{"Content-Type": "application/json"}
	}
	return resp
}

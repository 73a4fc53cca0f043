package cors

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// ALBHandler is the handler signature for Application Load Balancer Lambda
// targets, accepted by lambda.Start.
type ALBHandler = func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error)

// WrapALB returns h with CORS applied to Application Load Balancer events,
// as described at [CORS]. The target group's multi-value headers setting
// decides where headers live: when it is on, the request carries
// MultiValueHeaders and the load balancer reads only the response's
// MultiValueHeaders, so the CORS headers go there; when it is off, they go
// into Headers. The wrapper tells the two modes apart by whether the
// request has MultiValueHeaders. Responses it builds itself carry a
// StatusDescription such as "204 No Content".
func (c *CORS) WrapALB(h ALBHandler) ALBHandler {
	return func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		to := toSingle
		if len(req.MultiValueHeaders) > 0 {
			to = toMulti
		}
		r, ok := c.read(req.HTTPMethod, req.Headers, req.MultiValueHeaders)
		if !ok {
			resp, err := h(ctx, req)
			if err != nil {
				return resp, err
			}
			d := c.noOrigin(&r)
			resp.Headers, resp.MultiValueHeaders = d.merge(resp.Headers, resp.MultiValueHeaders, to)
			return resp, nil
		}
		d := c.decide(&r)
		if r.preflight() && !c.passthrough {
			var resp events.ALBTargetGroupResponse
			resp.StatusCode, resp.StatusDescription = c.status, c.statusText
			resp.Headers, resp.MultiValueHeaders = d.merge(nil, nil, to)
			return resp, nil
		}
		resp, err := h(ctx, req)
		if err != nil {
			c.handlerError(ctx, err)
			resp = events.ALBTargetGroupResponse{
				StatusCode:        500,
				StatusDescription: "500 Internal Server Error",
				Body:              errorBody,
			}
			if to == toMulti {
				resp.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
			} else {
				resp.Headers = map[string]string{"Content-Type": "application/json"}
			}
		}
		resp.Headers, resp.MultiValueHeaders = d.merge(resp.Headers, resp.MultiValueHeaders, to)
		return resp, nil
	}
}

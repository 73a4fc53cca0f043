// Command alb-target is an Application Load Balancer Lambda target behind
// a listener rule whose authenticate-cognito action signs the user's
// claims into the x-amzn-oidc-data header.
//
// authorizer.ALBVerifier.WrapALB verifies that header (ES256, the signer
// must be ALB_ARN, the issuer ALB_ISSUER, the client ALB_CLIENT_ID) before
// the handler runs, and cors.WrapALB answers preflights from
// ALLOWED_ORIGIN and adds the CORS headers to every answer. A missing or
// bad token gets 401, an outage of the load balancer's key endpoint 503;
// a valid token reaches the handler, which answers GET /me with the
// verified subject and email as JSON.
//
// Environment: ALB_ARN, ALB_ISSUER, ALB_CLIENT_ID, ALLOWED_ORIGIN, and for
// local tests only ALB_KEY_ENDPOINT (a loopback URL; the verifier refuses
// any other).
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/cors"
	"github.com/seclambda/seclambda/redact"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	h, err := newHandler(os.Getenv)
	if err != nil {
		// Lambda reports the failed init and retries it on the next
		// invocation; nothing is served meanwhile.
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

func newHandler(getenv func(string) string) (cors.ALBHandler, error) {
	v, err := authorizer.NewALBVerifier(authorizer.ALBConfig{
		LoadBalancerARN: getenv("ALB_ARN"),
		Issuer:          getenv("ALB_ISSUER"),
		ClientID:        getenv("ALB_CLIENT_ID"),
		KeyEndpoint:     getenv("ALB_KEY_ENDPOINT"),
	})
	if err != nil {
		return nil, err
	}
	c, err := cors.New(cors.Options{
		AllowedOrigins:   []string{getenv("ALLOWED_ORIGIN")},
		AllowCredentials: true, // the load balancer's session cookie
	})
	if err != nil {
		return nil, err
	}
	return c.WrapALB(v.WrapALB(me)), nil
}

// me answers GET /me with the verified user.
func me(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	if req.HTTPMethod != "GET" || req.Path != "/me" {
		return respond(req, 404, map[string]string{"message": "Not Found"}), nil
	}
	c, _ := authorizer.ClaimsFromContext(ctx) // always there behind WrapALB
	email, _ := c.Raw["email"].(string)
	return respond(req, 200, map[string]string{"sub": c.Subject, "email": email}), nil
}

// respond builds a JSON answer, its headers where the target group reads
// them.
func respond(req events.ALBTargetGroupRequest, status int, body any) events.ALBTargetGroupResponse {
	b, _ := json.Marshal(body) // a map of strings always marshals
	resp := events.ALBTargetGroupResponse{StatusCode: status, StatusDescription: statusText[status], Body: string(b)}
	if len(req.MultiValueHeaders) > 0 {
		resp.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
	} else {
		resp.Headers = map[string]string{"Content-Type": "application/json"}
	}
	return resp
}

var statusText = map[int]string{200: "200 OK", 404: "404 Not Found"}

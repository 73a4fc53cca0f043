package authorizer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/cors"
)

// The verifier of an Application Load Balancer with an
// authenticate-cognito action: the load balancer's ARN, the user pool's
// issuer and the app client are all required. Keys come from the
// region's endpoint at the first token of each kid.
func ExampleNewALBVerifier() {
	v, err := authorizer.NewALBVerifier(authorizer.ALBConfig{
		LoadBalancerARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
		Issuer:          "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
		ClientID:        "1example23456789",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.LoadBalancerARN())

	_, err = authorizer.NewALBVerifier(authorizer.ALBConfig{
		LoadBalancerARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
		Issuer:          "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
	})
	fmt.Println(err)
	// Output:
	// arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188
	// authorizer: invalid configuration: ALB verifier needs ClientID (or InsecureAnyClientID)
}

// An ALB target: the wrapper verifies x-amzn-oidc-data and the handler
// reads the claims from the context; cors.WrapALB goes outside. The
// authorizertest ALB stands in for the load balancer.
func ExampleALBVerifier_WrapALB() {
	lb := authorizertest.NewALB()
	defer lb.Close()
	v, err := authorizer.NewALBVerifier(lb.Config())
	if err != nil {
		log.Fatal(err)
	}
	c, err := cors.New(cors.Options{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	h := c.WrapALB(v.WrapALB(func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		claims, _ := authorizer.ClaimsFromContext(ctx)
		return events.ALBTargetGroupResponse{StatusCode: 200, Body: "hello " + claims.Username}, nil
	}))
	// lambda.Start(h)

	tok, err := lb.Sign(authorizertest.ALBClaims("user-1", "alice", "alice@example.com"), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, token := range []string{tok, ""} {
		resp, _ := h(context.Background(), lb.Event("GET", "/", token, false))
		fmt.Println(resp.StatusCode, resp.Body)
	}
	// Output:
	// 200 hello alice
	// 401 {"message":"Unauthorized"}
}

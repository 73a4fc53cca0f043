// Command hello is the bare aws-lambda-go function that seclambda's
// benchmarks compare cold starts against: it links nothing but the runtime
// client and answers an HTTP API event with a fixed greeting.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "text/plain"},
		Body:       "hello",
	}, nil
}

func main() { lambda.Start(handle) }

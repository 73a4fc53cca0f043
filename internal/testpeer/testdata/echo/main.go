// Command echo is the smallest Lambda function: it returns the event it was
// sent, with the function name and one environment variable beside it, so
// that the harness can show that aws-lambda-rie runs real binaries.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type reply struct {
	Event        json.RawMessage `json:"event"`
	FunctionName string          `json:"functionName"`
	RequestID    string          `json:"requestId"`
	Greeting     string          `json:"greeting"`
}

func handle(ctx context.Context, event json.RawMessage) (reply, error) {
	r := reply{
		Event:        event,
		FunctionName: lambdacontext.FunctionName,
		Greeting:     os.Getenv("ECHO_GREETING"),
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.RequestID = lc.AwsRequestID
	}
	fmt.Println("echo: handled one event")
	return r, nil
}

func main() { lambda.Start(handle) }

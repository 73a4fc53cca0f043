// Command hellosdk is the cold-start baseline for functions that use the AWS
// SDK: examples/hello plus what a function that decrypts its configuration
// by hand links and runs at init, aws-sdk-go-v2's config.LoadDefaultConfig
// and a KMS client. When HELLO_KMS_CIPHERTEXT is set, it also decrypts
// that base64 ciphertext at init, with the encryption context
// LambdaFunctionName=<this function>, as the Lambda console's encryption
// helpers do.
package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func handle(_ context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "text/plain"},
		Body:       "hello",
	}, nil
}

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "init failed: aws config:", err)
		os.Exit(1)
	}
	client := kms.NewFromConfig(cfg)
	if ct := os.Getenv("HELLO_KMS_CIPHERTEXT"); ct != "" {
		blob, err := base64.StdEncoding.DecodeString(ct)
		if err == nil {
			_, err = client.Decrypt(ctx, &kms.DecryptInput{
				CiphertextBlob:    blob,
				EncryptionContext: map[string]string{"LambdaFunctionName": os.Getenv("AWS_LAMBDA_FUNCTION_NAME")},
			})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "init failed: decrypt HELLO_KMS_CIPHERTEXT:", err)
			os.Exit(1)
		}
	}
	lambda.Start(handle)
}

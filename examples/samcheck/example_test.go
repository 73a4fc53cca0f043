package samcheck_test

import (
	"fmt"

	"github.com/seclambda/seclambda/examples/samcheck"
)

func ExampleCheck() {
	tmpl := `
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Runtime: provided.al2023
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: "*"
`
	findings, err := samcheck.Check([]byte(tmpl), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// Worker: wildcard-action: Policies[0] allows the wildcard action "s3:*"; list the actions the function needs
	// Worker: wildcard-resource: Policies[0] allows s3:* on Resource "*"; name the resources
}

func ExampleOptions_includeSuppressed() {
	tmpl := `
Resources:
  Health:
    Type: AWS::Serverless::Function
    Metadata:
      samcheck:
        suppress:
          - rule: open-route
            reason: public health check; returns no data
    Properties:
      Handler: bootstrap
      Runtime: provided.al2023
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: /health, Method: GET}
`
	findings, err := samcheck.Check([]byte(tmpl), &samcheck.Options{IncludeSuppressed: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings {
		fmt.Printf("line %d: %s\n", f.Line, f)
	}
	// Output:
	// line 3: Health: open-route: HttpApi event Get (GET /health) has no authorizer and no IAM: anyone on the internet can call it (suppressed: public health check; returns no data)
}

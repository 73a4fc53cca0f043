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

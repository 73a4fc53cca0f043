// Package policy builds the IAM policy documents of API Gateway Lambda
// authorizer responses. It is the one builder behind the public
// authorizer.Policy and the certificate-only handlers of mtls, so that both
// write the same document.
package policy

import "github.com/aws/aws-lambda-go/events"

// Effects of a statement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Document returns a policy document of one statement that gives effect to
// execute-api:Invoke on resources (method or route ARNs, which may end in
// "*"). The slice is copied.
func Document(effect string, resources ...string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version: "2012-10-17",
		Statement: []events.IAMPolicyStatement{{
			Action:   []string{"execute-api:Invoke"},
			Effect:   effect,
			Resource: append([]string(nil), resources...),
		}},
	}
}

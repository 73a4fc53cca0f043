package mtls

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
)

// DeniedPrincipal is the principalId of the Deny responses that
// [Validator.Authorize] returns.
const DeniedPrincipal = "unauthenticated"

// Authorize is a complete REST API REQUEST authorizer that authenticates the
// caller by client certificate alone:
//
//	lambda.Start(validator.Authorize)
//
// A valid certificate gets an Allow policy for the request's methodArn, with
// [Identity.Principal] as principalId and [Identity.AuthorizerContext] as
// context (the integration reads it as $context.authorizer.mtlsSubject and
// so on). A rejected certificate, or none ([ErrRejected]), gets a Deny
// policy (API Gateway answers 403) and a nil error, so the reason stays
// private. When the revocation data is unusable ([ErrUnavailable]) it
// returns the error, which API Gateway answers with 500 and does not cache.
//
// The policy covers the exact methodArn only. If the authorizer's result is
// cached (authorizer TTL), make $context.identity.clientCert.clientCertPem
// part of the identity source, or one client's Allow is reused for another.
//
// To combine the certificate with other credentials (a JWT, an API key), call
// [Validator.FromRequestAuthorizer] from your own authorizer and build the
// response with [AllowPolicy] and [DenyPolicy].
func (v *Validator) Authorize(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	id, err := v.FromRequestAuthorizer(req)
	if err != nil {
		if errors.Is(err, ErrRejected) {
			return DenyPolicy(req.MethodArn, DeniedPrincipal), nil
		}
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	return AllowPolicy(req.MethodArn, id.Principal(), id.AuthorizerContext()), nil
}

// AllowPolicy returns an authorizer response that allows principalID to
// invoke methodArn (and nothing else), with context passed to the
// integration. context values must be strings, numbers or booleans.
func AllowPolicy(methodArn, principalID string, context map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return policy("Allow", methodArn, principalID, context)
}

// DenyPolicy returns an authorizer response that denies principalID the
// invocation of methodArn; API Gateway answers the request with 403.
func DenyPolicy(methodArn, principalID string) events.APIGatewayCustomAuthorizerResponse {
	return policy("Deny", methodArn, principalID, nil)
}

func policy(effect, methodArn, principalID string, context map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principalID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{methodArn},
			}},
		},
		Context: context,
	}
}

package mtls

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/policy"
)

// DeniedPrincipal is the principalId of the Deny responses that
// [Validator.RESTRequest] and [Validator.HTTPAPIIAM] return.
const DeniedPrincipal = "unauthenticated"

// RESTRequest is a complete REST API REQUEST authorizer that authenticates
// the caller by client certificate alone:
//
//	lambda.Start(validator.RESTRequest)
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
// To require a JWT as well, use this validator in an authorizer of the
// authorizer package, with
// [github.com/seclambda/seclambda/authorizer.WithClientCert], which keeps
// these outcomes; for other combinations, call [Validator.FromRESTRequest]
// from an authorizer of your own.
func (v *Validator) RESTRequest(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	id, err := v.FromRESTRequest(req)
	if err != nil {
		if errors.Is(err, ErrRejected) {
			return response(policy.Deny, req.MethodArn, DeniedPrincipal, nil), nil
		}
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	return response(policy.Allow, req.MethodArn, id.Principal(), id.AuthorizerContext()), nil
}

// HTTPAPISimple is a complete HTTP API Lambda authorizer (payload format
// 2.0, simple responses enabled) that authenticates the caller by client
// certificate alone:
//
//	lambda.Start(validator.HTTPAPISimple)
//
// A valid certificate gets isAuthorized true with
// [Identity.AuthorizerContext] as context (the integration reads it as
// $context.authorizer.mtlsSubject and so on). A rejected certificate, or
// none ([ErrRejected]), gets isAuthorized false (API Gateway answers 403)
// and a nil error, so the reason stays private. When the revocation data is
// unusable ([ErrUnavailable]) it returns the error, which API Gateway
// answers with 500.
//
// A simple response holds for every route of the API. If the authorizer's
// result is cached, the identity sources must tell clients apart, or one
// client's answer is reused for another: with no identity source that
// carries the certificate, turn authorizer caching off.
//
// To require a JWT as well, see
// [github.com/seclambda/seclambda/authorizer.WithClientCert]; for other
// combinations, call [Validator.FromHTTPAPIRequest] from an authorizer of
// your own.
func (v *Validator) HTTPAPISimple(_ context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	id, err := v.FromHTTPAPIRequest(req)
	if err != nil {
		if errors.Is(err, ErrRejected) {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
		}
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{}, err
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: id.AuthorizerContext()}, nil
}

// HTTPAPIIAM is a complete HTTP API Lambda authorizer (payload format 2.0,
// IAM policy responses) that authenticates the caller by client certificate
// alone:
//
//	lambda.Start(validator.HTTPAPIIAM)
//
// It answers as [Validator.RESTRequest] does, for the request's routeArn: an
// Allow policy for that route only, with [Identity.Principal] as
// principalId and [Identity.AuthorizerContext] as context; a Deny policy
// with [DeniedPrincipal] and a nil error for a rejected certificate or none;
// the error itself when the revocation data is unusable. The caching
// advice of [Validator.HTTPAPISimple] applies.
func (v *Validator) HTTPAPIIAM(_ context.Context, req events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerIAMPolicyResponse, error) {
	id, err := v.FromHTTPAPIRequest(req)
	var resp events.APIGatewayCustomAuthorizerResponse
	switch {
	case errors.Is(err, ErrRejected):
		resp = response(policy.Deny, req.RouteArn, DeniedPrincipal, nil)
	case err != nil:
		return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{}, err
	default:
		resp = response(policy.Allow, req.RouteArn, id.Principal(), id.AuthorizerContext())
	}
	return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{
		PrincipalID:    resp.PrincipalID,
		PolicyDocument: resp.PolicyDocument,
		Context:        resp.Context,
	}, nil
}

// response returns an authorizer response that gives effect to principalID
// on the single method or route ARN arn.
func response(effect, arn, principalID string, context map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    principalID,
		PolicyDocument: policy.Document(effect, arn),
		Context:        context,
	}
}

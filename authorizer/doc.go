// Package authorizer verifies JWTs from Amazon Cognito user pools and any
// OIDC issuer, and turns them into API Gateway Lambda authorizer responses
// that fail closed: REST TOKEN and REQUEST authorizers and HTTP API
// authorizers, with least-privilege policies, usage-plan keys and readers for
// IAM and Cognito-identity callers.
package authorizer

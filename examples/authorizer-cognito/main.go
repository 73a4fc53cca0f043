// Command authorizer-cognito is a REST API TOKEN authorizer for Amazon
// Cognito user pool tokens.
//
// It verifies the bearer token with authorizer.NewCognitoVerifier, requires
// one of ALLOWED_GROUPS, answers with a policy that allows every route in
// API_ROUTES (so that API Gateway's cached policy stays right for all of the
// principal's routes) and names the principal's usage-plan API key, if its
// group has one (without one, API Gateway answers 403 on methods that
// require a key). A bad or missing token gets 401, a valid token that breaks
// a rule an explicit Deny (403), and a JWKS outage a 500: never an Allow.
//
// Environment: COGNITO_USER_POOL_ID, COGNITO_CLIENT_IDS, COGNITO_TOKEN_USE,
// ALLOWED_GROUPS, API_ROUTES, USAGE_KEY_BY_GROUP; see internal/authenv.
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/examples/internal/authenv"
	"github.com/seclambda/seclambda/redact"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	h, err := newHandler(authenv.Getenv(os.Getenv), log)
	if err != nil {
		// Lambda reports the failed init and retries it on the next
		// invocation; nothing is allowed meanwhile.
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

type handler func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error)

func newHandler(env authenv.Getenv, log *slog.Logger) (handler, error) {
	cfg, err := env.Cognito()
	if err != nil {
		return nil, err
	}
	routes, err := env.Routes()
	if err != nil {
		return nil, err
	}
	keys, err := env.UsageKeys()
	if err != nil {
		return nil, err
	}
	v, err := authorizer.NewCognitoVerifier(cfg)
	if err != nil {
		return nil, err
	}
	opts := []authorizer.Option{
		authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) {
			return routes, nil
		}),
		// The reason names the claim or rule, never the token; the client
		// is told nothing.
		authorizer.WithOnReject(func(ctx context.Context, reason error) {
			log.InfoContext(ctx, "rejected", "reason", reason)
		}),
	}
	if len(keys) > 0 {
		opts = append(opts, authorizer.WithUsageIdentifierKey(authenv.UsageKey(keys)))
	}
	a, err := authorizer.New(v, opts...)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		resp, err := a.RESTToken(ctx, req)
		// The log never sees the token: the request is not logged, and
		// the authorizer's errors name claims, not values.
		switch {
		case errors.Is(err, authorizer.ErrUnauthorized):
			// WithOnReject has logged the reason.
		case err != nil:
			log.ErrorContext(ctx, "authorizer unavailable", "err", err)
		default:
			log.InfoContext(ctx, "decision", "principal", resp.PrincipalID, "effect", effect(resp))
		}
		return resp, err
	}, nil
}

func effect(r events.APIGatewayCustomAuthorizerResponse) string {
	for _, s := range r.PolicyDocument.Statement {
		if s.Effect == "Deny" {
			return "Deny"
		}
	}
	return "Allow"
}

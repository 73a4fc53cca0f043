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
// Environment (read with secenv into config, see config.go):
// COGNITO_USER_POOL_ID, COGNITO_CLIENT_IDS, COGNITO_TOKEN_USE,
// ALLOWED_GROUPS, API_ROUTES, USAGE_KEY_BY_GROUP, and COGNITO_ISSUER with
// ALLOW_HTTP_LOOPBACK_ISSUER for local pools.
//
// handler_test.go tests the handler without AWS, on an
// authorizer/authorizertest issuer: the pattern for a function of yours.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/redact"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	cfg, err := loadConfig(context.Background(), os.LookupEnv)
	var h handler
	if err == nil {
		h, err = newHandler(cfg, nil, log)
	}
	if err != nil {
		// Lambda reports the failed init and retries it on the next
		// invocation; nothing is allowed meanwhile.
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

type handler func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error)

// newHandler builds the authorizer from cfg. client fetches the pool's keys;
// nil means a default client.
func newHandler(cfg config, client *http.Client, log *slog.Logger) (handler, error) {
	cc := cfg.cognito()
	cc.HTTPClient = client
	v, err := authorizer.NewCognitoVerifier(cc)
	if err != nil {
		return nil, err
	}
	routes := cfg.routes()
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
	if len(cfg.UsageKeys) > 0 {
		opts = append(opts, authorizer.WithUsageIdentifierKey(cfg.usageKey))
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

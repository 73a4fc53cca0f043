// Command iam-caller is a REST API (payload 1.0) function that tells each
// caller who API Gateway says they are. It has one route per access-control
// method of the examples' template:
//
//	GET /whoami   AWS_IAM: the SigV4 signer; for Cognito identity pool
//	              (federated) credentials, the identity ID, the pool and
//	              the login provider
//	GET /profile  Cognito user pool authorizer: the token's claims
//	GET /device   Lambda REQUEST authorizer (client certificate + JWT)
//	GET /token    Lambda TOKEN authorizer
//
// On the last two, authorizer.ClaimsFromEvent reads the context that the
// authorizer package's Authorizer wrote, so the backend parses nothing by
// hand.
//
// It trusts these fields only because API Gateway sets them after its own
// checks; a route that arrives without the identity its method promises gets
// 403, never a default.
//
// Environment: ALLOWED_ORIGIN (optional), the browser origin allowed by CORS.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/cors"
	"github.com/seclambda/seclambda/redact"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	h := handler(log)
	if origin := os.Getenv("ALLOWED_ORIGIN"); origin != "" {
		c, err := cors.New(cors.Options{
			AllowedOrigins: []string{origin},
			AllowedMethods: []string{http.MethodGet},
			AllowedHeaders: []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Api-Key"},
			MaxAge:         600,
		})
		if err != nil {
			log.Error("init failed", "err", err)
			os.Exit(1)
		}
		h = c.WrapREST(h)
	}
	lambda.Start(h)
}

// errNoIdentity means the route's access control did not run: the
// function is deployed behind the wrong authorizer.
var errNoIdentity = errors.New("iam-caller: the request carries no identity for this route")

func handler(log *slog.Logger) cors.RESTHandler {
	return func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		var body any
		var err error
		switch req.HTTPMethod + " " + req.Resource {
		case "GET /whoami":
			body, err = whoami(req)
		case "GET /profile":
			body, err = profile(req)
		case "GET /device", "GET /token":
			body, err = fromAuthorizer(req)
		default:
			return respond(http.StatusNotFound, map[string]string{"message": "Not Found"}), nil
		}
		if err != nil {
			log.WarnContext(ctx, "no identity", "route", req.Resource, "err", err)
			return respond(http.StatusForbidden, map[string]string{"message": "Forbidden"}), nil
		}
		log.InfoContext(ctx, "caller", "route", req.Resource)
		return respond(http.StatusOK, body), nil
	}
}

// identity is the answer: which method authenticated the caller, and who
// the caller is.
type identity struct {
	Method    string            `json:"method"`
	Principal string            `json:"principal"`
	Details   map[string]string `json:"details,omitempty"`
	Groups    []string          `json:"groups,omitempty"`
	Provider  *provider         `json:"provider,omitempty"`
}

type provider struct {
	Name       string `json:"name"`
	UserPoolID string `json:"userPoolId,omitempty"`
	Sub        string `json:"sub,omitempty"`
	ID         string `json:"id,omitempty"`
}

func whoami(req events.APIGatewayProxyRequest) (identity, error) {
	c, err := authorizer.CallerFromEvent(req)
	if err != nil {
		return identity{}, fmt.Errorf("%w: %w", errNoIdentity, err)
	}
	id := identity{
		Method:    "iam",
		Principal: c.UserARN,
		Details: map[string]string{
			"accountId": c.AccountID,
			"callerId":  c.CallerID,
		},
	}
	if c.CognitoIdentityID != "" {
		id.Method = "cognito-identity"
		id.Principal = c.CognitoIdentityID
		id.Details["identityPoolId"] = c.CognitoIdentityPoolID
		id.Details["authenticationType"] = c.CognitoAuthenticationType
		if p := c.Provider; p != nil {
			id.Provider = &provider{Name: p.Provider, UserPoolID: p.UserPoolID, Sub: p.Sub, ID: p.ID}
		}
	}
	return id, nil
}

func profile(req events.APIGatewayProxyRequest) (identity, error) {
	c, err := authorizer.ClaimsFromEvent(req)
	if err != nil {
		return identity{}, fmt.Errorf("%w: %w", errNoIdentity, err)
	}
	return identity{
		Method:    "cognito-user-pool",
		Principal: c.Subject,
		Details:   map[string]string{"username": c.Username, "tokenUse": c.TokenUse},
		Groups:    c.Groups,
	}, nil
}

// fromAuthorizer reports what a Lambda authorizer of the authorizer
// package put into the request context: the principal and groups that
// ClaimsFromEvent reads back, and the other context values it chose to
// pass on (the certificate's, on /device).
func fromAuthorizer(req events.APIGatewayProxyRequest) (identity, error) {
	c, err := authorizer.ClaimsFromEvent(req)
	if err != nil {
		return identity{}, fmt.Errorf("%w: %w", errNoIdentity, err)
	}
	id := identity{Method: "lambda-authorizer", Principal: c.Subject, Details: map[string]string{}, Groups: c.Groups}
	if c.Username != "" {
		id.Details["username"] = c.Username
	}
	for k, v := range c.Raw {
		if s, ok := v.(string); ok && strings.HasPrefix(k, "mtls") {
			id.Details[k] = s
		}
	}
	return id, nil
}

func respond(status int, body any) events.APIGatewayProxyResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"Internal Server Error"}`)
	}
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

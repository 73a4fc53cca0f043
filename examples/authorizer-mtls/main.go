// Command authorizer-mtls is a REST API REQUEST authorizer for the mTLS
// custom domain. It requires two proofs and maps both to one principal:
//
//   - the client certificate that API Gateway's mutual TLS accepted, checked
//     again by mtls against the trust store, the CAs' current CRLs (which
//     API Gateway does not check) and the clientAuth usage;
//   - a Cognito access token in the Authorization header, checked by
//     authorizer, whose username must equal the certificate's common name,
//     so that a stolen token is useless without the user's device and a
//     device certificate is useless without its user's sign-in.
//
// It is one authorizer.Authorizer with authorizer.WithClientCert, which
// maps every outcome: a bad or missing token 401, then a bad, missing or
// foreign certificate an explicit Deny (403), and missing or stale CRLs a
// 500: never an Allow. The policy allows every
// route in API_ROUTES; the template keeps authorizer caching off for this
// authorizer, because a cached policy would be reused for another
// certificate presented with the same token.
//
// It names the usage-plan API key of the user's group (USAGE_KEY_BY_GROUP),
// like authorizer-cognito.
//
// Environment (read with secenv into config, see config.go):
// TRUSTSTORE_FILE (PEM bundle shipped with the function, truststore.pem by
// default), CRL_URL (https; fetched at cold start and every CRL_REFRESH, 5m
// by default), USAGE_KEY_BY_GROUP, API_ROUTES and the Cognito settings
// COGNITO_USER_POOL_ID, COGNITO_CLIENT_IDS, COGNITO_TOKEN_USE and
// ALLOWED_GROUPS (COGNITO_ISSUER with ALLOW_HTTP_LOOPBACK_ISSUER for local
// pools).
//
// handler_test.go tests the handler without AWS, with an mtls/mtlstest PKI
// and an authorizer/authorizertest issuer: the pattern for a function of
// yours.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/redact"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	cfg, err := loadConfig(context.Background(), os.LookupEnv)
	var h *handler
	if err == nil {
		h, err = newHandler(cfg, log, http.DefaultClient, nil)
	}
	if err != nil {
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h.authorize)
}

type handler struct {
	certs   *mtls.Validator
	authz   *authorizer.Authorizer
	log     *slog.Logger
	refresh time.Duration

	mu   sync.Mutex
	next time.Time // when the CRLs may be fetched again
}

// maxCRL bounds the CRL download.
const maxCRL = 4 << 20

// crlRetry is how long a failed CRL fetch waits before the next attempt.
const crlRetry = 30 * time.Second

// newHandler builds the authorizer from cfg. client fetches the CRLs;
// cognitoClient fetches the pool's keys, nil meaning a default client.
func newHandler(cfg config, log *slog.Logger, client, cognitoClient *http.Client) (*handler, error) {
	pem, err := os.ReadFile(cfg.trustStorePath())
	if err != nil {
		return nil, fmt.Errorf("TRUSTSTORE_FILE: %w", err)
	}
	crlURL := cfg.CRLURL.String()
	certs, err := mtls.NewValidator(mtls.Config{
		TrustStore: pem,
		CRLLoader:  func(ctx context.Context) ([][]byte, error) { return fetchCRLs(ctx, client, crlURL) },
		// The binding to the token's username below is the allow-list:
		// any certificate of the trust store's CAs, for its own user.
		AllowAny: true,
	})
	if err != nil {
		return nil, fmt.Errorf("TRUSTSTORE_FILE: %w", err)
	}
	cc := cfg.cognito()
	cc.HTTPClient = cognitoClient
	v, err := authorizer.NewCognitoVerifier(cc)
	if err != nil {
		return nil, err
	}
	routes := cfg.routes()
	h := &handler{certs: certs, log: log, refresh: cfg.CRLRefresh}
	h.authz, err = authorizer.New(v,
		authorizer.WithUsageIdentifierKey(cfg.usageKey),
		authorizer.WithTokenHeader("Authorization"),
		authorizer.WithRoutes(func(context.Context, *authorizer.Claims) ([]authorizer.Route, error) { return routes, nil }),
		authorizer.WithClientCert(certs, sameUser),
		authorizer.WithOnReject(func(ctx context.Context, reason error) {
			log.InfoContext(ctx, "rejected", "reason", reason)
		}),
	)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// sameUser binds the certificate to the token: its common name must be the
// token's username.
func sameUser(_ context.Context, id *mtls.Identity, c *authorizer.Claims) error {
	if c.Username == "" || !strings.EqualFold(id.CommonName, c.Username) {
		return errors.New("certificate common name does not match the token's username")
	}
	return nil
}

// authorize refreshes the CRLs when they are due and lets the Authorizer
// decide; its answer, error included, goes to API Gateway unchanged.
func (h *handler) authorize(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	h.reloadCRLs(ctx)
	resp, err := h.authz.RESTRequest(ctx, req)
	if err != nil && !errors.Is(err, authorizer.ErrUnauthorized) {
		h.log.ErrorContext(ctx, "authorizer failed", "err", err)
	}
	return resp, err
}

// reloadCRLs fetches the CRLs at cold start and then every refresh. One
// invocation fetches while the others go on with the CRLs already loaded; a
// failed fetch is retried after crlRetry, not on every request, so an outage
// of the CRL endpoint adds no latency. Once the loaded CRLs are stale, or if
// none ever loaded, validation fails closed.
func (h *handler) reloadCRLs(ctx context.Context) {
	now := time.Now()
	h.mu.Lock()
	if now.Before(h.next) {
		h.mu.Unlock()
		return
	}
	h.next = now.Add(min(crlRetry, h.refresh)) // claim this attempt
	h.mu.Unlock()

	if err := h.certs.ReloadCRLs(ctx); err != nil {
		h.log.WarnContext(ctx, "CRL reload failed", "err", err)
		return
	}
	h.mu.Lock()
	h.next = time.Now().Add(h.refresh)
	h.mu.Unlock()
}

func fetchCRLs(ctx context.Context, client *http.Client, url string) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("CRL_URL: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("CRL_URL: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCRL+1))
	if err != nil {
		return nil, fmt.Errorf("CRL_URL: %w", err)
	}
	if len(body) > maxCRL {
		return nil, errors.New("CRL_URL: response larger than 4 MiB")
	}
	return [][]byte{body}, nil
}

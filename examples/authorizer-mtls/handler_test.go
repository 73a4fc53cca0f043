package main

// Unit tests of the handler, without AWS and without any peer: an
// mtlstest PKI gives the client certificates, their CRLs and the REQUEST
// authorizer events that carry them; an authorizertest issuer shaped like
// the Cognito pool signs the tokens; secenvtest.Env stands for the
// function's environment. Test a function of yours the same way;
// main_test.go runs the built binary against real peers.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvtest"
)

const (
	unitPool   = "us-east-1_unitTest1"
	unitClient = "client-1"
	writersKey = "writers-usage-key-0001"
)

// fixture is the world of one test: the PKI, the pool, the CRL endpoint
// and the handler built from the environment as main builds it.
type fixture struct {
	pki   *mtlstest.PKI
	iss   *authorizertest.Issuer
	crlUp atomic.Bool
	h     *handler
	log   bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{}
	var err error
	if f.pki, err = mtlstest.NewPKI(time.Now()); err != nil {
		t.Fatal(err)
	}
	f.iss = authorizertest.NewCognitoIssuer(unitPool)
	t.Cleanup(f.iss.Close)

	f.crlUp.Store(true)
	crls := bytes.Join(f.pki.CRLsPEM(), nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !f.crlUp.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(crls)
	}))
	t.Cleanup(srv.Close)

	// The trust store ships in the function's package (LAMBDA_TASK_ROOT).
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "truststore.pem"), f.pki.TrustStorePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(context.Background(), secenvtest.Env{
		"COGNITO_USER_POOL_ID": unitPool,
		"COGNITO_CLIENT_IDS":   unitClient,
		"COGNITO_ISSUER":       f.iss.URL,
		"API_ROUTES":           "GET /device",
		"USAGE_KEY_BY_GROUP":   "writers=" + writersKey,
		"LAMBDA_TASK_ROOT":     root,
		"CRL_URL":              srv.URL, // http on loopback, as for local runs
	}.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	if f.h, err = newHandler(cfg, redact.NewLogger(&f.log), srv.Client(), f.iss.Client()); err != nil {
		t.Fatal(err)
	}
	return f
}

// token signs a Cognito access token for username, in groups.
func (f *fixture) token(t *testing.T, username string, groups ...string) string {
	t.Helper()
	tok, err := f.iss.Sign(authorizertest.CognitoAccessClaims(unitClient, authorizertest.CognitoUser{
		Sub: "sub-" + username, Username: username, Groups: groups,
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// event is the REQUEST authorizer event of GET /device with cert (nil for
// none) and, unless empty, the Authorization header.
func event(cert *mtlstest.Cert, authorization string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	e := mtlstest.NewRESTRequest(cert)
	e.MethodArn = strings.TrimSuffix(e.MethodArn, "/") + "/device"
	e.Path, e.Resource, e.RequestContext.Path, e.RequestContext.ResourcePath = "/device", "/device", "/device", "/device"
	if authorization != "" {
		e.Headers["Authorization"] = authorization
		e.MultiValueHeaders["Authorization"] = []string{authorization}
	}
	return e
}

func TestHandler(t *testing.T) {
	f := newFixture(t)
	p := f.pki
	good := p.Good.Cert.Subject.CommonName // the user "client-good" owns p.Good
	goodToken := f.token(t, good, "writers")

	tests := []struct {
		name       string
		cert       *mtlstest.Cert
		auth       string
		wantEffect string // "" for a 401
		wantKey    string
	}{
		{name: "certificate and token of the same user", cert: p.Good, auth: "Bearer " + goodToken, wantEffect: "Allow", wantKey: writersKey},
		{name: "user in no group with a key", cert: p.Other, auth: "Bearer " + f.token(t, "client-other"), wantEffect: "Allow"},
		{name: "token of another user", cert: p.Good, auth: "Bearer " + f.token(t, "client-other", "writers"), wantEffect: "Deny"},
		{name: "revoked certificate", cert: p.Revoked, auth: "Bearer " + f.token(t, p.Revoked.Cert.Subject.CommonName, "writers"), wantEffect: "Deny"},
		{name: "certificate under a revoked intermediate", cert: p.UnderRevokedIntermediate, auth: "Bearer " + f.token(t, p.UnderRevokedIntermediate.Cert.Subject.CommonName), wantEffect: "Deny"},
		{name: "same name from another CA", cert: p.OtherCA, auth: "Bearer " + goodToken, wantEffect: "Deny"},
		{name: "expired certificate", cert: p.Expired, auth: "Bearer " + f.token(t, p.Expired.Cert.Subject.CommonName), wantEffect: "Deny"},
		{name: "server-only certificate", cert: p.ServerAuthOnly, auth: "Bearer " + f.token(t, p.ServerAuthOnly.Cert.Subject.CommonName), wantEffect: "Deny"},
		{name: "no certificate", auth: "Bearer " + goodToken, wantEffect: "Deny"},
		{name: "no token", cert: p.Good},
		{name: "tampered token", cert: p.Good, auth: "Bearer " + goodToken[:len(goodToken)-4] + "AAAA"},
		{name: "token of another app client", cert: p.Good, auth: "Bearer " + func() string {
			tok, _ := f.iss.Sign(authorizertest.CognitoAccessClaims("client-2", authorizertest.CognitoUser{Username: good}), nil)
			return tok
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.h.authorize(context.Background(), event(tt.cert, tt.auth))
			if tt.wantEffect == "" {
				if !errors.Is(err, authorizer.ErrUnauthorized) || errors.Is(err, authorizer.ErrForbidden) || err.Error() != "Unauthorized" {
					t.Fatalf("err = %v, want exactly \"Unauthorized\" (401)", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want a %s policy", err, tt.wantEffect)
			}
			if len(resp.PolicyDocument.Statement) == 0 {
				t.Fatal("no policy")
			}
			for _, st := range resp.PolicyDocument.Statement {
				if st.Effect != tt.wantEffect {
					t.Fatalf("effect = %s, want %s", st.Effect, tt.wantEffect)
				}
			}
			if tt.wantEffect != "Allow" {
				return
			}
			if want := "sub-" + tt.cert.Cert.Subject.CommonName; resp.PrincipalID != want {
				t.Errorf("principalId = %q, want the token's sub %q", resp.PrincipalID, want)
			}
			if resp.Context["mtlsFingerprint"] == nil || resp.Context["username"] != tt.cert.Cert.Subject.CommonName {
				t.Errorf("context = %v, want the certificate and the user", resp.Context)
			}
			if resp.UsageIdentifierKey != tt.wantKey {
				t.Errorf("usageIdentifierKey = %q, want %q", resp.UsageIdentifierKey, tt.wantKey)
			}
			if got := resp.PolicyDocument.Statement[0].Resource; len(got) != 1 || !strings.HasSuffix(got[0], "/GET/device") {
				t.Errorf("allowed resources = %v, want GET /device", got)
			}
		})
	}
	if sig := goodToken[strings.LastIndex(goodToken, ".")+1:]; strings.Contains(f.log.String(), sig) {
		t.Errorf("a token signature reached the log:\n%s", f.log.String())
	}
}

// Without CRLs the certificate cannot be checked: a 500, never an Allow,
// and never a 401 or a Deny that API Gateway would cache.
func TestHandlerCRLsUnavailable(t *testing.T) {
	f := newFixture(t)
	f.crlUp.Store(false)
	tok := f.token(t, f.pki.Good.Cert.Subject.CommonName, "writers")
	resp, err := f.h.authorize(context.Background(), event(f.pki.Good, "Bearer "+tok))
	if !errors.Is(err, mtls.ErrUnavailable) || errors.Is(err, authorizer.ErrUnauthorized) {
		t.Fatalf("err = %v, want mtls.ErrUnavailable (a 500)", err)
	}
	if len(resp.PolicyDocument.Statement) != 0 {
		t.Fatalf("policy %+v with an error", resp.PolicyDocument)
	}
}

func TestLoadConfig(t *testing.T) {
	base := map[string]string{
		"COGNITO_USER_POOL_ID": unitPool, "COGNITO_CLIENT_IDS": "c", "API_ROUTES": "GET /device",
		"CRL_URL": "https://pki.example.com/crls.pem",
	}
	cfg, err := loadConfig(context.Background(), secenvtest.Env(base).Lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CRLRefresh != 5*time.Minute || cfg.trustStorePath() != "truststore.pem" || cfg.CRLURL.String() != base["CRL_URL"] {
		t.Errorf("config = %+v, want the defaults", cfg)
	}
	tests := []struct {
		name     string
		set      map[string]string // over base; "" unsets
		wantVar  string
		sentinel error
	}{
		{name: "no CRL URL", set: map[string]string{"CRL_URL": ""}, wantVar: "CRL_URL", sentinel: secenv.ErrMissing},
		{name: "http CRL URL", set: map[string]string{"CRL_URL": "http://pki.example.com/crls.pem"}, wantVar: "CRL_URL", sentinel: secenv.ErrInvalid},
		{name: "CRL URL on a look-alike host", set: map[string]string{"CRL_URL": "http://127.0.0.1.example.com/crls.pem"}, wantVar: "CRL_URL", sentinel: secenv.ErrInvalid},
		{name: "CRL URL without a host", set: map[string]string{"CRL_URL": "https:///crls.pem"}, wantVar: "CRL_URL", sentinel: secenv.ErrInvalid},
		{name: "CRL refresh not a duration", set: map[string]string{"CRL_REFRESH": "5"}, wantVar: "CRL_REFRESH", sentinel: secenv.ErrInvalid},
		{name: "CRL refresh negative", set: map[string]string{"CRL_REFRESH": "-1m"}, wantVar: "CRL_REFRESH", sentinel: secenv.ErrInvalid},
		{name: "no pool", set: map[string]string{"COGNITO_USER_POOL_ID": ""}, wantVar: "COGNITO_USER_POOL_ID", sentinel: secenv.ErrMissing},
		{name: "route without a path", set: map[string]string{"API_ROUTES": "GET"}, wantVar: "API_ROUTES", sentinel: secenv.ErrInvalid},
		{name: "usage key without a key", set: map[string]string{"USAGE_KEY_BY_GROUP": "writers="}, wantVar: "USAGE_KEY_BY_GROUP", sentinel: secenv.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := secenvtest.Env{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.set {
				if v == "" {
					delete(env, k)
				} else {
					env[k] = v
				}
			}
			_, err := loadConfig(context.Background(), env.Lookup)
			var fe *secenv.FieldError
			if !errors.As(err, &fe) || fe.Var != tt.wantVar || !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want a *secenv.FieldError for %s matching %v", err, tt.wantVar, tt.sentinel)
			}
		})
	}
}

// A trust store that is missing fails the cold start, naming the variable.
func TestNewHandlerNoTrustStore(t *testing.T) {
	cfg, err := loadConfig(context.Background(), secenvtest.Env{
		"COGNITO_USER_POOL_ID": unitPool, "COGNITO_CLIENT_IDS": "c", "API_ROUTES": "GET /device",
		"CRL_URL": "https://pki.example.com/crls.pem", "LAMBDA_TASK_ROOT": t.TempDir(),
	}.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newHandler(cfg, redact.NewLogger(io.Discard), http.DefaultClient, nil); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want the missing TRUSTSTORE_FILE", err)
	}
}

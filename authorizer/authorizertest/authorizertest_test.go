package authorizertest_test

import (
	"context"
	"crypto/elliptic"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
)

// TestCognito checks that both Cognito token shapes verify under the
// configuration the issuer hands out, and that each is refused by a
// verifier of the other use.
func TestCognito(t *testing.T) {
	iss := authorizertest.NewCognitoIssuer("eu-west-1_Kit")
	t.Cleanup(iss.Close)
	user := authorizertest.CognitoUser{
		Sub: "sub-1", Username: "alice", Groups: []string{"admins", "ops"},
		Email: "alice@example.org", Scopes: []string{"notes/read", "notes/write"},
	}
	tests := []struct {
		name    string
		use     authorizer.TokenUse
		claims  map[string]any
		want    error
		checkFn func(t *testing.T, c *authorizer.Claims)
	}{
		{name: "ID token", use: authorizer.TokenUseID, claims: authorizertest.CognitoIDClaims("client-1", user),
			checkFn: func(t *testing.T, c *authorizer.Claims) {
				if c.Subject != "sub-1" || c.Username != "alice" || !c.HasGroup("ops") || c.Raw["email"] != "alice@example.org" {
					t.Fatalf("claims = %+v", c)
				}
			}},
		{name: "access token", use: authorizer.TokenUseAccess, claims: authorizertest.CognitoAccessClaims("client-1", user),
			checkFn: func(t *testing.T, c *authorizer.Claims) {
				if c.Subject != "sub-1" || c.Username != "alice" || c.ClientID != "client-1" || !c.HasScope("notes/write") {
					t.Fatalf("claims = %+v", c)
				}
			}},
		{name: "default scope", use: authorizer.TokenUseAccess,
			claims: authorizertest.CognitoAccessClaims("client-1", authorizertest.CognitoUser{Username: "bob"}),
			checkFn: func(t *testing.T, c *authorizer.Claims) {
				if c.Subject != "bob" || !c.HasScope("aws.cognito.signin.user.admin") || len(c.Groups) != 0 {
					t.Fatalf("claims = %+v", c)
				}
			}},
		{name: "ID token to access verifier", use: authorizer.TokenUseAccess, claims: authorizertest.CognitoIDClaims("client-1", user), want: authorizer.ErrTokenUse},
		{name: "other client", use: authorizer.TokenUseAccess, claims: authorizertest.CognitoAccessClaims("client-2", user), want: authorizer.ErrClientID},
		{name: "other audience", use: authorizer.TokenUseID, claims: authorizertest.CognitoIDClaims("client-2", user), want: authorizer.ErrAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := authorizer.NewCognitoVerifier(iss.CognitoConfig(tt.use, "client-1"))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := iss.Sign(tt.claims, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(context.Background(), tok)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.checkFn(t, c)
		})
	}
}

func TestConfigs(t *testing.T) {
	plain := authorizertest.NewHTTPIssuer()
	t.Cleanup(plain.Close)
	if plain.Certificate() != nil {
		t.Fatal("plain HTTP issuer has a certificate")
	}
	cfg := plain.OIDCConfig("a")
	if !cfg.InsecureAllowHTTPLoopback {
		t.Fatal("plain HTTP issuer: InsecureAllowHTTPLoopback not set")
	}
	v, err := authorizer.NewOIDCVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := plain.Sign(map[string]any{"sub": "u", "aud": "a", "exp": time.Now().Add(time.Minute).Unix()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}

	tls := authorizertest.NewIssuer()
	t.Cleanup(tls.Close)
	if tls.OIDCConfig("a").InsecureAllowHTTPLoopback || tls.Certificate() == nil {
		t.Fatal("TLS issuer: insecure config or no certificate")
	}
	if _, err := authorizer.NewCognitoVerifier(tls.CognitoConfig(authorizer.TokenUseID, "c")); !errors.Is(err, authorizer.ErrConfig) {
		t.Fatalf("CognitoConfig of an issuer without a pool: %v, want ErrConfig", err)
	}
}

// TestFaults checks that the failures the issuer injects reach a verifier
// as outages, and that unpublished keys are rejections.
func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, iss *authorizertest.Issuer)
		want  error
	}{
		{name: "JWKS 500", setup: func(_ *testing.T, iss *authorizertest.Issuer) { iss.FailJWKS(http.StatusInternalServerError) }, want: authorizer.ErrUnavailable},
		// net/http retries a GET whose reused connection drops, so drop
		// more requests than the verifier and the transport may make.
		{name: "JWKS dropped", setup: func(_ *testing.T, iss *authorizertest.Issuer) { iss.DropJWKSNext(10) }, want: authorizer.ErrUnavailable},
		{name: "JWKS cut twice", setup: func(_ *testing.T, iss *authorizertest.Issuer) { iss.CutJWKSNext(2) }, want: authorizer.ErrUnavailable},
		{name: "one 503 is retried", setup: func(_ *testing.T, iss *authorizertest.Issuer) { iss.FailJWKSNext(1, http.StatusServiceUnavailable) }},
		{name: "unpublished key", want: authorizer.ErrUnauthorized, setup: func(t *testing.T, iss *authorizertest.Issuer) {
			k, err := authorizertest.NewECKey("ec", elliptic.P256())
			if err != nil {
				t.Fatal(err)
			}
			iss.SetSigningKey(k)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := authorizertest.NewIssuer()
			t.Cleanup(iss.Close)
			tt.setup(t, iss)
			cfg := iss.OIDCConfig("a")
			cfg.Algorithms = []string{"RS256", "ES256"}
			v, err := authorizer.NewOIDCVerifier(cfg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := iss.Sign(map[string]any{"sub": "u", "aud": "a", "exp": time.Now().Add(time.Minute).Unix()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(context.Background(), tok)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if iss.DiscoveryFetches() != 1 || iss.JWKSFetches() == 0 {
				t.Fatalf("fetches: discovery %d, JWKS %d", iss.DiscoveryFetches(), iss.JWKSFetches())
			}
		})
	}
}

func TestKeySignErrors(t *testing.T) {
	k, err := authorizertest.NewRSAKey("r", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []string{"none", "HS256", "ES256", "RS999"} {
		if _, err := k.With(alg, "sig").Sign(map[string]any{"sub": "u"}, nil); err == nil {
			t.Errorf("alg %s with an RSA key: no error", alg)
		}
	}
	if _, err := authorizertest.NewECKey("e", elliptic.P224()); err == nil {
		t.Error("P-224: no error")
	}
}

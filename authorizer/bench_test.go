package authorizer_test

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// cognitoShaped returns the claims of a typical Cognito access token.
func cognitoShaped(s *oidcSetup) map[string]any {
	now := s.clock.Now().Unix()
	return map[string]any{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"cognito:groups": []string{"admin", "staff"},
		"iss":            s.iss.URL,
		"client_id":      "1example23456789",
		"origin_jti":     "ffffffff-0000-1111-2222-333333333333",
		"event_id":       "44444444-5555-6666-7777-888888888888",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin orders/read",
		"auth_time":      now,
		"exp":            now + 3600,
		"iat":            now,
		"jti":            "99999999-aaaa-bbbb-cccc-dddddddddddd",
		"username":       "alice",
		"aud":            testAudience,
	}
}

func benchVerify(b *testing.B, s *oidcSetup, token string) {
	b.Helper()
	if _, err := s.v.Verify(ctx(b), token); err != nil {
		b.Fatal(err)
	}
	c := ctx(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.v.Verify(c, token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRS256(b *testing.B) {
	s := newOIDC(b, nil)
	benchVerify(b, s, s.iss.Mint(b, cognitoShaped(s), nil))
}

func BenchmarkVerifyES256(b *testing.B) {
	s := newOIDC(b, nil)
	k := testpeer.NewECKey(b, "ec", elliptic.P256())
	s.iss.Publish(k)
	s.iss.SetSigningKey(k)
	benchVerify(b, s, s.iss.Mint(b, cognitoShaped(s), nil))
}

func BenchmarkVerifyCacheHit(b *testing.B) {
	s := newOIDC(b, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.CacheSize = 1024 })
	benchVerify(b, s, s.iss.Mint(b, cognitoShaped(s), nil))
}

// BenchmarkBareRS256 is the floor: split, base64url, SHA-256, crypto/rsa
// verify and a claims decode into a map, with no checks at all.
func BenchmarkBareRS256(b *testing.B) {
	s := newOIDC(b, nil)
	token := s.iss.Mint(b, cognitoShaped(s), nil)
	pub := s.iss.SigningKey().Public().(*rsa.PublicKey)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		dot := strings.LastIndexByte(token, '.')
		sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token[:dot]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
		first := strings.IndexByte(token, '.')
		payload, err := base64.RawURLEncoding.DecodeString(token[first+1 : dot])
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenHandler(b *testing.B) {
	s := newOIDC(b, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.CacheSize = 1024 })
	a := newAuthorizer(b, s.v)
	req := events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: "Bearer " + s.iss.Mint(b, cognitoShaped(s), nil),
		MethodArn:          "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/orders",
	}
	c := ctx(b)
	if _, err := a.RESTToken(c, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := a.RESTToken(c, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMethodARN(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := authorizer.ParseMethodARN("arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/request"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestHandlerWithClientCert is a warm mTLS plus JWT REQUEST
// authorizer: cached token, cached certificate validation, a bind rule.
func BenchmarkRequestHandlerWithClientCert(b *testing.B) {
	s := newOIDC(b, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.CacheSize = 1024 })
	pki := testpeer.NewPKI(b, s.clock.Now())
	certs, err := mtls.NewValidator(mtls.Config{TrustStore: pki.TrustStorePEM(), CRLs: pki.CRLsPEM(), AllowAny: true, Clock: func() time.Time { return pki.At }})
	if err != nil {
		b.Fatal(err)
	}
	a := newAuthorizer(b, s.v, authorizer.WithClientCert(certs, func(_ context.Context, id *mtls.Identity, c *authorizer.Claims) error {
		if id.CommonName == "" || c.Subject == "" {
			return errors.New("no names")
		}
		return nil
	}))
	req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:      "REQUEST",
		MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/orders",
		Headers:   map[string]string{"Authorization": "Bearer " + s.iss.Mint(b, cognitoShaped(s), nil)},
	}
	req.RequestContext.Identity.ClientCert.ClientCertPem = pki.Good.PEMString()
	c := ctx(b)
	resp, err := a.RESTRequest(c, req)
	if err != nil || resp.PolicyDocument.Statement[0].Effect != "Allow" {
		b.Fatal(err, resp.PolicyDocument)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := a.RESTRequest(c, req); err != nil {
			b.Fatal(err)
		}
	}
}

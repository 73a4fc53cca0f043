package authorizer_test

import (
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

var b64 = base64.RawURLEncoding.EncodeToString

// hs256 builds an HS256 token whose secret is the PEM of the issuer's RSA
// public key: the classic key-confusion attack.
func hs256(t *testing.T, pub *rsa.PublicKey, claims map[string]any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	h, _ := json.Marshal(map[string]any{"alg": "HS256", "kid": "k1", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(c)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(in))
	return in + "." + b64(mac.Sum(nil))
}

// unsigned builds a token with the given header and claims and signature.
func unsigned(hdr, claims map[string]any, sig []byte) string {
	h, _ := json.Marshal(hdr)
	c, _ := json.Marshal(claims)
	return b64(h) + "." + b64(c) + "." + b64(sig)
}

func TestVerifyAttackTable(t *testing.T) {
	s := newOIDC(t, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) {
		c.RequiredGroups = []string{"admin"}
		c.RequiredScopes = []string{"orders/read"}
		c.Leeway = time.Minute
	})
	ec := testpeer.NewECKey(t, "ec1", elliptic.P256())
	ec384 := testpeer.NewECKey(t, "ec384", elliptic.P384())
	rsaKey := s.iss.SigningKey()
	s.iss.Publish(rsaKey, ec, ec384)
	now := s.clock.Now().Unix()
	pub := rsaKey.Public().(*rsa.PublicKey)

	tests := []struct {
		name  string
		token func(t *testing.T) string
		want  []error
	}{
		{name: "valid RS256", token: func(t *testing.T) string { return s.mint(t, nil, nil) }},
		{name: "valid ES256", token: func(t *testing.T) string { return ec.Mint(t, s.claims(nil), nil) }},
		{name: "valid ES384", token: func(t *testing.T) string { return ec384.Mint(t, s.claims(nil), nil) }},
		{name: "expired within leeway", token: func(t *testing.T) string { return s.mint(t, map[string]any{"exp": now - 30}, nil) }},
		{name: "empty", token: func(*testing.T) string { return "" }, want: []error{authorizer.ErrMissingToken, authorizer.ErrUnauthorized}},
		{name: "alg none", token: func(*testing.T) string {
			return unsigned(map[string]any{"alg": "none", "kid": "k1"}, s.claims(nil), nil)
		}, want: []error{authorizer.ErrAlgNone}},
		{name: "alg NoNe", token: func(*testing.T) string {
			return unsigned(map[string]any{"alg": "NoNe", "kid": "k1"}, s.claims(nil), []byte("x"))
		}, want: []error{authorizer.ErrAlgNone}},
		{name: "HS256 key confusion", token: func(t *testing.T) string { return hs256(t, pub, s.claims(nil)) }, want: []error{authorizer.ErrAlgHMAC}},
		{name: "alg outside allow-list", token: func(t *testing.T) string {
			return rsaKey.With("RS512", "sig").Mint(t, s.claims(nil), nil)
		}, want: []error{authorizer.ErrAlgNotAllowed}},
		{name: "PS256 outside allow-list", token: func(t *testing.T) string {
			return rsaKey.With("PS256", "sig").Mint(t, s.claims(nil), nil)
		}, want: []error{authorizer.ErrAlgNotAllowed}},
		{name: "missing alg", token: func(t *testing.T) string {
			return s.mint(t, nil, map[string]any{"alg": nil})
		}, want: []error{authorizer.ErrAlgNotAllowed}},
		{name: "missing kid", token: func(t *testing.T) string { return s.mint(t, nil, map[string]any{"kid": nil}) }, want: []error{authorizer.ErrMissingKID}},
		{name: "empty kid", token: func(t *testing.T) string { return s.mint(t, nil, map[string]any{"kid": ""}) }, want: []error{authorizer.ErrMissingKID}},
		{name: "unknown kid", token: func(t *testing.T) string { return s.mint(t, nil, map[string]any{"kid": "nope"}) }, want: []error{authorizer.ErrUnknownKID}},
		{name: "jku header", token: func(t *testing.T) string {
			return s.mint(t, nil, map[string]any{"jku": "https://attacker.example/jwks.json"})
		}, want: []error{authorizer.ErrJKUHeader}},
		{name: "x5u header", token: func(t *testing.T) string {
			return s.mint(t, nil, map[string]any{"x5u": "https://attacker.example/cert.pem"})
		}, want: []error{authorizer.ErrX5UHeader}},
		{name: "jwk header", token: func(t *testing.T) string {
			return s.mint(t, nil, map[string]any{"jwk": rsaKey.JWK()})
		}, want: []error{authorizer.ErrJWKHeader}},
		{name: "x5c header", token: func(t *testing.T) string {
			return s.mint(t, nil, map[string]any{"x5c": []string{"MIIB"}})
		}, want: []error{authorizer.ErrX5CHeader}},
		{name: "crit header", token: func(t *testing.T) string {
			return s.mint(t, nil, map[string]any{"crit": []string{"exp"}})
		}, want: []error{authorizer.ErrCritHeader}},
		{name: "expired", token: func(t *testing.T) string { return s.mint(t, map[string]any{"exp": now - 61}, nil) }, want: []error{authorizer.ErrExpired}},
		{name: "not yet valid", token: func(t *testing.T) string { return s.mint(t, map[string]any{"nbf": now + 120}, nil) }, want: []error{authorizer.ErrNotYetValid}},
		{name: "nbf within leeway", token: func(t *testing.T) string { return s.mint(t, map[string]any{"nbf": now + 30}, nil) }},
		{name: "issued in future", token: func(t *testing.T) string { return s.mint(t, map[string]any{"iat": now + 3000}, nil) }, want: []error{authorizer.ErrNotYetValid}},
		{name: "missing sub", token: func(t *testing.T) string { return s.mint(t, map[string]any{"sub": nil}, nil) }, want: []error{authorizer.ErrMissingSubject, authorizer.ErrUnauthorized}},
		{name: "empty sub", token: func(t *testing.T) string { return s.mint(t, map[string]any{"sub": ""}, nil) }, want: []error{authorizer.ErrMissingSubject}},
		{name: "missing exp", token: func(t *testing.T) string { return s.mint(t, map[string]any{"exp": nil}, nil) }, want: []error{authorizer.ErrMissingExp}},
		{name: "exp wrong type", token: func(t *testing.T) string { return s.mint(t, map[string]any{"exp": "tomorrow"}, nil) }, want: []error{authorizer.ErrClaimType}},
		// RFC 7519 §4.1, RFC 8693 §4.2-4.3 and Cognito fix these claims'
		// JSON types; a wrongly typed one rejects the token.
		{name: "numeric jti", token: func(t *testing.T) string { return s.mint(t, map[string]any{"jti": 7}, nil) }, want: []error{authorizer.ErrClaimType}},
		{name: "string jti", token: func(t *testing.T) string { return s.mint(t, map[string]any{"jti": "id-7"}, nil) }},
		{name: "numeric sub", token: func(t *testing.T) string { return s.mint(t, map[string]any{"sub": 1}, nil) }, want: []error{authorizer.ErrClaimType}},
		{name: "array iss", token: func(t *testing.T) string { return s.mint(t, map[string]any{"iss": []string{s.iss.URL}}, nil) }, want: []error{authorizer.ErrClaimType}},
		{name: "numeric aud member", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"aud": []any{testAudience, 7}}, nil)
		}, want: []error{authorizer.ErrClaimType}},
		{name: "scope as array", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"scope": []string{"orders/read"}}, nil)
		}, want: []error{authorizer.ErrClaimType}},
		{name: "numeric client_id", token: func(t *testing.T) string { return s.mint(t, map[string]any{"client_id": 12}, nil) }, want: []error{authorizer.ErrClaimType}},
		{name: "boolean token_use", token: func(t *testing.T) string { return s.mint(t, map[string]any{"token_use": true}, nil) }, want: []error{authorizer.ErrClaimType}},
		{name: "numeric username", token: func(t *testing.T) string { return s.mint(t, map[string]any{"username": 5}, nil) }, want: []error{authorizer.ErrClaimType}},
		{name: "numeric cognito:username beside username", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"cognito:username": 5}, nil)
		}, want: []error{authorizer.ErrClaimType}},
		{name: "groups of numbers beside cognito:groups", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"groups": []any{1}}, nil)
		}, want: []error{authorizer.ErrClaimType}},
		{name: "wrong iss", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"iss": "https://evil.example"}, nil)
		}, want: []error{authorizer.ErrIssuer}},
		{name: "wrong aud", token: func(t *testing.T) string { return s.mint(t, map[string]any{"aud": "api://other"}, nil) }, want: []error{authorizer.ErrAudience}},
		{name: "aud array with ours", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"aud": []string{"x", testAudience}}, nil)
		}},
		{name: "missing aud", token: func(t *testing.T) string { return s.mint(t, map[string]any{"aud": nil}, nil) }, want: []error{authorizer.ErrAudience}},
		{name: "missing group", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"cognito:groups": []string{"staff"}}, nil)
		}, want: []error{authorizer.ErrMissingGroup, authorizer.ErrForbidden, authorizer.ErrUnauthorized}},
		{name: "missing scope", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"scope": "orders/write"}, nil)
		}, want: []error{authorizer.ErrMissingScope, authorizer.ErrForbidden}},
		{name: "expired and missing group reports expiry only", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"exp": now - 600, "cognito:groups": nil}, nil)
		}, want: []error{authorizer.ErrExpired}},
		{name: "too large", token: func(t *testing.T) string {
			return s.mint(t, map[string]any{"pad": strings.Repeat("a", 9000)}, nil)
		}, want: []error{authorizer.ErrTokenTooLarge}},
		{name: "two segments", token: func(*testing.T) string { return "abc.def" }, want: []error{authorizer.ErrMalformed}},
		{name: "four segments", token: func(t *testing.T) string { return s.mint(t, nil, nil) + ".x" }, want: []error{authorizer.ErrMalformed}},
		{name: "bad base64 header", token: func(t *testing.T) string {
			tok := s.mint(t, nil, nil)
			return "e$J" + tok[3:]
		}, want: []error{authorizer.ErrMalformed}},
		{name: "padded base64 header", token: func(t *testing.T) string {
			tok := s.mint(t, nil, nil)
			i := strings.IndexByte(tok, '.')
			return tok[:i] + "=" + tok[i:]
		}, want: []error{authorizer.ErrMalformed}},
		{name: "bad JSON header", token: func(*testing.T) string { return b64([]byte(`{"alg":`)) + ".e30.c2ln" }, want: []error{authorizer.ErrMalformed}},
		{name: "bad JSON payload, signed", token: func(t *testing.T) string {
			return rsaKey.SignRaw(t, []byte(`{"alg":"RS256","kid":"k1"}`), []byte(`{"sub":`))
		}, want: []error{authorizer.ErrMalformed}},
		{name: "bad base64 signature", token: func(t *testing.T) string { return s.mint(t, nil, nil) + "!" }, want: []error{authorizer.ErrMalformed}},
		{name: "tampered payload", token: func(t *testing.T) string {
			parts := strings.Split(s.mint(t, nil, nil), ".")
			c, _ := json.Marshal(s.claims(map[string]any{"sub": "admin"}))
			return parts[0] + "." + b64(c) + "." + parts[2]
		}, want: []error{authorizer.ErrSignature}},
		{name: "signed by another key with a known kid", token: func(t *testing.T) string {
			return testpeer.NewRSAKey(t, "k1", 2048).Mint(t, s.claims(nil), nil)
		}, want: []error{authorizer.ErrSignature}},
		{name: "zero ES256 signature (psychic)", token: func(*testing.T) string {
			return unsigned(map[string]any{"alg": "ES256", "kid": "ec1"}, s.claims(nil), make([]byte, 64))
		}, want: []error{authorizer.ErrSignature}},
		{name: "ES256 with RSA kid", token: func(*testing.T) string {
			return unsigned(map[string]any{"alg": "ES256", "kid": "k1"}, s.claims(nil), make([]byte, 64))
		}, want: []error{authorizer.ErrKeyMismatch}},
		{name: "ES256 with P-384 kid", token: func(*testing.T) string {
			return unsigned(map[string]any{"alg": "ES256", "kid": "ec384"}, s.claims(nil), make([]byte, 64))
		}, want: []error{authorizer.ErrKeyMismatch}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.v.Verify(ctx(t), tc.token(t))
			wantErrs(t, err, tc.want...)
			if len(tc.want) > 0 {
				if c != nil {
					t.Fatal("claims returned with an error")
				}
				if !errors.Is(err, authorizer.ErrUnauthorized) || errors.Is(err, authorizer.ErrUnavailable) {
					t.Fatalf("error %q is not in the rejection family", err)
				}
				return
			}
			if c.Subject != "user-1" || !c.HasGroup("admin") || !c.HasScope("orders/read") || c.Username != "alice" {
				t.Fatalf("claims = %+v", c)
			}
		})
	}
}

func TestVerifyLeewayAndClock(t *testing.T) {
	tests := []struct {
		name    string
		leeway  time.Duration
		advance time.Duration
		want    []error
	}{
		{name: "zero leeway accepts 1s before exp", advance: time.Hour - time.Second},
		{name: "zero leeway refuses at exp", advance: time.Hour, want: []error{authorizer.ErrExpired}},
		{name: "leeway accepts 59s late", leeway: time.Minute, advance: time.Hour + 59*time.Second},
		{name: "leeway refuses 61s late", leeway: time.Minute, advance: time.Hour + 61*time.Second, want: []error{authorizer.ErrExpired}},
		{name: "custom leeway", leeway: 5 * time.Minute, advance: time.Hour + 4*time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newOIDC(t, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.Leeway = tc.leeway })
			tok := s.mint(t, nil, nil)
			s.clock.Advance(tc.advance)
			_, err := s.v.Verify(ctx(t), tok)
			wantErrs(t, err, tc.want...)
		})
	}
}

func TestVerifiedTokenCacheSize(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		cached bool
	}{
		{name: "zero means the default cache", size: 0, cached: true},
		{name: "positive", size: 1, cached: true},
		{name: "negative turns it off", size: -1, cached: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newOIDC(t, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) { c.CacheSize = tc.size })
			tok := s.mint(t, nil, nil)
			c1, err := s.v.Verify(ctx(t), tok)
			wantErrs(t, err)
			// A key the issuer no longer publishes: only a cache hit accepts.
			s.iss.Publish(testpeer.NewRSAKey(t, "other", 2048))
			wantErrs(t, s.keys.Refresh(ctx(t)))
			c2, err := s.v.Verify(ctx(t), tok)
			if tc.cached {
				wantErrs(t, err)
				if c1 != c2 {
					t.Fatal("not a cache hit")
				}
				return
			}
			wantErrs(t, err, authorizer.ErrUnknownKID)
		})
	}
}

func TestVerifiedTokenCache(t *testing.T) {
	s := newOIDC(t, func(c *authorizer.OIDCConfig, _ *authorizer.JWKSConfig) {
		c.CacheSize = 2
		c.CacheTTL = 10 * time.Minute
	})
	tok := s.mint(t, map[string]any{"exp": s.clock.Now().Unix() + 120}, nil)
	c1, err := s.v.Verify(ctx(t), tok)
	wantErrs(t, err)
	s.iss.FailJWKS(500) // a cache hit needs no keys
	c2, err := s.v.Verify(ctx(t), tok)
	wantErrs(t, err)
	if c1 != c2 {
		t.Fatal("second verify was not a cache hit")
	}
	// Tampered token with the same prefix is not a hit.
	parts := strings.Split(tok, ".")
	_, err = s.v.Verify(ctx(t), parts[0]+"."+parts[1]+"."+b64(make([]byte, 256)))
	wantErrs(t, err, authorizer.ErrSignature)
	// exp + leeway bounds the entry.
	s.clock.Advance(3 * time.Minute)
	_, err = s.v.Verify(ctx(t), tok)
	wantErrs(t, err, authorizer.ErrExpired)
	// Eviction keeps the cache bounded and correct.
	s.iss.FailJWKS(0)
	for i := range 5 {
		tok := s.mint(t, map[string]any{"jti": fmt.Sprint(i)}, nil)
		if _, err := s.v.Verify(ctx(t), tok); err != nil {
			t.Fatal(err)
		}
		if _, err := s.v.Verify(ctx(t), tok); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	keys, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: "https://issuer.example/jwks.json"})
	if err != nil {
		t.Fatal(err)
	}
	set := authorizer.Settings{JWKS: keys}
	discovering, err := authorizer.NewJWKS(authorizer.JWKSConfig{Issuer: "https://other.example"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		new  func() error
	}{
		{name: "cognito no client IDs", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", TokenUse: authorizer.TokenUseID, Settings: set})
			return err
		}},
		{name: "cognito client IDs and skip", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, InsecureSkipClientIDCheck: true, TokenUse: authorizer.TokenUseID, Settings: set})
			return err
		}},
		{name: "cognito no token use", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, Settings: set})
			return err
		}},
		{name: "cognito bad token use", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, TokenUse: "refresh", Settings: set})
			return err
		}},
		{name: "cognito bad pool ID", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Settings: set})
			return err
		}},
		{name: "cognito region mismatch", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{Region: "us-east-1", UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Settings: set})
			return err
		}},
		{name: "cognito http issuer not loopback", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "local_abc", Issuer: "http://example.com/local_abc", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Settings: authorizer.Settings{JWKS: keys, InsecureAllowHTTPLoopback: true}})
			return err
		}},
		{name: "cognito issuer without pool", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "local_abc", Issuer: "https://example.com/other", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Settings: set})
			return err
		}},
		{name: "cognito HS256 allowed", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Algorithms: []string{"HS256"}, Settings: set})
			return err
		}},
		{name: "oidc no audience", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Settings: set})
			return err
		}},
		{name: "oidc none allowed", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Algorithms: []string{"none"}, Settings: set})
			return err
		}},
		{name: "oidc http issuer", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "http://issuer.example", Audiences: []string{"a"}})
			return err
		}},
		{name: "oidc http loopback without opt-in", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "http://127.0.0.1:1", Audiences: []string{"a"}})
			return err
		}},
		{name: "oidc AnyGroup without groups", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, AnyGroup: true, Settings: set})
			return err
		}},
		{name: "jwks http URL", new: func() error {
			_, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: "http://issuer.example/jwks.json"})
			return err
		}},
		{name: "jwks nothing", new: func() error {
			_, err := authorizer.NewJWKS(authorizer.JWKSConfig{})
			return err
		}},
		{name: "negative leeway", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Settings: authorizer.Settings{JWKS: keys, Leeway: -time.Second}})
			return err
		}},
		{name: "negative cache TTL", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Settings: authorizer.Settings{JWKS: keys, CacheTTL: -time.Second}})
			return err
		}},
		{name: "jwks negative timeout", new: func() error {
			_, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: "https://issuer.example/jwks.json", Timeout: -time.Second})
			return err
		}},
		{name: "jwks negative max bytes", new: func() error {
			_, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: "https://issuer.example/jwks.json", MaxBytes: -1})
			return err
		}},
		{name: "jwks negative min refresh interval", new: func() error {
			_, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: "https://issuer.example/jwks.json", MinRefreshInterval: -time.Second})
			return err
		}},
		{name: "jwks negative retry backoff", new: func() error {
			_, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: "https://issuer.example/jwks.json", RetryBackoff: -time.Second})
			return err
		}},
		{name: "negative max token bytes", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Settings: authorizer.Settings{JWKS: keys, MaxTokenBytes: -1}})
			return err
		}},
		{name: "oidc JWKS and JWKSURL", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, JWKSURL: "https://issuer.example/other.json", Settings: set})
			return err
		}},
		{name: "oidc JWKS and HTTPClient", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Settings: authorizer.Settings{JWKS: keys, HTTPClient: &http.Client{}}})
			return err
		}},
		{name: "oidc JWKS discovering another issuer", new: func() error {
			_, err := authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Settings: authorizer.Settings{JWKS: discovering}})
			return err
		}},
		{name: "cognito JWKS and JWKSURL", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, JWKSURL: "https://issuer.example/jwks.json", Settings: set})
			return err
		}},
		{name: "cognito JWKS and HTTPClient", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Settings: authorizer.Settings{JWKS: keys, HTTPClient: &http.Client{}}})
			return err
		}},
		{name: "cognito JWKS discovering another issuer", new: func() error {
			_, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "eu-west-1_abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseID, Settings: authorizer.Settings{JWKS: discovering}})
			return err
		}},
		{name: "multi none", new: func() error {
			_, err := authorizer.NewMultiVerifier()
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErrs(t, tc.new(), authorizer.ErrConfig)
		})
	}
	ok, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{UserPoolID: "cn-north-1_abc123", ClientIDs: []string{"c"}, TokenUse: authorizer.TokenUseAny})
	wantErrs(t, err)
	// Negative MaxKeyAge means never, the one negative that is no error; a
	// JWKS that discovers the verifier's own issuer is fine.
	_, err = authorizer.NewJWKS(authorizer.JWKSConfig{URL: "https://issuer.example/jwks.json", MaxKeyAge: -1})
	wantErrs(t, err)
	own, err := authorizer.NewJWKS(authorizer.JWKSConfig{Issuer: "https://issuer.example"})
	wantErrs(t, err)
	_, err = authorizer.NewOIDCVerifier(authorizer.OIDCConfig{Issuer: "https://issuer.example", Audiences: []string{"a"}, Settings: authorizer.Settings{JWKS: own}})
	wantErrs(t, err)
	if ok.Issuer() != "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_abc123" {
		t.Fatalf("issuer = %s", ok.Issuer())
	}
}

func TestMultiVerifier(t *testing.T) {
	a := newOIDC(t, nil)
	b := newOIDC(t, nil)
	m, err := authorizer.NewMultiVerifier(a.v, b.v)
	wantErrs(t, err)
	for _, s := range []*oidcSetup{a, b} {
		c, err := m.Verify(ctx(t), s.mint(t, nil, nil))
		wantErrs(t, err)
		if c.Issuer != s.iss.URL {
			t.Fatalf("issuer = %s", c.Issuer)
		}
	}
	// A token signed by b's key but claiming a's issuer goes to a only,
	// whose keys reject it; b is never tried.
	forged := b.iss.SigningKey().Mint(t, a.claims(nil), map[string]any{"kid": "k1"})
	before := b.iss.JWKSFetches()
	_, err = m.Verify(ctx(t), forged)
	wantErrs(t, err, authorizer.ErrSignature)
	if b.iss.JWKSFetches() != before {
		t.Fatal("the other issuer's verifier was consulted")
	}
	_, err = m.Verify(ctx(t), a.mint(t, map[string]any{"iss": "https://unknown.example"}, nil))
	wantErrs(t, err, authorizer.ErrIssuer)
	_, err = m.Verify(ctx(t), a.mint(t, map[string]any{"iss": 7}, nil))
	wantErrs(t, err, authorizer.ErrIssuer)
	_, err = m.Verify(ctx(t), "x.y")
	wantErrs(t, err, authorizer.ErrMalformed)
	_, err = authorizer.NewMultiVerifier(a.v, a.v)
	wantErrs(t, err, authorizer.ErrConfig)
}

package bench

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// The JWT contenders all verify the same Cognito-shaped access token,
// signed by an httptest issuer whose JWKS publishes two keys as Cognito's
// does, and make the same decisions: signature, alg, exp (with 60 s of
// leeway where the library has one), iss, client_id and token_use. Each
// contender is built once, warmed with one verification (so that its key
// set is fetched), and then measured on the warm path.

const (
	benchPoolID   = "us-east-1_BenchPool1"
	benchClientID = "1example23456789abcdefghij"
	leeway        = 60 * time.Second
)

// jwtSetup is one issuer and a token it signed with alg.
type jwtSetup struct {
	iss    *testpeer.Issuer
	issuer string // iss of the token: the issuer URL plus the pool ID
	alg    string
	key    *testpeer.Key
	token  string
}

func newJWTSetup(tb testing.TB, alg string) *jwtSetup {
	tb.Helper()
	iss := testpeer.StartIssuer(tb)
	s := &jwtSetup{iss: iss, issuer: iss.URL + "/" + benchPoolID, alg: alg}
	switch alg {
	case "RS256":
		s.key = iss.SigningKey()
		iss.Publish(s.key, testpeer.NewRSAKey(tb, "k2", 2048))
	case "ES256":
		s.key = testpeer.NewECKey(tb, "e1", elliptic.P256())
		iss.Publish(s.key, testpeer.NewECKey(tb, "e2", elliptic.P256()))
		iss.SetSigningKey(s.key)
	default:
		tb.Fatalf("unsupported alg %s", alg)
	}
	s.token = s.mint(tb, nil)
	return s
}

// mint signs a Cognito access token's claims, with overrides (nil deletes
// a claim).
func (s *jwtSetup) mint(tb testing.TB, over map[string]any) string {
	tb.Helper()
	now := time.Now().Unix()
	c := map[string]any{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"cognito:groups": []string{"admin", "staff"},
		"iss":            s.issuer,
		"version":        2,
		"client_id":      benchClientID,
		"origin_jti":     "ffffffff-0000-1111-2222-333333333333",
		"event_id":       "44444444-5555-6666-7777-888888888888",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin orders/read",
		"auth_time":      now,
		"exp":            now + 3600,
		"iat":            now,
		"jti":            "99999999-aaaa-bbbb-cccc-dddddddddddd",
		"username":       "alice",
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return s.iss.Mint(tb, c, nil)
}

// contender verifies a token and reports whether it is accepted.
type contender struct {
	name   string
	verify func(ctx context.Context, token string) error
}

// errRejected is what the hand-written checks return.
var errRejected = errors.New("rejected")

// accessClaims are the claims that every contender checks beyond the
// standard ones.
type accessClaims struct {
	ClientID string `json:"client_id"`
	TokenUse string `json:"token_use"`
}

func (c accessClaims) check() error {
	if c.ClientID != benchClientID || c.TokenUse != "access" {
		return errRejected
	}
	return nil
}

// contenders builds every verifier for s. Cleanup stops background
// refreshers.
func (s *jwtSetup) contenders(tb testing.TB) []contender {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return []contender{
		{"seclambda", s.ours(tb, -1)},
		{"seclambda-cached", s.ours(tb, 1024)},
		{"golang-jwt", s.golangJWT(tb, nil)},
		{"golang-jwt+keyfunc", s.golangJWT(tb, s.keyfunc(tb, ctx))},
		{"jwx", s.jwx(tb, ctx)},
		{"go-oidc", s.goOIDC(ctx)},
		{"floor", s.floor()},
	}
}

// ours is authorizer.NewCognitoVerifier with its own JWKS cache, and the
// verified-token cache of cacheSize entries (negative: off).
func (s *jwtSetup) ours(tb testing.TB, cacheSize int) func(context.Context, string) error {
	tb.Helper()
	keys, err := authorizer.NewJWKS(authorizer.JWKSConfig{URL: s.iss.JWKSURL, InsecureAllowHTTPLoopback: true})
	if err != nil {
		tb.Fatal(err)
	}
	v, err := authorizer.NewCognitoVerifier(authorizer.CognitoConfig{
		UserPoolID: benchPoolID,
		ClientIDs:  []string{benchClientID},
		TokenUse:   authorizer.TokenUseAccess,
		Issuer:     s.issuer,
		Algorithms: []string{s.alg},
		Settings: authorizer.Settings{
			JWKS:                      keys,
			InsecureAllowHTTPLoopback: true,
			CacheSize:                 cacheSize,
			Leeway:                    leeway,
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := v.Prefetch(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, token string) error {
		_, err := v.Verify(ctx, token)
		return err
	}
}

// keyfunc is keyfunc/v3's default JWKS storage for the issuer's key set.
func (s *jwtSetup) keyfunc(tb testing.TB, ctx context.Context) jwt.Keyfunc {
	tb.Helper()
	k, err := keyfunc.NewDefaultCtx(ctx, []string{s.iss.JWKSURL})
	if err != nil {
		tb.Fatal(err)
	}
	return k.Keyfunc
}

// golangJWT is jwt.Parser into MapClaims with kf, or with the signing key
// returned directly when kf is nil.
func (s *jwtSetup) golangJWT(tb testing.TB, kf jwt.Keyfunc) func(context.Context, string) error {
	tb.Helper()
	if kf == nil {
		pub := s.key.Public()
		kf = func(*jwt.Token) (any, error) { return pub, nil }
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{s.alg}), jwt.WithIssuer(s.issuer),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(leeway))
	return func(_ context.Context, token string) error {
		claims := jwt.MapClaims{}
		if _, err := p.ParseWithClaims(token, claims, kf); err != nil {
			return err
		}
		cid, _ := claims["client_id"].(string)
		use, _ := claims["token_use"].(string)
		return accessClaims{ClientID: cid, TokenUse: use}.check()
	}
}

// jwx is jwx/v3's jwt.Parse with the key set fetched once by jwk.Fetch.
func (s *jwtSetup) jwx(tb testing.TB, ctx context.Context) func(context.Context, string) error {
	tb.Helper()
	set, err := jwk.Fetch(ctx, s.iss.JWKSURL)
	if err != nil {
		tb.Fatal(err)
	}
	opts := []jwxjwt.ParseOption{
		jwxjwt.WithKeySet(set), jwxjwt.WithValidate(true),
		jwxjwt.WithIssuer(s.issuer), jwxjwt.WithAcceptableSkew(leeway),
		jwxjwt.WithRequiredClaim("exp"),
	}
	return func(_ context.Context, token string) error {
		t, err := jwxjwt.ParseString(token, opts...)
		if err != nil {
			return err
		}
		var c accessClaims
		if err := t.Get("client_id", &c.ClientID); err != nil {
			return err
		}
		if err := t.Get("token_use", &c.TokenUse); err != nil {
			return err
		}
		return c.check()
	}
}

// goOIDC is go-oidc/v3's IDTokenVerifier over its RemoteKeySet. Cognito
// access tokens have no aud, so client_id is checked by hand, as with
// every library that does not know Cognito.
func (s *jwtSetup) goOIDC(ctx context.Context) func(context.Context, string) error {
	v := oidc.NewVerifier(s.issuer, oidc.NewRemoteKeySet(ctx, s.iss.JWKSURL),
		&oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: []string{s.alg}})
	return func(ctx context.Context, token string) error {
		t, err := v.Verify(ctx, token)
		if err != nil {
			return err
		}
		var c accessClaims
		if err := t.Claims(&c); err != nil {
			return err
		}
		return c.check()
	}
}

// floor is the least a correct verifier does: base64url, the signature
// check with the one known key, a claims decode into a map (callers need
// every claim) and the claim checks by hand. It skips the header (alg and
// kid), which every real verifier must read.
func (s *jwtSetup) floor() func(context.Context, string) error {
	verifySig := func(signingInput string, sig []byte) error {
		sum := sha256.Sum256([]byte(signingInput))
		return rsa.VerifyPKCS1v15(s.key.Public().(*rsa.PublicKey), crypto.SHA256, sum[:], sig)
	}
	if pub, ok := s.key.Public().(*ecdsa.PublicKey); ok {
		verifySig = func(signingInput string, sig []byte) error {
			if len(sig) != 64 {
				return errRejected
			}
			sum := sha256.Sum256([]byte(signingInput))
			r, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			if !ecdsa.Verify(pub, sum[:], r, ss) {
				return errRejected
			}
			return nil
		}
	}
	issuer := s.issuer
	return func(_ context.Context, token string) error {
		first := strings.IndexByte(token, '.')
		dot := strings.LastIndexByte(token, '.')
		if first < 0 || dot <= first {
			return errRejected
		}
		sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
		if err != nil {
			return err
		}
		if err := verifySig(token[:dot], sig); err != nil {
			return err
		}
		payload, err := base64.RawURLEncoding.DecodeString(token[first+1 : dot])
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			return err
		}
		exp, _ := m["exp"].(float64)
		if time.Now().Add(-leeway).Unix() >= int64(exp) {
			return errRejected
		}
		if iss, _ := m["iss"].(string); iss != issuer {
			return errRejected
		}
		cid, _ := m["client_id"].(string)
		use, _ := m["token_use"].(string)
		return accessClaims{ClientID: cid, TokenUse: use}.check()
	}
}

// tamper changes one payload character, keeping the signature.
func tamper(token string) string {
	i := strings.IndexByte(token, '.') + 5
	b := []byte(token)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestJWTContendersAgree checks that every contender accepts the same
// token and rejects the same bad ones, so that the benchmarks compare
// equal work.
func TestJWTContendersAgree(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			s := newJWTSetup(t, alg)
			other := newJWTSetup(t, alg) // same claims, another issuer's key
			tests := []struct {
				name   string
				token  string
				accept bool
			}{
				{name: "valid", token: s.token, accept: true},
				{name: "tampered payload", token: tamper(s.token)},
				{name: "tampered signature", token: s.token[:len(s.token)-4] + "AAAA"},
				{name: "unknown key", token: other.mint(t, map[string]any{"iss": s.issuer})},
				{name: "expired", token: s.mint(t, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})},
				{name: "no exp", token: s.mint(t, map[string]any{"exp": nil})},
				{name: "wrong issuer", token: s.mint(t, map[string]any{"iss": s.iss.URL + "/us-east-1_Other"})},
				{name: "wrong client", token: s.mint(t, map[string]any{"client_id": "another-client"})},
				{name: "id token", token: s.mint(t, map[string]any{"token_use": "id"})},
			}
			ctx := context.Background()
			for _, c := range s.contenders(t) {
				for _, tt := range tests {
					t.Run(c.name+"/"+tt.name, func(t *testing.T) {
						err := c.verify(ctx, tt.token)
						if tt.accept && err != nil {
							t.Fatalf("rejected a valid token: %v", err)
						}
						if !tt.accept && err == nil {
							t.Fatal("accepted a bad token")
						}
					})
				}
			}
		})
	}
}

// BenchmarkJWT is the warm verification of one token by each contender.
func BenchmarkJWT(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			s := newJWTSetup(b, alg)
			ctx := context.Background()
			for _, c := range rotate(s.contenders(b)) {
				b.Run(c.name, func(b *testing.B) {
					if err := c.verify(ctx, s.token); err != nil {
						b.Fatal(err)
					}
					measure(b, func() {
						if err := c.verify(ctx, s.token); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
		})
	}
}

package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
)

// The ALB contenders all verify the same x-amzn-oidc-data token, signed
// by the authorizertest load balancer stand-in (ES256, padded segments,
// signer, iss, client and exp in the header) with its key warm, and make
// the same decisions: signature, alg, signer, header exp, iss and client,
// and the payload's exp.

// albSetup is one load balancer stand-in and a token it signed.
type albSetup struct {
	lb    *authorizertest.ALB
	pub   *ecdsa.PublicKey // fetched once from the key endpoint
	token string
}

func newALBSetup(tb testing.TB) *albSetup {
	tb.Helper()
	lb := authorizertest.NewALB()
	tb.Cleanup(lb.Close)
	s := &albSetup{lb: lb}
	resp, err := lb.Client().Get(lb.KeyEndpoint + "/" + lb.KeyID())
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
	blk, _ := pem.Decode(body)
	if blk == nil {
		tb.Fatal("key endpoint: no PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	s.pub = pub.(*ecdsa.PublicKey)
	s.token = s.sign(tb, nil, nil)
	return s
}

// sign signs a Cognito-shaped userinfo payload, with overrides of the
// payload and header (nil deletes).
func (s *albSetup) sign(tb testing.TB, over, hdr map[string]any) string {
	tb.Helper()
	c := authorizertest.ALBClaims("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "alice", "alice@example.com")
	c["phone_number_verified"] = "false"
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	tok, err := s.lb.Sign(c, hdr)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// albContenders builds every verifier for s.
func (s *albSetup) contenders(tb testing.TB) []contender {
	tb.Helper()
	return []contender{
		{"seclambda", s.ours(tb, -1)},
		{"seclambda-cached", s.ours(tb, 1024)},
		{"golang-jwt", s.golangJWT()},
		{"floor", s.floor()},
	}
}

// ours is authorizer.NewALBVerifier with the verified-token cache of
// cacheSize entries (negative: off), warmed with one verification.
func (s *albSetup) ours(tb testing.TB, cacheSize int) func(context.Context, string) error {
	tb.Helper()
	cfg := s.lb.Config()
	cfg.CacheSize = cacheSize
	v, err := authorizer.NewALBVerifier(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), s.token); err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, token string) error {
		_, err := v.Verify(ctx, token)
		return err
	}
}

// albHeaderFields are the header fields every contender checks by hand
// or otherwise.
type albHeaderFields struct {
	Alg    string  `json:"alg"`
	Signer string  `json:"signer"`
	Iss    string  `json:"iss"`
	Client string  `json:"client"`
	Exp    float64 `json:"exp"`
}

func (s *albSetup) checkHeader(h albHeaderFields) error {
	if h.Alg != "ES256" || h.Signer != s.lb.ARN || h.Iss != s.lb.Issuer || h.Client != s.lb.ClientID ||
		float64(time.Now().Unix()) >= h.Exp {
		return errRejected
	}
	return nil
}

// golangJWT is jwt.Parser with WithPaddingAllowed, the static key, and the
// ALB header fields checked by hand.
func (s *albSetup) golangJWT() func(context.Context, string) error {
	p := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithPaddingAllowed(), jwt.WithIssuer(s.lb.Issuer))
	pub := s.pub
	kf := func(*jwt.Token) (any, error) { return pub, nil }
	return func(_ context.Context, token string) error {
		t, err := p.ParseWithClaims(token, jwt.MapClaims{}, kf)
		if err != nil {
			return err
		}
		var h albHeaderFields
		h.Alg, _ = t.Header["alg"].(string)
		h.Signer, _ = t.Header["signer"].(string)
		h.Iss, _ = t.Header["iss"].(string)
		h.Client, _ = t.Header["client"].(string)
		h.Exp, _ = t.Header["exp"].(float64)
		return s.checkHeader(h)
	}
}

// floor is the least a correct ALB verifier does: base64url with padding,
// the header decoded and its signer, iss, client and exp checked by hand,
// the signature checked with the one known key, and the claims decoded
// into a map with exp checked.
func (s *albSetup) floor() func(context.Context, string) error {
	pub := s.pub
	dec := func(seg string) ([]byte, error) {
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	}
	return func(_ context.Context, token string) error {
		first := strings.IndexByte(token, '.')
		dot := strings.LastIndexByte(token, '.')
		if first < 0 || dot <= first {
			return errRejected
		}
		hb, err := dec(token[:first])
		if err != nil {
			return err
		}
		var h albHeaderFields
		if err := json.Unmarshal(hb, &h); err != nil {
			return err
		}
		if err := s.checkHeader(h); err != nil {
			return err
		}
		sig, err := dec(token[dot+1:])
		if err != nil {
			return err
		}
		if len(sig) != 64 {
			return errRejected
		}
		sum := sha256.Sum256([]byte(token[:dot]))
		if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return errRejected
		}
		payload, err := dec(token[first+1 : dot])
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			return err
		}
		if exp, ok := m["exp"].(float64); ok && float64(time.Now().Unix()) >= exp {
			return errRejected
		}
		return nil
	}
}

// TestALBContendersAgree checks that every ALB contender accepts the same
// token and rejects the same bad ones.
func TestALBContendersAgree(t *testing.T) {
	s := newALBSetup(t)
	past := time.Now().Add(-time.Hour).Unix()
	tests := []struct {
		name   string
		token  string
		accept bool
	}{
		{name: "valid", token: s.token, accept: true},
		{name: "tampered payload", token: tamper(s.token)},
		{name: "tampered signature", token: strings.TrimRight(s.token, "=")[:len(strings.TrimRight(s.token, "="))-4] + "AAAA"},
		{name: "another signer", token: s.sign(t, nil, map[string]any{"signer": strings.Replace(authorizertest.ALBARN, "us-east-1", "eu-west-1", 1)})},
		{name: "header expired", token: s.sign(t, map[string]any{"exp": nil}, map[string]any{"exp": past})},
		{name: "payload expired", token: s.sign(t, map[string]any{"exp": past}, map[string]any{"exp": time.Now().Add(time.Hour).Unix()})},
		{name: "wrong issuer", token: s.sign(t, map[string]any{"iss": nil}, map[string]any{"iss": "https://evil.example"})},
		{name: "wrong client", token: s.sign(t, nil, map[string]any{"client": "another-client"})},
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
}

// BenchmarkALB is the warm verification of one ALB token by each
// contender.
func BenchmarkALB(b *testing.B) {
	s := newALBSetup(b)
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
}

package authorizer_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
)

// albSetup is a load balancer stand-in (an httptest TLS key endpoint) with
// a verifier of its tokens on an injected clock.
type albSetup struct {
	alb   *authorizertest.ALB
	clock *fakeClock
	v     *authorizer.ALBVerifier
}

// newALBSetup starts the stand-in and a verifier with the token cache off;
// mutate adjusts the config before construction.
func newALBSetup(t testing.TB, mutate func(*authorizer.ALBConfig)) *albSetup {
	t.Helper()
	s := &albSetup{alb: authorizertest.NewALB(), clock: newClock()}
	t.Cleanup(s.alb.Close)
	cfg := s.alb.Config()
	cfg.Clock = s.clock.Now
	cfg.CacheSize = -1
	if mutate != nil {
		mutate(&cfg)
	}
	v, err := authorizer.NewALBVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.v = v
	return s
}

// claims returns a valid payload for the setup's clock, with overrides
// (nil deletes a claim).
func (s *albSetup) claims(over map[string]any) map[string]any {
	c := map[string]any{
		"sub":            "user-1",
		"username":       "alice",
		"email":          "alice@example.com",
		"email_verified": "true",
		"exp":            s.clock.Now().Add(time.Hour).Unix(),
		"iss":            s.alb.Issuer,
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func (s *albSetup) sign(t testing.TB, over, hdr map[string]any) string {
	t.Helper()
	tok, err := s.alb.Sign(s.claims(over), hdr)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// pemKey returns a PEM public key on curve.
func pemKey(t testing.TB, curve elliptic.Curve) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

const otherRegionARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/test/0123456789abcdef"

// TestALBVerify is the attack and behaviour table of the ALB verifier.
func TestALBVerify(t *testing.T) {
	tests := []struct {
		name string
		// token builds the token; nil means a padded token of the setup's
		// claims with over and hdr.
		token     func(t *testing.T, s *albSetup) string
		over, hdr map[string]any
		before    func(s *albSetup)
		want      []error
		fetches   int64 // key requests expected; -1 means any
	}{
		{name: "valid padded", fetches: 1},
		{name: "valid unpadded", token: func(t *testing.T, s *albSetup) string {
			tok, err := s.alb.SignUnpadded(s.claims(nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tok, "=") {
				t.Fatal("unpadded token has padding")
			}
			return tok
		}, fetches: 1},
		{name: "payload without time claims or iss", over: map[string]any{"exp": nil, "iss": nil}, hdr: map[string]any{"exp": newClock().Now().Add(time.Hour).Unix()}, fetches: 1},
		{name: "signer mismatch", hdr: map[string]any{"signer": strings.Replace(authorizertest.ALBARN, "123456789012", "210987654321", 1)}, want: []error{authorizer.ErrSigner, authorizer.ErrUnauthorized}},
		{name: "region mismatch", hdr: map[string]any{"signer": otherRegionARN}, want: []error{authorizer.ErrSigner}},
		{name: "no signer", hdr: map[string]any{"signer": nil}, want: []error{authorizer.ErrSigner}},
		{name: "alg ES384", hdr: map[string]any{"alg": "ES384"}, want: []error{authorizer.ErrAlgNotAllowed}},
		{name: "alg RS256", hdr: map[string]any{"alg": "RS256"}, want: []error{authorizer.ErrAlgNotAllowed}},
		{name: "alg none", hdr: map[string]any{"alg": "none"}, want: []error{authorizer.ErrAlgNone}},
		{name: "alg HS256", hdr: map[string]any{"alg": "HS256"}, want: []error{authorizer.ErrAlgHMAC}},
		{name: "jku header", hdr: map[string]any{"jku": "https://evil.example/keys"}, want: []error{authorizer.ErrJKUHeader}},
		{name: "missing kid", hdr: map[string]any{"kid": nil}, want: []error{authorizer.ErrMissingKID}},
		{name: "non-UUID kid", hdr: map[string]any{"kid": "../../evil.example/x"}, want: []error{authorizer.ErrMalformed}},
		{name: "unknown kid", hdr: map[string]any{"kid": "00000000-0000-4000-8000-000000000000"}, want: []error{authorizer.ErrUnknownKID}, fetches: 1},
		{name: "expired header exp", hdr: map[string]any{"exp": newClock().Now().Add(-time.Second).Unix()}, want: []error{authorizer.ErrExpired}, fetches: 1},
		{name: "expired payload exp", over: map[string]any{"exp": newClock().Now().Add(-time.Second).Unix()}, hdr: map[string]any{"exp": newClock().Now().Add(time.Hour).Unix()}, want: []error{authorizer.ErrExpired}, fetches: 1},
		{name: "header exp missing", hdr: map[string]any{"exp": nil}, want: []error{authorizer.ErrMissingExp}, fetches: 1},
		{name: "header exp a string", hdr: map[string]any{"exp": "soon"}, want: []error{authorizer.ErrMalformed}},
		{name: "payload nbf in the future", over: map[string]any{"nbf": newClock().Now().Add(time.Minute).Unix()}, want: []error{authorizer.ErrNotYetValid}, fetches: 1},
		{name: "wrong issuer in header", hdr: map[string]any{"iss": "https://evil.example"}, want: []error{authorizer.ErrIssuer}, fetches: 1},
		{name: "wrong issuer in payload", over: map[string]any{"iss": "https://evil.example"}, want: []error{authorizer.ErrIssuer}, fetches: 1},
		{name: "wrong client", hdr: map[string]any{"client": "other-client"}, want: []error{authorizer.ErrClientID}, fetches: 1},
		{name: "no client", hdr: map[string]any{"client": nil}, want: []error{authorizer.ErrClientID}, fetches: 1},
		{name: "no sub", over: map[string]any{"sub": nil}, want: []error{authorizer.ErrMissingSubject}, fetches: 1},
		{name: "tampered payload", token: func(t *testing.T, s *albSetup) string {
			tok := s.sign(t, nil, nil)
			other := s.sign(t, map[string]any{"sub": "admin"}, nil)
			p := strings.Split(tok, ".")
			return p[0] + "." + strings.Split(other, ".")[1] + "." + p[2]
		}, want: []error{authorizer.ErrSignature}, fetches: 1},
		{name: "padding stripped from a signed segment", token: func(t *testing.T, s *albSetup) string {
			p := strings.Split(s.sign(t, nil, nil), ".")
			if !strings.HasSuffix(p[0], "=") && !strings.HasSuffix(p[1], "=") {
				// Make sure some segment is padded: add a claim.
				p = strings.Split(s.sign(t, map[string]any{"x": "y"}, nil), ".")
			}
			return strings.TrimRight(p[0], "=") + "." + strings.TrimRight(p[1], "=") + "." + p[2]
		}, want: []error{authorizer.ErrSignature}, fetches: -1},
		{name: "wrong padding", token: func(t *testing.T, s *albSetup) string {
			p := strings.Split(s.sign(t, nil, nil), ".")
			return p[0] + "." + p[1] + "." + strings.TrimRight(p[2], "=") + "==="
		}, want: []error{authorizer.ErrMalformed}, fetches: 1},
		{name: "padding inside a segment", token: func(t *testing.T, s *albSetup) string {
			p := strings.Split(s.sign(t, nil, nil), ".")
			return p[0][:4] + "=" + p[0][4:] + "." + p[1] + "." + p[2]
		}, want: []error{authorizer.ErrMalformed}},
		{name: "four segments", token: func(t *testing.T, s *albSetup) string { return s.sign(t, nil, nil) + ".x" }, want: []error{authorizer.ErrMalformed}},
		{name: "key endpoint outage fails closed", before: func(s *albSetup) { s.alb.FailKeys(http.StatusInternalServerError) },
			want: []error{authorizer.ErrJWKSFetch, authorizer.ErrUnavailable}, fetches: 1},
		{name: "key endpoint 503 is retried once", before: func(s *albSetup) { s.alb.FailKeys(http.StatusServiceUnavailable) },
			want: []error{authorizer.ErrJWKSFetch, authorizer.ErrUnavailable}, fetches: 2},
		{name: "oversized key response", before: func(s *albSetup) { s.alb.SetKeyBody(make([]byte, 8<<10)) },
			want: []error{authorizer.ErrJWKSFetch}, fetches: 1},
		{name: "key response not PEM", before: func(s *albSetup) { s.alb.SetKeyBody([]byte(`{"keys":[]}`)) },
			want: []error{authorizer.ErrJWKSFetch}, fetches: 1},
		{name: "key on the wrong curve", before: func(s *albSetup) { s.alb.SetKeyBody(pemKey(t, elliptic.P384())) },
			want: []error{authorizer.ErrJWKSFetch}, fetches: 1},
		{name: "another key under the kid", before: func(s *albSetup) { s.alb.SetKeyBody(pemKey(t, elliptic.P256())) },
			want: []error{authorizer.ErrSignature}, fetches: 1},
		{name: "empty", token: func(*testing.T, *albSetup) string { return "" }, want: []error{authorizer.ErrMissingToken}},
		{name: "too large", token: func(*testing.T, *albSetup) string { return strings.Repeat("a", 9<<10) }, want: []error{authorizer.ErrTokenTooLarge}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newALBSetup(t, nil)
			if tc.before != nil {
				tc.before(s)
			}
			var tok string
			if tc.token != nil {
				tok = tc.token(t, s)
			} else {
				tok = s.sign(t, tc.over, tc.hdr)
			}
			c, err := s.v.Verify(ctx(t), tok)
			wantErrs(t, err, tc.want...)
			if len(tc.want) > 0 {
				if c != nil {
					t.Fatal("claims with an error")
				}
				unavailable := errors.Is(err, authorizer.ErrUnavailable)
				if unavailable == errors.Is(err, authorizer.ErrUnauthorized) {
					t.Fatalf("error in both families or neither: %v", err)
				}
				if tok != "" && strings.Contains(err.Error(), tok) {
					t.Fatalf("error leaks the token: %v", err)
				}
			} else {
				if c.Subject != "user-1" || c.Issuer != authorizertest.ALBIssuer || c.ClientID != authorizertest.ALBClientID || c.Username != "alice" {
					t.Fatalf("claims: %+v", c)
				}
				if c.ExpiresAt.IsZero() || c.Raw["email"] != "alice@example.com" {
					t.Fatalf("claims: %+v", c)
				}
			}
			if tc.fetches >= 0 && s.alb.KeyFetches() != tc.fetches {
				t.Fatalf("key fetches = %d, want %d", s.alb.KeyFetches(), tc.fetches)
			}
		})
	}
}

// TestALBExpiresAt checks that the claims expire at the earlier of the
// header's and the payload's exp.
func TestALBExpiresAt(t *testing.T) {
	s := newALBSetup(t, nil)
	now := s.clock.Now()
	for _, tc := range []struct {
		name         string
		header, body time.Duration
		want         time.Duration
	}{
		{"header first", time.Minute, time.Hour, time.Minute},
		{"payload first", time.Hour, time.Minute, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := s.sign(t, map[string]any{"exp": now.Add(tc.body).Unix()}, map[string]any{"exp": now.Add(tc.header).Unix()})
			c, err := s.v.Verify(ctx(t), tok)
			if err != nil {
				t.Fatal(err)
			}
			if !c.ExpiresAt.Equal(now.Add(tc.want)) {
				t.Fatalf("ExpiresAt = %v, want %v", c.ExpiresAt, now.Add(tc.want))
			}
		})
	}
}

// TestALBLeeway checks that Leeway applies to the header's exp.
func TestALBLeeway(t *testing.T) {
	s := newALBSetup(t, func(c *authorizer.ALBConfig) { c.Leeway = time.Minute })
	tok := s.sign(t, map[string]any{"exp": nil}, map[string]any{"exp": s.clock.Now().Add(-30 * time.Second).Unix()})
	if _, err := s.v.Verify(ctx(t), tok); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	s.clock.Advance(time.Minute)
	if _, err := s.v.Verify(ctx(t), tok); !errors.Is(err, authorizer.ErrExpired) {
		t.Fatalf("beyond leeway: %v", err)
	}
}

// TestALBKeyCache covers the key cache: outage backoff, the wait after an
// unknown kid, rotation, single flight and the bound.
func TestALBKeyCache(t *testing.T) {
	t.Run("outage then backoff then recovery", func(t *testing.T) {
		s := newALBSetup(t, nil)
		tok := s.sign(t, nil, nil)
		s.alb.FailKeys(http.StatusInternalServerError)
		wantErrs(t, verifyErr(t, s, tok), authorizer.ErrJWKSFetch)
		wantErrs(t, verifyErr(t, s, tok), authorizer.ErrBackoff, authorizer.ErrUnavailable)
		if n := s.alb.KeyFetches(); n != 1 {
			t.Fatalf("fetches in backoff: %d", n)
		}
		s.alb.FailKeys(0)
		s.clock.Advance(authorizer.DefaultRetryBackoff)
		wantErrs(t, verifyErr(t, s, tok))
	})
	t.Run("cached key survives an outage", func(t *testing.T) {
		s := newALBSetup(t, nil)
		tok := s.sign(t, nil, nil)
		wantErrs(t, verifyErr(t, s, tok))
		s.alb.FailKeys(http.StatusInternalServerError)
		s.clock.Advance(24 * time.Hour)
		wantErrs(t, verifyErr(t, s, s.sign(t, nil, nil)))
		if n := s.alb.KeyFetches(); n != 1 {
			t.Fatalf("fetches: %d", n)
		}
	})
	t.Run("forged kids wait for the refresh interval", func(t *testing.T) {
		s := newALBSetup(t, nil)
		forged := func(i int) string {
			kid := "00000000-0000-4000-8000-00000000000" + string(rune('0'+i))
			return s.sign(t, nil, map[string]any{"kid": kid})
		}
		for i := range 5 {
			wantErrs(t, verifyErr(t, s, forged(i)), authorizer.ErrUnknownKID)
		}
		if n := s.alb.KeyFetches(); n != 1 {
			t.Fatalf("fetches for 5 forged kids: %d", n)
		}
		// A real new kid waits too, then verifies.
		if _, err := s.alb.Rotate(); err != nil {
			t.Fatal(err)
		}
		tok := s.sign(t, nil, nil)
		wantErrs(t, verifyErr(t, s, tok), authorizer.ErrUnknownKID)
		s.clock.Advance(authorizer.DefaultMinRefreshInterval)
		wantErrs(t, verifyErr(t, s, tok))
	})
	t.Run("rotation", func(t *testing.T) {
		s := newALBSetup(t, nil)
		old := s.sign(t, nil, nil)
		wantErrs(t, verifyErr(t, s, old))
		if _, err := s.alb.Rotate(); err != nil {
			t.Fatal(err)
		}
		wantErrs(t, verifyErr(t, s, s.sign(t, nil, nil)))
		wantErrs(t, verifyErr(t, s, old))
		if n := s.alb.KeyFetches(); n != 2 {
			t.Fatalf("fetches: %d", n)
		}
	})
	t.Run("single flight", func(t *testing.T) {
		s := newALBSetup(t, nil)
		tok := s.sign(t, nil, nil)
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.v.Verify(ctx(t), tok)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := s.alb.KeyFetches(); n != 1 {
			t.Fatalf("fetches: %d", n)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		s := newALBSetup(t, nil)
		first := s.sign(t, nil, nil)
		wantErrs(t, verifyErr(t, s, first))
		for range 16 {
			if _, err := s.alb.Rotate(); err != nil {
				t.Fatal(err)
			}
			wantErrs(t, verifyErr(t, s, s.sign(t, nil, nil)))
		}
		if n := s.alb.KeyFetches(); n != 17 {
			t.Fatalf("fetches: %d", n)
		}
		// The first kid was dropped, so it is fetched again.
		wantErrs(t, verifyErr(t, s, first))
		if n := s.alb.KeyFetches(); n != 18 {
			t.Fatalf("fetches after the bound: %d", n)
		}
	})
	t.Run("token cache", func(t *testing.T) {
		s := newALBSetup(t, func(c *authorizer.ALBConfig) { c.CacheSize = 0 })
		tok := s.sign(t, nil, nil)
		a, err := s.v.Verify(ctx(t), tok)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.v.Verify(ctx(t), tok)
		if err != nil || a != b {
			t.Fatalf("not cached: %v", err)
		}
		s.clock.Advance(2 * time.Hour)
		wantErrs(t, verifyErr(t, s, tok), authorizer.ErrExpired)
	})
}

func verifyErr(t *testing.T, s *albSetup, tok string) error {
	t.Helper()
	_, err := s.v.Verify(ctx(t), tok)
	return err
}

// TestALBConfig covers the constructor's validation.
func TestALBConfig(t *testing.T) {
	a := authorizertest.NewALB()
	defer a.Close()
	tests := []struct {
		name   string
		mutate func(c *authorizer.ALBConfig)
		ok     bool
	}{
		{name: "kit config", ok: true},
		{name: "any client", mutate: func(c *authorizer.ALBConfig) { c.ClientID, c.InsecureAnyClientID = "", true }, ok: true},
		{name: "GovCloud", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
		}, ok: true},
		{name: "no ARN", mutate: func(c *authorizer.ALBConfig) { c.LoadBalancerARN = "" }},
		{name: "network load balancer", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web/50dc6c495c0c9188"
		}},
		{name: "target group ARN", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/50dc6c495c0c9188"
		}},
		{name: "bad region", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws:elasticloadbalancing:evil.example/x:123456789012:loadbalancer/app/web/1"
		}},
		{name: "GovCloud region in aws partition", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/1"
		}},
		{name: "China", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/web/1"
		}},
		{name: "bad account", mutate: func(c *authorizer.ALBConfig) {
			c.LoadBalancerARN = "arn:aws:elasticloadbalancing:us-east-1:1234:loadbalancer/app/web/1"
		}},
		{name: "no issuer", mutate: func(c *authorizer.ALBConfig) { c.Issuer = "" }},
		{name: "no client", mutate: func(c *authorizer.ALBConfig) { c.ClientID = "" }},
		{name: "client and any client", mutate: func(c *authorizer.ALBConfig) { c.InsecureAnyClientID = true }},
		{name: "negative leeway", mutate: func(c *authorizer.ALBConfig) { c.Leeway = -time.Second }},
		{name: "negative cache TTL", mutate: func(c *authorizer.ALBConfig) { c.CacheTTL = -time.Second }},
		{name: "key endpoint not on loopback", mutate: func(c *authorizer.ALBConfig) { c.KeyEndpoint = "https://keys.example.com" }},
		{name: "http key endpoint", mutate: func(c *authorizer.ALBConfig) { c.KeyEndpoint = "http://127.0.0.1:1" }},
		{name: "http key endpoint allowed", mutate: func(c *authorizer.ALBConfig) {
			c.KeyEndpoint, c.InsecureAllowHTTPLoopback = "http://127.0.0.1:1", true
		}, ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := a.Config()
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			v, err := authorizer.NewALBVerifier(cfg)
			if tc.ok {
				if err != nil || v == nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, authorizer.ErrConfig) || v != nil {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
		})
	}
}

// TestALBKeyEndpoint checks the AWS key locations.
func TestALBKeyEndpoint(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1":                "https://public-keys.auth.elb.eu-west-1.amazonaws.com",
		"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/1":     "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
		"arn:aws-us-gov:elasticloadbalancing:us-gov-east-1:123456789012:loadbalancer/app/web/1":     "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
		"arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/app/web/50dc6c495c0": "https://public-keys.auth.elb.ap-southeast-2.amazonaws.com",
	} {
		if got := authorizer.ALBKeyEndpoint(t, arn); got != want {
			t.Errorf("%s: %s, want %s", arn, got, want)
		}
	}
}

func FuzzVerifyALB(f *testing.F) {
	s := newALBSetup(f, nil)
	valid := s.sign(f, nil, nil)
	unpadded, err := s.alb.SignUnpadded(s.claims(nil), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(unpadded)
	f.Add(valid[:len(valid)-5] + marker)
	f.Add(s.sign(f, nil, map[string]any{"kid": marker}))
	f.Add(s.sign(f, nil, map[string]any{"signer": marker}))
	f.Add(s.sign(f, nil, map[string]any{"alg": "none"}))
	f.Add("==.==.==")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := s.v.Verify(ctx(t), token)
		if err == nil {
			// The signature covers the header and payload as sent; only
			// the encoding of the signature itself may vary.
			if signed(token) != signed(valid) && signed(token) != signed(unpadded) {
				t.Fatalf("accepted a token that was never issued")
			}
			if c == nil {
				t.Fatal("nil claims without error")
			}
			return
		}
		if c != nil {
			t.Fatal("claims with an error")
		}
		if !errors.Is(err, authorizer.ErrUnauthorized) && !errors.Is(err, authorizer.ErrUnavailable) {
			t.Fatalf("error outside both families: %v", err)
		}
		if strings.Contains(err.Error(), marker) || (len(token) > 16 && strings.Contains(err.Error(), token)) {
			t.Fatalf("error leaks input: %v", err)
		}
	})
}

// signed returns the signing input of a compact token.
func signed(tok string) string {
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		return tok[:i]
	}
	return tok
}

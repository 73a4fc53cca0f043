package testpeer_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// checkSignature verifies a compact JWS with the standard library only.
func checkSignature(t *testing.T, token string, pub crypto.PublicKey, alg string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte(parts[0] + "." + parts[1])
	switch alg {
	case "RS256":
		d := sha256.Sum256(msg)
		if err := rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, d[:], sig); err != nil {
			t.Fatalf("RS256: %v", err)
		}
	case "ES256", "ES384":
		var d []byte
		if alg == "ES256" {
			s := sha256.Sum256(msg)
			d = s[:]
		} else {
			s := sha512.Sum384(msg)
			d = s[:]
		}
		half := len(sig) / 2
		r, s := new(big.Int).SetBytes(sig[:half]), new(big.Int).SetBytes(sig[half:])
		if !ecdsa.Verify(pub.(*ecdsa.PublicKey), d, r, s) {
			t.Fatalf("%s: bad signature", alg)
		}
	default:
		t.Fatalf("unexpected alg %s", alg)
	}
}

func getJSON(t *testing.T, c *http.Client, url string, out any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestIssuerMintsVerifiableTokens(t *testing.T) {
	tests := []struct {
		name string
		key  func(t *testing.T) *testpeer.Key
	}{
		{name: "RS256", key: func(t *testing.T) *testpeer.Key { return testpeer.NewRSAKey(t, "r", 2048) }},
		{name: "ES256", key: func(t *testing.T) *testpeer.Key { return testpeer.NewECKey(t, "e", elliptic.P256()) }},
		{name: "ES384", key: func(t *testing.T) *testpeer.Key { return testpeer.NewECKey(t, "e", elliptic.P384()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iss := testpeer.StartIssuer(t)
			k := tc.key(t)
			iss.Publish(k)
			iss.SetSigningKey(k)
			tok := iss.Mint(t, map[string]any{"sub": "u1"}, nil)
			checkSignature(t, tok, k.Public(), tc.name)

			var jwks struct{ Keys []map[string]any }
			if code := getJSON(t, http.DefaultClient, iss.JWKSURL, &jwks); code != http.StatusOK {
				t.Fatalf("jwks status %d", code)
			}
			if len(jwks.Keys) != 1 || jwks.Keys[0]["kid"] != k.ID || jwks.Keys[0]["alg"] != tc.name {
				t.Fatalf("jwks = %v", jwks.Keys)
			}
			if got := iss.JWKSFetches(); got != 1 {
				t.Fatalf("fetches = %d, want 1", got)
			}
			payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil || claims["iss"] != iss.URL {
				t.Fatalf("claims = %v (%v)", claims, err)
			}
		})
	}
}

func TestIssuerFaults(t *testing.T) {
	iss := testpeer.StartIssuerTLS(t)
	var doc map[string]any
	if code := getJSON(t, iss.Client(), iss.URL+"/.well-known/openid-configuration", &doc); code != http.StatusOK {
		t.Fatalf("discovery status %d", code)
	}
	if doc["issuer"] != iss.URL || doc["jwks_uri"] != iss.JWKSURL {
		t.Fatalf("discovery = %v", doc)
	}
	iss.FailJWKS(http.StatusInternalServerError)
	if code := getJSON(t, iss.Client(), iss.JWKSURL, nil); code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", code)
	}
	iss.FailJWKS(0)
	k2 := iss.Rotate(t, "k2")
	var jwks struct{ Keys []map[string]any }
	getJSON(t, iss.Client(), iss.JWKSURL, &jwks)
	if len(jwks.Keys) != 2 || iss.SigningKey().Key != k2.Key {
		t.Fatalf("after rotate: %d keys", len(jwks.Keys))
	}
	iss.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, iss.JWKSURL, nil)
	if resp, err := iss.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("slow JWKS answered before the client deadline")
	}
	if got := iss.JWKSFetches(); got != 3 {
		t.Fatalf("fetches = %d, want 3", got)
	}
}

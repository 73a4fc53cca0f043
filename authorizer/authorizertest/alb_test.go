package authorizertest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/authorizer/authorizertest"
)

// TestALB checks that the kit's tokens verify under the configuration it
// hands out, padded or not, across a rotation, and that its faults reach
// the verifier.
func TestALB(t *testing.T) {
	lb := authorizertest.NewALB()
	t.Cleanup(lb.Close)
	cfg := lb.Config()
	cfg.CacheSize = -1
	v, err := authorizer.NewALBVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	claims := authorizertest.ALBClaims("sub-1", "alice", "alice@example.org")
	padded, err := lb.Sign(claims, nil)
	if err != nil {
		t.Fatal(err)
	}
	unpadded, err := lb.SignUnpadded(claims, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(unpadded, "=") {
		t.Fatal("SignUnpadded padded")
	}
	for _, tok := range []string{padded, unpadded} {
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != "sub-1" || c.Username != "alice" || c.ClientID != authorizertest.ALBClientID || c.Issuer != authorizertest.ALBIssuer {
			t.Fatalf("claims = %+v", c)
		}
	}
	old := lb.KeyID()
	kid, err := lb.Rotate()
	if err != nil || kid == old || lb.KeyID() != kid {
		t.Fatalf("rotate: %q %q %v", old, kid, err)
	}
	lb.FailKeys(http.StatusInternalServerError)
	rotated, _ := lb.Sign(claims, nil)
	if _, err := v.Verify(context.Background(), rotated); !errors.Is(err, authorizer.ErrUnavailable) {
		t.Fatalf("outage: %v", err)
	}
	if _, err := v.Verify(context.Background(), padded); err != nil {
		t.Fatalf("cached key during an outage: %v", err)
	}
	if n := lb.KeyFetches(); n != 2 {
		t.Fatalf("fetches = %d", n)
	}
	e := lb.Event("POST", "/notes", padded, true)
	if e.HTTPMethod != "POST" || e.MultiValueHeaders["x-amzn-oidc-data"][0] != padded || e.Headers != nil {
		t.Fatalf("event = %+v", e)
	}
	if e := lb.Event("GET", "/", "", false); e.Headers["x-amzn-oidc-data"] != "" || e.MultiValueHeaders != nil {
		t.Fatalf("event without token = %+v", e)
	}
}

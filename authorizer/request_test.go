package authorizer_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// ruleEnv is what the rows of TestRequestRules build their options from.
type ruleEnv struct {
	certs  *mtls.Validator // trusts pki, with its CRLs
	noCRLs *mtls.Validator // trusts pki, CRLs never loaded
	pki    *testpeer.PKI
	alice  *testpeer.Cert // CN "alice", the token's username
}

// sameUser binds a certificate to the token: its common name must be the
// token's username.
func sameUser(_ context.Context, id *mtls.Identity, c *authorizer.Claims) error {
	if id.CommonName == "" || id.CommonName != c.Username {
		return errors.New("certificate and token name different users")
	}
	return nil
}

// TestRequestRules runs WithRequestRule and WithClientCert through the
// REQUEST and both HTTP API handlers, with tokens of the test OIDC issuer
// and certificates of the test PKI, and checks that a TOKEN authorizer
// refuses them.
func TestRequestRules(t *testing.T) {
	s := newOIDC(t, nil)
	pki := testpeer.NewPKI(t, s.clock.Now())
	alice, err := testpeer.NewLeaf(pki.Intermediate, pki.At, testpeer.LeafOptions{CommonName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := mtls.NewValidator(mtls.Config{TrustStore: pki.TrustStorePEM(), CRLs: pki.CRLsPEM(), AllowAny: true, Clock: func() time.Time { return pki.At }})
	if err != nil {
		t.Fatal(err)
	}
	noCRLs, err := mtls.NewValidator(mtls.Config{
		TrustStore: pki.TrustStorePEM(), AllowAny: true, Clock: func() time.Time { return pki.At },
		CRLLoader: func(context.Context) ([][]byte, error) { return nil, errors.New("CRL endpoint down") },
	})
	if err != nil {
		t.Fatal(err)
	}
	env := ruleEnv{certs: certs, noCRLs: noCRLs, pki: pki, alice: alice}

	tenantRule := authorizer.WithRequestRule(func(_ context.Context, r *authorizer.Request, c *authorizer.Claims) error {
		if tenant, _ := c.Raw["tenant"].(string); tenant == "" || r.PathParameters["tenant"] != tenant {
			return errors.New("tenant of the path is not the token's")
		}
		return nil
	})
	office := netip.MustParsePrefix("198.51.100.0/24")
	ipRule := authorizer.WithRequestRule(func(_ context.Context, r *authorizer.Request, _ *authorizer.Claims) error {
		ip, err := netip.ParseAddr(r.SourceIP)
		if err != nil || !office.Contains(ip) {
			return errors.New("source IP outside the office")
		}
		return nil
	})
	headerRule := authorizer.WithRequestRule(func(_ context.Context, r *authorizer.Request, _ *authorizer.Claims) error {
		if r.Header("X-Tenant") != "t1" || r.Query("view") != "full" || r.Method != "GET" || !strings.HasPrefix(r.Path, "/tenants/") || r.ARN == "" {
			return errors.New("request does not match")
		}
		return nil
	})

	type outcome int
	const (
		allow outcome = iota
		deny
		fail    // the error in wantErr
		refused // New fails with ErrConfig
	)
	tests := []struct {
		name     string
		opts     func(e ruleEnv) []authorizer.Option
		tenant   string // the path parameter; "t1" unless set
		sourceIP string // "198.51.100.7" unless set
		cert     func(e ruleEnv) *testpeer.Cert
		noToken  bool
		want     outcome
		wantErr  error
		wantWhy  []error // what WithOnReject is told of a Deny
		wantCert bool    // the context carries the certificate
	}{
		{name: "tenant of the path is the token's", opts: func(ruleEnv) []authorizer.Option { return []authorizer.Option{tenantRule} }, want: allow},
		{name: "tenant of the path is another", opts: func(ruleEnv) []authorizer.Option { return []authorizer.Option{tenantRule} }, tenant: "t2", want: deny, wantWhy: []error{authorizer.ErrRuleRejected, authorizer.ErrForbidden}},
		{name: "source IP in range", opts: func(ruleEnv) []authorizer.Option { return []authorizer.Option{ipRule} }, want: allow},
		{name: "source IP out of range", opts: func(ruleEnv) []authorizer.Option { return []authorizer.Option{ipRule} }, sourceIP: "203.0.113.9", want: deny, wantWhy: []error{authorizer.ErrRuleRejected}},
		{name: "headers, query, method and path", opts: func(ruleEnv) []authorizer.Option { return []authorizer.Option{headerRule} }, want: allow},
		{name: "rule outage is a 500", opts: func(ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithRequestRule(func(context.Context, *authorizer.Request, *authorizer.Claims) error {
				return fmt.Errorf("tenant store: %w", authorizer.ErrUnavailable)
			})}
		}, want: fail, wantErr: authorizer.ErrUnavailable},
		{name: "mtls outage in a rule is a 500", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithRequestRule(func(_ context.Context, r *authorizer.Request, _ *authorizer.Claims) error {
				_, err := e.noCRLs.Validate(r.ClientCert)
				return err
			})}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.alice }, want: fail, wantErr: mtls.ErrUnavailable},
		{name: "no token is 401 before any rule", opts: func(ruleEnv) []authorizer.Option { return []authorizer.Option{tenantRule} }, noToken: true, want: fail, wantErr: authorizer.ErrUnauthorized},

		{name: "certificate of the token's user", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, sameUser)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.alice }, want: allow, wantCert: true},
		{name: "any certificate without bind", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, nil)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.pki.Good }, want: allow, wantCert: true},
		{name: "certificate of another user", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, sameUser)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.pki.Good }, want: deny, wantWhy: []error{authorizer.ErrRuleRejected}},
		{name: "no certificate", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, sameUser)}
		}, want: deny, wantWhy: []error{authorizer.ErrRuleRejected, mtls.ErrNoClientCert, mtls.ErrRejected}},
		{name: "revoked certificate", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, nil)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.pki.Revoked }, want: deny, wantWhy: []error{authorizer.ErrRuleRejected, mtls.ErrRevoked}},
		{name: "certificate of an untrusted CA", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, nil)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.pki.OtherCA }, want: deny, wantWhy: []error{mtls.ErrUnknownCA}},
		{name: "server certificate", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, nil)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.pki.ServerAuthOnly }, want: deny, wantWhy: []error{mtls.ErrWrongEKU}},
		{name: "CRLs not loaded is a 500", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.noCRLs, sameUser)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.alice }, want: fail, wantErr: mtls.ErrUnavailable},
		{name: "certificate and request rule", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, sameUser), tenantRule}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.alice }, tenant: "t2", want: deny, wantWhy: []error{authorizer.ErrRuleRejected}},
		{name: "nil validator is an error, not an unchecked certificate", opts: func(ruleEnv) []authorizer.Option {
			return []authorizer.Option{tenantRule, authorizer.WithClientCert(nil, sameUser)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.pki.OtherCA }, want: refused},
		{name: "nil request rule is an error", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, nil), authorizer.WithRequestRule(nil)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.alice }, want: refused},
		{name: "certificate without token", opts: func(e ruleEnv) []authorizer.Option {
			return []authorizer.Option{authorizer.WithClientCert(e.certs, sameUser)}
		}, cert: func(e ruleEnv) *testpeer.Cert { return e.alice }, noToken: true, want: fail, wantErr: authorizer.ErrUnauthorized},
	}

	var restReq events.APIGatewayCustomAuthorizerRequestTypeRequest
	fixture(t, "apigw-custom-auth-request-type-request.json", &restReq)
	var httpReq events.APIGatewayV2CustomAuthorizerV2Request
	fixture(t, "apigw-v2-custom-authorizer-v2-request.json", &httpReq)
	tok := s.mint(t, map[string]any{"tenant": "t1"}, nil)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant, ip, pem, bearer := "t1", "198.51.100.7", "", "Bearer "+tok
			if tt.tenant != "" {
				tenant = tt.tenant
			}
			if tt.sourceIP != "" {
				ip = tt.sourceIP
			}
			if tt.cert != nil {
				pem = tt.cert(env).PEMString()
			}
			if tt.noToken {
				bearer = ""
			}
			var why error
			opts := append(tt.opts(env), authorizer.WithOnReject(func(_ context.Context, reason error) { why = reason }))
			a, err := authorizer.New(s.v, opts...)
			if tt.want == refused {
				wantErrs(t, err, authorizer.ErrConfig)
				return
			}
			wantErrs(t, err)

			// check compares one handler's outcome with the row's.
			check := func(t *testing.T, err error, allowed bool, ctxMap map[string]any) {
				t.Helper()
				switch tt.want {
				case fail:
					wantErrs(t, err, tt.wantErr)
					if tt.wantErr != authorizer.ErrUnauthorized && err.Error() == "Unauthorized" {
						t.Fatal("a 500 case answered Unauthorized")
					}
					return
				case allow:
					wantErrs(t, err)
					if !allowed {
						t.Fatalf("denied (%v), want allow", why)
					}
					if ctxMap["sub"] != "user-1" {
						t.Errorf("context = %v", ctxMap)
					}
					if _, ok := ctxMap["mtlsFingerprint"]; ok != tt.wantCert {
						t.Errorf("context = %v, certificate entries %v", ctxMap, tt.wantCert)
					}
				case deny:
					wantErrs(t, err)
					if allowed {
						t.Fatal("allowed, want deny")
					}
					wantErrs(t, why, tt.wantWhy...)
				}
			}

			t.Run("REST REQUEST", func(t *testing.T) {
				r := restReq
				r.Path, r.HTTPMethod, r.Resource = "/tenants/"+tenant+"/orders", "GET", "/tenants/{tenant}/orders"
				r.PathParameters = map[string]string{"tenant": tenant}
				r.Headers = map[string]string{"X-Tenant": "t1"}
				if bearer != "" {
					r.Headers["Authorization"] = bearer
				}
				r.QueryStringParameters = map[string]string{"view": "full"}
				r.RequestContext.Identity.SourceIP = ip
				r.RequestContext.Identity.ClientCert.ClientCertPem = pem
				why = nil
				resp, err := a.RESTRequest(ctx(t), r)
				check(t, err, err == nil && resp.PolicyDocument.Statement[0].Effect == "Allow", resp.Context)
			})
			for _, simple := range []bool{true, false} {
				t.Run(fmt.Sprintf("HTTP API simple=%v", simple), func(t *testing.T) {
					r := httpReq
					r.RouteKey = "GET /tenants/{tenant}/orders"
					r.RequestContext.HTTP.Method, r.RequestContext.HTTP.Path = "GET", "/tenants/"+tenant+"/orders"
					r.PathParameters = map[string]string{"tenant": tenant}
					r.Headers = map[string]string{"x-tenant": "t1"}
					if bearer != "" {
						r.Headers["authorization"] = bearer
					}
					r.QueryStringParameters = map[string]string{"view": "full"}
					r.RequestContext.HTTP.SourceIP = ip
					r.RequestContext.Authentication.ClientCert.ClientCertPem = pem
					why = nil
					if simple {
						resp, err := a.HTTPAPISimple(ctx(t), r)
						check(t, err, err == nil && resp.IsAuthorized, resp.Context)
						return
					}
					resp, err := a.HTTPAPIIAM(ctx(t), r)
					check(t, err, err == nil && resp.PolicyDocument.Statement[0].Effect == "Allow", resp.Context)
				})
			}
			t.Run("REST TOKEN refuses", func(t *testing.T) {
				resp, err := a.RESTToken(ctx(t), events.APIGatewayCustomAuthorizerRequest{
					Type: "TOKEN", AuthorizationToken: bearer, MethodArn: restReq.MethodArn,
				})
				// Every call, with or without a token: the
				// configuration is wrong, not the request.
				wantErrs(t, err, authorizer.ErrConfig)
				if err.Error() == "Unauthorized" {
					t.Fatal("ErrConfig answered as Unauthorized")
				}
				if len(resp.PolicyDocument.Statement) != 0 {
					t.Fatalf("policy %+v with an error", resp.PolicyDocument)
				}
			})
		})
	}
}

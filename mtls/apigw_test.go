package mtls_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// loadEvent reads testdata/name, substitutes the placeholders with cert
// (JSON-escaped PEM and ALB URL encoding), and unmarshals it into out.
func loadEvent(tb testing.TB, name string, cert *testpeer.Cert, out any) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	pemJSON, urlEnc := "", ""
	if cert != nil {
		b, err := json.Marshal(cert.PEMString())
		if err != nil {
			tb.Fatal(err)
		}
		pemJSON = strings.Trim(string(b), `"`)
		urlEnc = cert.URLEncoded()
	}
	s := strings.ReplaceAll(string(raw), "{{CLIENT_CERT_PEM}}", pemJSON)
	s = strings.ReplaceAll(s, "{{CLIENT_CERT_URLENCODED}}", urlEnc)
	if err := json.Unmarshal([]byte(s), out); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

func TestEventHelpers(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	type helper func(tb testing.TB, cert *testpeer.Cert) (*mtls.Identity, error)
	rest := func(file string) helper {
		return func(tb testing.TB, cert *testpeer.Cert) (*mtls.Identity, error) {
			var e events.APIGatewayProxyRequest
			loadEvent(tb, file, cert, &e)
			return v.FromREST(e)
		}
	}
	httpAPI := func(tb testing.TB, cert *testpeer.Cert) (*mtls.Identity, error) {
		var e events.APIGatewayV2HTTPRequest
		loadEvent(tb, "httpapi-request.json", cert, &e)
		return v.FromHTTPAPI(e)
	}
	reqAuth := func(tb testing.TB, cert *testpeer.Cert) (*mtls.Identity, error) {
		var e events.APIGatewayCustomAuthorizerRequestTypeRequest
		loadEvent(tb, "rest-request-authorizer.json", cert, &e)
		return v.FromRESTRequest(e)
	}
	httpAuth := func(tb testing.TB, cert *testpeer.Cert) (*mtls.Identity, error) {
		var e events.APIGatewayV2CustomAuthorizerV2Request
		loadEvent(tb, "httpapi-authorizer-request.json", cert, &e)
		return v.FromHTTPAPIRequest(e)
	}
	alb := func(file string) helper {
		return func(tb testing.TB, cert *testpeer.Cert) (*mtls.Identity, error) {
			var e events.ALBTargetGroupRequest
			loadEvent(tb, file, cert, &e)
			return v.FromALB(e)
		}
	}
	tests := []struct {
		name string
		fn   helper
		cert *testpeer.Cert // nil: the placeholder becomes ""
		want []error
	}{
		{name: "REST", fn: rest("rest-proxy-request.json"), cert: p.Good},
		{name: "REST revoked", fn: rest("rest-proxy-request.json"), cert: p.Revoked, want: []error{mtls.ErrRevoked}},
		{name: "REST empty clientCertPem", fn: rest("rest-proxy-request.json"), want: []error{mtls.ErrNoClientCert}},
		{name: "REST without clientCert", fn: rest("rest-proxy-request-no-cert.json"), want: []error{mtls.ErrNoClientCert, mtls.ErrRejected}},
		{name: "HTTP API", fn: httpAPI, cert: p.Good},
		{name: "HTTP API expired", fn: httpAPI, cert: p.Expired, want: []error{mtls.ErrExpired}},
		{name: "HTTP API without certificate", fn: httpAPI, want: []error{mtls.ErrNoClientCert}},
		{name: "REQUEST authorizer", fn: reqAuth, cert: p.Good},
		{name: "REQUEST authorizer other CA", fn: reqAuth, cert: p.OtherCA, want: []error{mtls.ErrUnknownCA}},
		{name: "REQUEST authorizer without certificate", fn: reqAuth, want: []error{mtls.ErrNoClientCert}},
		{name: "HTTP API authorizer", fn: httpAuth, cert: p.Good},
		{name: "HTTP API authorizer without certificate", fn: httpAuth, want: []error{mtls.ErrNoClientCert}},
		{name: "ALB headers", fn: alb("alb-request-headers.json"), cert: p.Good},
		{name: "ALB multi-value headers", fn: alb("alb-request-multivalue-headers.json"), cert: p.Good},
		{name: "ALB serverAuth only", fn: alb("alb-request-headers.json"), cert: p.ServerAuthOnly, want: []error{mtls.ErrWrongEKU}},
		{name: "ALB empty header", fn: alb("alb-request-headers.json"), want: []error{mtls.ErrNoClientCert}},
		{name: "ALB without header", fn: alb("alb-request-no-cert.json"), want: []error{mtls.ErrNoClientCert}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := tt.fn(t, tt.cert)
			checkErr(t, err, tt.want...)
			if err == nil && id.FingerprintSHA256 != fingerprint(tt.cert.DER) {
				t.Fatal("identity of another certificate")
			}
		})
	}
}

func TestFromALBHeaders(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	good, other := p.Good.URLEncoded(), p.Other.URLEncoded()
	chain := testpeer.ALBEncode(testpeer.Bundle(p.Good, p.Intermediate))
	tests := []struct {
		name    string
		headers map[string]string
		multi   map[string][]string
		wantCN  string
		want    []error
	}{
		{name: "canonical case", headers: map[string]string{"X-Amzn-Mtls-Clientcert": good}, wantCN: "client-good"},
		{name: "upper case", headers: map[string]string{"X-AMZN-MTLS-CLIENTCERT": good}, wantCN: "client-good"},
		{name: "passthrough chain", headers: map[string]string{"x-amzn-mtls-clientcert": chain}, wantCN: "client-good"},
		{name: "verify mode leaf", headers: map[string]string{"x-amzn-mtls-clientcert-leaf": other}, wantCN: "client-other"},
		{name: "both agree", headers: map[string]string{"x-amzn-mtls-clientcert": chain, "x-amzn-mtls-clientcert-leaf": good},
			wantCN: "client-good"},
		{name: "both disagree", headers: map[string]string{"x-amzn-mtls-clientcert": good, "x-amzn-mtls-clientcert-leaf": other},
			want: []error{mtls.ErrMalformed}},
		{name: "two casings", headers: map[string]string{"x-amzn-mtls-clientcert": good, "X-Amzn-Mtls-Clientcert": good},
			want: []error{mtls.ErrMalformed}},
		{name: "multi-value", multi: map[string][]string{"x-amzn-mtls-clientcert": {good}}, wantCN: "client-good"},
		{name: "multi-value twice", multi: map[string][]string{"x-amzn-mtls-clientcert": {good, other}},
			want: []error{mtls.ErrMalformed, mtls.ErrRejected}},
		{name: "multi-value wins over headers", multi: map[string][]string{"x-amzn-mtls-clientcert": {other}},
			headers: map[string]string{"x-amzn-mtls-clientcert": good}, wantCN: "client-other"},
		{name: "no headers", want: []error{mtls.ErrNoClientCert}},
		{name: "other headers only", headers: map[string]string{"x-amzn-mtls-clientcert-subject": "CN=client-good"},
			want: []error{mtls.ErrNoClientCert}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := v.FromALB(events.ALBTargetGroupRequest{Headers: tt.headers, MultiValueHeaders: tt.multi})
			checkErr(t, err, tt.want...)
			if err == nil && id.CommonName != tt.wantCN {
				t.Fatalf("CommonName = %q, want %q", id.CommonName, tt.wantCN)
			}
		})
	}
}

// TestAuthorizers runs the complete authorizers (RESTRequest, HTTPAPISimple,
// HTTPAPIIAM) on the real authorizer events of testdata, round-trips their
// answers through JSON as the runtime does, and checks each certificate's
// verdict against openssl verify -purpose sslclient.
func TestAuthorizers(t *testing.T) {
	p := testPKI(t)
	strict := newValidator(t, baseConfig(p))
	staleCfg := baseConfig(p)
	staleCfg.CRLs = [][]byte{p.RootCRL.PEM, p.StaleIntermediateCRL.PEM}
	stale := newValidator(t, staleCfg)
	crls := []*testpeer.CRL{p.RootCRL, p.IntermediateCRL, p.RevokedIntermediateCRL}

	// answer is an authorizer's verdict reduced to what the three response
	// formats share.
	type answer struct {
		allow     bool
		principal string         // "" for the simple response
		resource  string         // the policy's only resource; "" for the simple response
		context   map[string]any // as decoded from JSON
		raw       string         // the JSON, for failure messages
	}
	type handler struct {
		name      string
		arn       string // the event's methodArn or routeArn
		principal bool   // the response carries a principal and a policy
		run       func(t *testing.T, v *mtls.Validator, cert *testpeer.Cert) (answer, error)
	}
	roundTrip := func(t *testing.T, resp, out any) string {
		t.Helper()
		raw, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	fromPolicy := func(t *testing.T, raw, principal string, doc events.APIGatewayCustomAuthorizerPolicy, ctx map[string]any) answer {
		t.Helper()
		st := doc.Statement
		if doc.Version != "2012-10-17" || len(st) != 1 || len(st[0].Resource) != 1 ||
			len(st[0].Action) != 1 || st[0].Action[0] != "execute-api:Invoke" ||
			(st[0].Effect != "Allow" && st[0].Effect != "Deny") {
			t.Fatalf("policy %s", raw)
		}
		return answer{allow: st[0].Effect == "Allow", principal: principal, resource: st[0].Resource[0], context: ctx, raw: raw}
	}
	handlers := []handler{
		{name: "RESTRequest", arn: "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/request", principal: true,
			run: func(t *testing.T, v *mtls.Validator, cert *testpeer.Cert) (answer, error) {
				var req events.APIGatewayCustomAuthorizerRequestTypeRequest
				loadEvent(t, "rest-request-authorizer.json", cert, &req)
				resp, err := v.RESTRequest(t.Context(), req)
				if err != nil {
					return answer{}, err
				}
				var got events.APIGatewayCustomAuthorizerResponse
				raw := roundTrip(t, resp, &got)
				return fromPolicy(t, raw, got.PrincipalID, got.PolicyDocument, got.Context), nil
			}},
		{name: "HTTPAPISimple", run: func(t *testing.T, v *mtls.Validator, cert *testpeer.Cert) (answer, error) {
			var req events.APIGatewayV2CustomAuthorizerV2Request
			loadEvent(t, "httpapi-authorizer-request.json", cert, &req)
			resp, err := v.HTTPAPISimple(t.Context(), req)
			if err != nil {
				return answer{}, err
			}
			var got events.APIGatewayV2CustomAuthorizerSimpleResponse
			raw := roundTrip(t, resp, &got)
			return answer{allow: got.IsAuthorized, context: got.Context, raw: raw}, nil
		}},
		{name: "HTTPAPIIAM", arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request", principal: true,
			run: func(t *testing.T, v *mtls.Validator, cert *testpeer.Cert) (answer, error) {
				var req events.APIGatewayV2CustomAuthorizerV2Request
				loadEvent(t, "httpapi-authorizer-request.json", cert, &req)
				resp, err := v.HTTPAPIIAM(t.Context(), req)
				if err != nil {
					return answer{}, err
				}
				var got events.APIGatewayV2CustomAuthorizerIAMPolicyResponse
				raw := roundTrip(t, resp, &got)
				return fromPolicy(t, raw, got.PrincipalID, got.PolicyDocument, got.Context), nil
			}},
	}
	tests := []struct {
		name    string
		v       *mtls.Validator
		cert    *testpeer.Cert // nil: the event carries no certificate
		allow   bool
		wantErr []error
		// stricter marks a Deny that openssl does not share (CA:TRUE).
		stricter bool
	}{
		{name: "good", v: strict, cert: p.Good, allow: true},
		{name: "other", v: strict, cert: p.Other, allow: true},
		{name: "revoked", v: strict, cert: p.Revoked},
		{name: "expired", v: strict, cert: p.Expired},
		{name: "serverAuth only", v: strict, cert: p.ServerAuthOnly},
		{name: "other CA", v: strict, cert: p.OtherCA},
		{name: "intermediate CA as client", v: strict, cert: p.Intermediate},
		{name: "CA:TRUE with client usages", v: strict, cert: p.CAFlagged, stricter: true},
		{name: "no certificate", v: strict},
		{name: "stale CRL", v: stale, cert: p.Good, wantErr: []error{mtls.ErrStaleCRL, mtls.ErrUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cert != nil && tt.v == strict {
				res := testpeer.RunOpenSSLVerify(t, tt.cert, testpeer.OpenSSLVerify{
					Roots: []*testpeer.Cert{p.Root}, Untrusted: []*testpeer.Cert{p.Intermediate, p.RevokedIntermediate},
					CRLs: crls, CRLCheckAll: true, At: p.At,
				})
				if res.OK != (tt.allow || tt.stricter) {
					t.Fatalf("openssl OK = %v, want %v\n%s", res.OK, tt.allow || tt.stricter, res.Output)
				}
			}
			for _, h := range handlers {
				t.Run(h.name, func(t *testing.T) {
					got, err := h.run(t, tt.v, tt.cert)
					checkErr(t, err, tt.wantErr...)
					if err != nil {
						return
					}
					if got.allow != tt.allow {
						t.Fatalf("allow = %v, want %v: %s", got.allow, tt.allow, got.raw)
					}
					if h.principal {
						wantPrincipal := mtls.DeniedPrincipal
						if tt.allow {
							wantPrincipal = tt.cert.Cert.Subject.CommonName
						}
						if got.principal != wantPrincipal || got.resource != h.arn {
							t.Fatalf("principal %q, resource %q: %s", got.principal, got.resource, got.raw)
						}
					}
					if tt.allow {
						if got.context["mtlsFingerprint"] != fingerprint(tt.cert.DER) ||
							got.context["mtlsSubject"] != tt.cert.Cert.Subject.String() {
							t.Fatalf("context %v", got.context)
						}
					} else if got.context != nil {
						t.Fatalf("a denial carries context: %s", got.raw)
					}
				})
			}
		})
	}
}

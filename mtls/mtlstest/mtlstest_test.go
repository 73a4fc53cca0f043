package mtlstest_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
)

var testAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// must returns v, panicking on err: the kit's constructors fail only on a
// broken random source or a bad option of the test's own.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestEvents checks that every event carries the certificate where mtls
// (and API Gateway) put it, and the fields API Gateway derives from it.
func TestEvents(t *testing.T) {
	root := must(mtlstest.NewCA(nil, testAt, mtlstest.CAOptions{CommonName: "root", Organization: []string{"Acme"}}))
	leaf := must(mtlstest.NewLeaf(root, testAt, mtlstest.LeafOptions{
		CommonName: "device-1", Organization: []string{"Acme"}, OrganizationalUnit: []string{"iot"},
		DNSNames: []string{"device-1.example"}, EmailAddresses: []string{"ops@example.org"},
	}))
	crl := must(mtlstest.NewCRL(root, testAt.Add(-time.Hour), testAt.Add(time.Hour), testAt))
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore: mtlstest.Bundle(root),
		CRLs:       [][]byte{crl.PEM},
		AllowAny:   true,
		Clock:      func() time.Time { return testAt },
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		from func(c *mtlstest.Cert) (*mtls.Identity, error)
	}{
		{"REST", func(c *mtlstest.Cert) (*mtls.Identity, error) { return v.FromREST(mtlstest.NewREST(c)) }},
		{"HTTPAPI", func(c *mtlstest.Cert) (*mtls.Identity, error) { return v.FromHTTPAPI(mtlstest.NewHTTPAPI(c)) }},
		{"RESTRequest", func(c *mtlstest.Cert) (*mtls.Identity, error) { return v.FromRESTRequest(mtlstest.NewRESTRequest(c)) }},
		{"HTTPAPIRequest", func(c *mtlstest.Cert) (*mtls.Identity, error) {
			return v.FromHTTPAPIRequest(mtlstest.NewHTTPAPIRequest(c))
		}},
		{"ALB", func(c *mtlstest.Cert) (*mtls.Identity, error) {
			if c == nil {
				return v.FromALB(mtlstest.NewALB())
			}
			return v.FromALB(mtlstest.NewALB(c))
		}},
		{"ALB verify mode", func(c *mtlstest.Cert) (*mtls.Identity, error) { return v.FromALB(mtlstest.NewALBVerified(c)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := tt.from(leaf)
			if err != nil {
				t.Fatalf("certificate: %v", err)
			}
			if id.CommonName != "device-1" || len(id.DNSNames) != 1 || id.EmailAddresses[0] != "ops@example.org" {
				t.Fatalf("identity = %+v", id)
			}
			if _, err := tt.from(nil); !errors.Is(err, mtls.ErrNoClientCert) {
				t.Fatalf("no certificate: %v, want ErrNoClientCert", err)
			}
		})
	}

	cc := mtlstest.NewREST(leaf).RequestContext.Identity.ClientCert
	if want := "O=Acme,OU=iot,CN=device-1"; cc.SubjectDN != want {
		t.Errorf("subjectDN = %q, want %q", cc.SubjectDN, want)
	}
	if want := "O=Acme,CN=root"; cc.IssuerDN != want {
		t.Errorf("issuerDN = %q, want %q", cc.IssuerDN, want)
	}
	if want := "Jun  1 11:00:00 2025 GMT"; cc.Validity.NotBefore != want {
		t.Errorf("notBefore = %q, want %q", cc.Validity.NotBefore, want)
	}
	if h := mtlstest.NewHTTPAPI(leaf).RequestContext.Authentication.ClientCert; h.SerialNumber != cc.SerialNumber || h.SerialNumber == "" {
		t.Errorf("serial numbers %q and %q", h.SerialNumber, cc.SerialNumber)
	}
}

// TestLeafOptions checks the defaults and the chosen usages of NewLeaf
// against what mtls decides.
func TestLeafOptions(t *testing.T) {
	root := must(mtlstest.NewCA(nil, testAt, mtlstest.CAOptions{CommonName: "root"}))
	crl := must(mtlstest.NewCRL(root, testAt.Add(-time.Hour), testAt.Add(time.Hour), testAt))
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore: mtlstest.Bundle(root),
		CRLs:       [][]byte{crl.PEM},
		AllowAny:   true,
		Clock:      func() time.Time { return testAt },
	})
	if err != nil {
		t.Fatal(err)
	}
	other := must(mtlstest.NewCA(nil, testAt, mtlstest.CAOptions{CommonName: "other"}))
	tests := []struct {
		name   string
		parent *mtlstest.Cert
		opts   mtlstest.LeafOptions
		want   error
	}{
		{name: "defaults", parent: root},
		{name: "server auth only", parent: root, opts: mtlstest.LeafOptions{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, want: mtls.ErrWrongEKU},
		{name: "key encipherment only", parent: root, opts: mtlstest.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment}, want: mtls.ErrWrongKeyUsage},
		{name: "CA flag", parent: root, opts: mtlstest.LeafOptions{IsCA: true}, want: mtls.ErrCACert},
		{name: "expired", parent: root, opts: mtlstest.LeafOptions{NotBefore: testAt.Add(-48 * time.Hour), NotAfter: testAt.Add(-time.Hour)}, want: mtls.ErrExpired},
		{name: "not yet valid", parent: root, opts: mtlstest.LeafOptions{NotBefore: testAt.Add(time.Hour)}, want: mtls.ErrNotYetValid},
		{name: "unknown CA", parent: other, want: mtls.ErrUnknownCA},
		{name: "self-signed", want: mtls.ErrUnknownCA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.CommonName = "c"
			leaf := must(mtlstest.NewLeaf(tt.parent, testAt, tt.opts))
			_, err := v.FromREST(mtlstest.NewREST(leaf))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := mtlstest.NewLeaf(root, testAt, mtlstest.LeafOptions{URIs: []string{"%zz"}}); err == nil {
		t.Fatal("bad URI: no error")
	}
}

package testpeer_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
)

var caAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// TestPKIOpenSSL checks that openssl, an independent implementation, sees
// every certificate of the test PKI the way its doc comment says.
func TestPKIOpenSSL(t *testing.T) {
	p := testpeer.NewPKI(t, caAt)
	roots := []*testpeer.Cert{p.Root}
	inters := []*testpeer.Cert{p.Intermediate, p.RevokedIntermediate}
	current := []*testpeer.CRL{p.RootCRL, p.IntermediateCRL, p.RevokedIntermediateCRL}
	tests := []struct {
		name     string
		leaf     *testpeer.Cert
		crls     []*testpeer.CRL
		crlCheck bool
		wantOK   bool
		wantCode int
	}{
		{name: "good", leaf: p.Good, wantOK: true},
		{name: "good with CRLs", leaf: p.Good, crls: current, crlCheck: true, wantOK: true},
		{name: "other", leaf: p.Other, crls: current, crlCheck: true, wantOK: true},
		{name: "expired", leaf: p.Expired, wantCode: testpeer.OpenSSLCertHasExpired},
		{name: "not yet valid", leaf: p.NotYetValid, wantCode: testpeer.OpenSSLCertNotYetValid},
		{name: "serverAuth only", leaf: p.ServerAuthOnly, wantCode: testpeer.OpenSSLInvalidPurpose},
		{name: "self-signed", leaf: p.SelfSigned, wantCode: testpeer.OpenSSLSelfSigned},
		{name: "other CA", leaf: p.OtherCA, wantCode: testpeer.OpenSSLUnableToGetIssuer},
		{name: "revoked", leaf: p.Revoked, crls: current, crlCheck: true, wantCode: testpeer.OpenSSLCertRevoked},
		{name: "revoked without CRL check", leaf: p.Revoked, wantOK: true},
		{name: "under revoked intermediate", leaf: p.UnderRevokedIntermediate, crls: current, crlCheck: true,
			wantCode: testpeer.OpenSSLCertRevoked},
		{name: "stale CRL", leaf: p.Good, crls: []*testpeer.CRL{p.RootCRL, p.StaleIntermediateCRL}, crlCheck: true,
			wantCode: testpeer.OpenSSLCRLHasExpired},
		{name: "wrong-key CRL", leaf: p.Good, crls: []*testpeer.CRL{p.RootCRL, p.WrongKeyCRL}, crlCheck: true,
			wantCode: testpeer.OpenSSLCRLSignatureFailed},
		{name: "intermediate as client", leaf: p.Intermediate, crls: current, crlCheck: true,
			wantCode: testpeer.OpenSSLInvalidPurpose},
		{name: "root as client", leaf: p.Root, wantCode: testpeer.OpenSSLInvalidPurpose},
		{name: "CA:TRUE leaf", leaf: p.CAFlagged, crls: current, crlCheck: true, wantOK: true},
		{name: "keyEncipherment only", leaf: p.KeyEnciphermentOnly, wantCode: testpeer.OpenSSLInvalidPurpose},
		{name: "keyAgreement only", leaf: p.KeyAgreementOnly, crls: current, crlCheck: true, wantOK: true},
		{name: "no key usage", leaf: p.NoKeyUsage, crls: current, crlCheck: true, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testpeer.RunOpenSSLVerify(t, tt.leaf, testpeer.OpenSSLVerify{
				Roots: roots, Untrusted: inters, CRLs: tt.crls, CRLCheckAll: tt.crlCheck, At: p.At,
			})
			if res.OK != tt.wantOK {
				t.Fatalf("openssl OK = %v, want %v\n%s", res.OK, tt.wantOK, res.Output)
			}
			if !tt.wantOK && !res.Has(tt.wantCode) {
				t.Fatalf("openssl codes %v, want %d\n%s", res.Codes, tt.wantCode, res.Output)
			}
		})
	}
}

// TestPKIGo checks the same certificates with crypto/x509 and the CRL
// signatures, so that the PKI is what its doc comments say.
func TestPKIGo(t *testing.T) {
	p := testpeer.NewPKI(t, caAt)
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(p.Root.Cert)
	inters.AddCert(p.Intermediate.Cert)
	inters.AddCert(p.RevokedIntermediate.Cert)
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: p.At,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}

	for _, tt := range []struct {
		name   string
		leaf   *testpeer.Cert
		wantOK bool
	}{
		{name: "good", leaf: p.Good, wantOK: true},
		{name: "other", leaf: p.Other, wantOK: true},
		{name: "revoked (chains fine)", leaf: p.Revoked, wantOK: true},
		{name: "under revoked intermediate (chains fine)", leaf: p.UnderRevokedIntermediate, wantOK: true},
		{name: "expired", leaf: p.Expired},
		{name: "not yet valid", leaf: p.NotYetValid},
		{name: "serverAuth only", leaf: p.ServerAuthOnly},
		{name: "self-signed", leaf: p.SelfSigned},
		{name: "other CA", leaf: p.OtherCA},
		{name: "CA:TRUE leaf (chains fine)", leaf: p.CAFlagged, wantOK: true},
		{name: "keyEncipherment only (chains fine)", leaf: p.KeyEnciphermentOnly, wantOK: true},
		{name: "keyAgreement only", leaf: p.KeyAgreementOnly, wantOK: true},
		{name: "no key usage", leaf: p.NoKeyUsage, wantOK: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.leaf.Cert.Verify(opts)
			if (err == nil) != tt.wantOK {
				t.Fatalf("Verify error = %v, want ok %v", err, tt.wantOK)
			}
		})
	}

	for _, tt := range []struct {
		name    string
		crl     *testpeer.CRL
		issuer  *testpeer.Cert
		wantErr bool
		revoked *testpeer.Cert
	}{
		{name: "root CRL", crl: p.RootCRL, issuer: p.Root, revoked: p.RevokedIntermediate},
		{name: "intermediate CRL", crl: p.IntermediateCRL, issuer: p.Intermediate, revoked: p.Revoked},
		{name: "stale CRL", crl: p.StaleIntermediateCRL, issuer: p.Intermediate, revoked: p.Revoked},
		{name: "empty CRL", crl: p.RevokedIntermediateCRL, issuer: p.RevokedIntermediate},
		{name: "wrong-key CRL", crl: p.WrongKeyCRL, issuer: p.Intermediate, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.crl.CRL.CheckSignatureFrom(tt.issuer.Cert)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckSignatureFrom = %v, want error %v", err, tt.wantErr)
			}
			if !bytes.Equal(tt.crl.CRL.RawIssuer, tt.issuer.Cert.RawSubject) {
				t.Fatal("CRL issuer does not name the CA")
			}
			if tt.revoked != nil {
				if len(tt.crl.CRL.RevokedCertificateEntries) != 1 ||
					tt.crl.CRL.RevokedCertificateEntries[0].SerialNumber.Cmp(tt.revoked.Cert.SerialNumber) != 0 {
					t.Fatal("CRL does not list the revoked certificate")
				}
			}
		})
	}
}

func TestCertEncodings(t *testing.T) {
	p := testpeer.NewPKI(t, caAt)
	enc := p.Good.URLEncoded()
	dec, err := url.PathUnescape(enc)
	if err != nil {
		t.Fatal(err)
	}
	if dec != p.Good.PEMString() {
		t.Fatal("URL-encoded form does not decode to the PEM")
	}
	block, _ := pem.Decode(p.Good.PEM)
	if block == nil || !bytes.Equal(block.Bytes, p.Good.DER) {
		t.Fatal("PEM does not hold the DER")
	}
	block, _ = pem.Decode(p.RootCRL.PEM)
	if block == nil || block.Type != "X509 CRL" || !bytes.Equal(block.Bytes, p.RootCRL.DER) {
		t.Fatal("CRL PEM does not hold the DER")
	}
	if _, err := testpeer.NewLeaf(p.Intermediate, caAt, testpeer.LeafOptions{URIs: []string{"%zz"}}); err == nil {
		t.Fatal("NewLeaf accepted a bad URI")
	}
}

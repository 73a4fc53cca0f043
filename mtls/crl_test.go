package mtls_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// crlWith issues a CRL of issuer, current at p.At, that revokes the
// certificates of revoked and carries the extra CRL extensions ext and the
// extra entry extensions entryExt on every entry.
func crlWith(tb testing.TB, p *testpeer.PKI, issuer *testpeer.Cert, ext, entryExt []pkix.Extension, revoked ...*testpeer.Cert) []byte {
	tb.Helper()
	tmpl := &x509.RevocationList{
		Number:          big.NewInt(time.Now().UnixNano()),
		ThisUpdate:      p.At.Add(-time.Hour),
		NextUpdate:      p.At.Add(24 * time.Hour),
		ExtraExtensions: ext,
	}
	for _, r := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber:    r.Cert.SerialNumber,
			RevocationTime:  p.At.Add(-time.Minute),
			ExtraExtensions: entryExt,
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer.Cert, issuer.Key)
	if err != nil {
		tb.Fatalf("create CRL: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		tb.Fatalf("asn1: %v", err)
	}
	return b
}

// TestIncompleteCRLs checks that a CRL that does not cover every
// certificate of its issuer (partitioned, delta, indirect) or that carries
// a critical extension mtls does not process is refused by NewValidator,
// SetCRLs and ReloadCRLs alike, instead of being taken as the complete CRL
// of its CA. Regression test for a partitioned CRL (onlyContainsCACerts)
// that let an unlisted revoked client certificate through.
func TestIncompleteCRLs(t *testing.T) {
	p := testPKI(t)
	var (
		oidIDP        = asn1.ObjectIdentifier{2, 5, 29, 28}
		oidDelta      = asn1.ObjectIdentifier{2, 5, 29, 27}
		oidCertIssuer = asn1.ObjectIdentifier{2, 5, 29, 29}
		oidFreshest   = asn1.ObjectIdentifier{2, 5, 29, 46}
		oidInvalidity = asn1.ObjectIdentifier{2, 5, 29, 24}
		oidUnknown    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}
		onlyCACerts   = mustMarshal(t, struct {
			OnlyCA bool `asn1:"optional,tag:2"`
		}{true})
		onlyUserCerts = mustMarshal(t, struct {
			OnlyUser bool `asn1:"optional,tag:1"`
		}{true})
		baseCRLNumber  = mustMarshal(t, big.NewInt(1))
		otherIssuerGN  = mustMarshal(t, []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: p.OtherRoot.Cert.RawSubject}})
		invalidityDate = mustMarshal(t, p.At.Add(-time.Hour))
	)
	tests := []struct {
		name     string
		ext      []pkix.Extension
		entryExt []pkix.Extension
		// revokeGood lists p.Good in the CRL; otherwise it lists p.Other.
		revokeGood bool
		// ok: the CRL is complete and must be accepted.
		ok bool
	}{
		{name: "critical IDP onlyContainsCACerts", ext: []pkix.Extension{{Id: oidIDP, Critical: true, Value: onlyCACerts}}},
		{name: "non-critical IDP onlyContainsUserCerts", ext: []pkix.Extension{{Id: oidIDP, Value: onlyUserCerts}}},
		{name: "delta CRL", ext: []pkix.Extension{{Id: oidDelta, Critical: true, Value: baseCRLNumber}}},
		{name: "indirect CRL entry", entryExt: []pkix.Extension{{Id: oidCertIssuer, Critical: true, Value: otherIssuerGN}}},
		{name: "unknown critical CRL extension", ext: []pkix.Extension{{Id: oidUnknown, Critical: true, Value: []byte{5, 0}}}},
		{name: "unknown critical entry extension", entryExt: []pkix.Extension{{Id: oidUnknown, Critical: true, Value: []byte{5, 0}}}},
		{name: "unknown non-critical CRL extension", ext: []pkix.Extension{{Id: oidUnknown, Value: []byte{5, 0}}}, ok: true},
		{name: "freshestCRL pointer on a complete CRL", ext: []pkix.Extension{{Id: oidFreshest, Value: mustMarshal(t, []asn1.RawValue{})}}, ok: true},
		{name: "non-critical invalidityDate entry", entryExt: []pkix.Extension{{Id: oidInvalidity, Value: invalidityDate}}, revokeGood: true, ok: true},
		{name: "plain complete CRL", revokeGood: true, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listed := p.Other
			if tt.revokeGood {
				listed = p.Good
			}
			crl := crlWith(t, p, p.Intermediate, tt.ext, tt.entryExt, listed)
			crls := [][]byte{p.RootCRL.PEM, crl}
			var want []error
			if !tt.ok {
				want = []error{mtls.ErrBadCRL, mtls.ErrConfig}
			}

			cfg := baseConfig(p)
			cfg.CRLs = crls
			v, err := mtls.NewValidator(cfg)
			checkErr(t, err, want...)
			if tt.ok && tt.revokeGood {
				_, err := v.Validate(p.Good.PEMString())
				checkErr(t, err, mtls.ErrRevoked)
			}

			v = newValidator(t, baseConfig(p))
			checkErr(t, v.SetCRLs(crls...), want...)

			loaderCfg := baseConfig(p)
			loaderCfg.CRLs = nil
			loaderCfg.CRLLoader = func(context.Context) ([][]byte, error) { return crls, nil }
			v = newValidator(t, loaderCfg)
			checkErr(t, v.ReloadCRLs(t.Context()), want...)
			if !tt.ok {
				// Nothing was installed: the Validator still fails closed.
				_, err := v.Validate(p.Good.PEMString())
				checkErr(t, err, mtls.ErrNoCRL, mtls.ErrUnavailable)
			}
		})
	}
}

package bench

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// The mTLS contenders validate the same client certificate, in the PEM
// form API Gateway passes on, against the same trust store (a root and two
// intermediates), at the same time, for clientAuth:
//
//   - seclambda fresh: mtls.Validator with its cache off, as configured by
//     default, with revocation checked against the three CAs' CRLs;
//   - seclambda fresh, no CRLs: the same with InsecureNoRevocation, the
//     same work as the bare verification;
//   - seclambda cached: the same certificate again, cache on;
//   - bare: pem.Decode, x509.ParseCertificate and Certificate.Verify, with
//     no revocation, no allow-list and no identity.

type mtlsSetup struct {
	pki  *testpeer.PKI
	opts x509.VerifyOptions
}

func newMTLSSetup(tb testing.TB) *mtlsSetup {
	tb.Helper()
	p := testpeer.NewPKI(tb, time.Now())
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(p.Root.Cert)
	inter.AddCert(p.Intermediate.Cert)
	inter.AddCert(p.RevokedIntermediate.Cert)
	return &mtlsSetup{pki: p, opts: x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: p.At,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}}
}

func (s *mtlsSetup) validator(tb testing.TB, cacheSize int, revocation mtls.RevocationPolicy) *mtls.Validator {
	tb.Helper()
	cfg := mtls.Config{
		TrustStore: s.pki.TrustStorePEM(),
		Revocation: revocation,
		AllowAny:   true,
		Clock:      func() time.Time { return s.pki.At },
		CacheSize:  cacheSize,
	}
	if revocation != mtls.InsecureNoRevocation {
		cfg.CRLs = s.pki.CRLsPEM()
	}
	v, err := mtls.NewValidator(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

var errNoPEM = errors.New("no PEM block")

// bare is the hand-written validation.
func (s *mtlsSetup) bare(in string) error {
	block, _ := pem.Decode([]byte(in))
	if block == nil {
		return errNoPEM
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	_, err = cert.Verify(s.opts)
	return err
}

func (s *mtlsSetup) contenders(tb testing.TB) []certContender {
	tb.Helper()
	fresh := s.validator(tb, -1, mtls.RevocationRequired)
	noCRL := s.validator(tb, -1, mtls.InsecureNoRevocation)
	cached := s.validator(tb, 0, mtls.RevocationRequired)
	validate := func(v *mtls.Validator) func(string) error {
		return func(in string) error { _, err := v.Validate(in); return err }
	}
	return []certContender{
		{"seclambda-fresh", validate(fresh)},
		{"seclambda-fresh-nocrl", validate(noCRL)},
		{"seclambda-cached", validate(cached)},
		{"bare", s.bare},
	}
}

// certContender checks one input.
type certContender struct {
	name  string
	check func(string) error
}

// TestMTLSContendersAgree checks the decisions that every contender makes.
// Revocation, which the bare verification does not check, is left out.
func TestMTLSContendersAgree(t *testing.T) {
	s := newMTLSSetup(t)
	tests := []struct {
		name   string
		cert   *testpeer.Cert
		accept bool
	}{
		{name: "good", cert: s.pki.Good, accept: true},
		{name: "other good", cert: s.pki.Other, accept: true},
		{name: "expired", cert: s.pki.Expired},
		{name: "not yet valid", cert: s.pki.NotYetValid},
		{name: "server auth only", cert: s.pki.ServerAuthOnly},
		{name: "self-signed", cert: s.pki.SelfSigned},
		{name: "unknown CA", cert: s.pki.OtherCA},
	}
	for _, c := range s.contenders(t) {
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				// Twice, so that the cached contender answers from its cache.
				for range 2 {
					err := c.check(tt.cert.PEMString())
					if tt.accept && err != nil {
						t.Fatalf("rejected: %v", err)
					}
					if !tt.accept && err == nil {
						t.Fatal("accepted")
					}
				}
			})
		}
	}
}

// BenchmarkMTLS validates the good certificate with each contender.
func BenchmarkMTLS(b *testing.B) {
	s := newMTLSSetup(b)
	in := s.pki.Good.PEMString()
	for _, c := range rotate(s.contenders(b)) {
		b.Run(c.name, func(b *testing.B) {
			if err := c.check(in); err != nil {
				b.Fatal(err)
			}
			measure(b, func() {
				if err := c.check(in); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

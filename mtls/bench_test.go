package mtls

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// BenchmarkBareVerify is the baseline: what a function that validates by
// hand pays per request, encoding/pem plus x509.ParseCertificate plus
// x509.Certificate.Verify with the same pools, time and key usage, and no
// revocation, allow-lists or identity.
func BenchmarkBareVerify(b *testing.B) {
	p := pkiFor(b)
	v := validatorFor(b, p, -1)
	opts := x509.VerifyOptions{Roots: v.roots, Intermediates: v.intermediates, CurrentTime: p.At,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	in := p.Good.PEMString()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		block, _ := pem.Decode([]byte(in))
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cert.Verify(opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateFresh is a full validation with the cache disabled:
// decode, parse, chain, revocation against three CRLs, allow-list and
// Identity.
func BenchmarkValidateFresh(b *testing.B) {
	p := pkiFor(b)
	v := validatorFor(b, p, -1)
	in := p.Good.PEMString()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateCached is the warm path: the same certificate again.
func BenchmarkValidateCached(b *testing.B) {
	p := pkiFor(b)
	v := validatorFor(b, p, 0)
	in := p.Good.PEMString()
	if _, err := v.Validate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateCachedALB is the warm path with the URL-encoded ALB form.
func BenchmarkValidateCachedALB(b *testing.B) {
	p := pkiFor(b)
	v := validatorFor(b, p, 0)
	in := p.Good.URLEncoded()
	if _, err := v.Validate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateCachedParallel is the warm path under concurrent
// invocations (AWS_LAMBDA_MAX_CONCURRENCY > 1).
func BenchmarkValidateCachedParallel(b *testing.B) {
	p := pkiFor(b)
	v := validatorFor(b, p, 0)
	in := p.Good.PEMString()
	if _, err := v.Validate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Validate(in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkValidateCachedFingerprint is the warm path for an input too long
// for the raw-input index, so that it decodes and hashes the certificate to
// find it by fingerprint.
func BenchmarkValidateCachedFingerprint(b *testing.B) {
	p := pkiFor(b)
	v := validatorFor(b, p, 0)
	in := p.Good.PEMString() + strings.Repeat("\n", maxRawKey)
	if _, err := v.Validate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(in); err != nil {
			b.Fatal(err)
		}
	}
}

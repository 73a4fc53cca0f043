package mtls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/mtls/mtlstest"
)

var internalAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var internalPKI = sync.OnceValues(func() (*mtlstest.PKI, error) { return mtlstest.NewPKI(internalAt) })

func pkiFor(tb testing.TB) *mtlstest.PKI {
	tb.Helper()
	p, err := internalPKI()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func validatorFor(tb testing.TB, p *mtlstest.PKI, cacheSize int) *Validator {
	tb.Helper()
	v, err := NewValidator(Config{
		TrustStore: p.TrustStorePEM(),
		CRLs:       p.CRLsPEM(),
		AllowAny:   true,
		Clock:      func() time.Time { return p.At },
		CacheSize:  cacheSize,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestCacheBounded(t *testing.T) {
	p := pkiFor(t)
	tests := []struct {
		name      string
		cacheSize int
		certs     int
		wantLen   int
		wantMax   int // 0: no cache
	}{
		{name: "disabled", cacheSize: -1, certs: 3, wantLen: 0},
		{name: "zero means DefaultCacheSize", cacheSize: 0, certs: 3, wantLen: 3, wantMax: DefaultCacheSize},
		{name: "at the bound", cacheSize: 3, certs: 3, wantLen: 3, wantMax: 3},
		{name: "over the bound drops all", cacheSize: 2, certs: 3, wantLen: 1, wantMax: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := validatorFor(t, p, tt.cacheSize)
			if c := v.state.Load().cache; (c == nil) != (tt.wantMax == 0) || c != nil && c.max != tt.wantMax {
				t.Fatalf("cache %+v, want size %d", c, tt.wantMax)
			}
			for i := 0; i < tt.certs; i++ {
				leaf, err := mtlstest.NewLeaf(p.Intermediate, p.At, mtlstest.LeafOptions{CommonName: "bounded"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v.Validate(leaf.PEMString()); err != nil {
					t.Fatal(err)
				}
				// A second validation of the same certificate must not
				// grow the cache.
				if _, err := v.Validate(leaf.PEMString()); err != nil {
					t.Fatal(err)
				}
			}
			if got := v.state.Load().cache.len(); got != tt.wantLen {
				t.Fatalf("cache holds %d entries, want %d", got, tt.wantLen)
			}
		})
	}
}

func TestCacheEvictsExpiredFirst(t *testing.T) {
	p := pkiFor(t)
	now := p.At
	v, err := NewValidator(Config{
		TrustStore: p.TrustStorePEM(), CRLs: p.CRLsPEM(), AllowAny: true, CacheSize: 2,
		Clock: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	short, err := mtlstest.NewLeaf(p.Intermediate, p.At, mtlstest.LeafOptions{NotAfter: p.At.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	long1, _ := mtlstest.NewLeaf(p.Intermediate, p.At, mtlstest.LeafOptions{})
	long2, _ := mtlstest.NewLeaf(p.Intermediate, p.At, mtlstest.LeafOptions{})
	for _, c := range []*mtlstest.Cert{short, long1} {
		if _, err := v.Validate(c.PEMString()); err != nil {
			t.Fatal(err)
		}
	}
	now = p.At.Add(time.Hour) // short has expired
	if _, err := v.Validate(long2.PEMString()); err != nil {
		t.Fatal(err)
	}
	c := v.state.Load().cache
	fp1, fp2 := sha256.Sum256(long1.DER), sha256.Sum256(long2.DER)
	if _, ok := c.get(&fp1, now); !ok {
		t.Fatal("a live entry was evicted while an expired one was there")
	}
	if _, ok := c.get(&fp2, now); !ok || c.len() != 2 {
		t.Fatalf("cache len %d", c.len())
	}
}

func TestDecodeLeafLargeBuffer(t *testing.T) {
	p := pkiFor(t)
	// A buffer too small for the DER makes decodeLeaf allocate.
	der, err := decodeLeaf(p.Good.PEMString(), make([]byte, 8))
	if err != nil || string(der) != string(p.Good.DER) {
		t.Fatalf("decodeLeaf = %v", err)
	}
}

// fuzzMarker stands for secret material: it must never reach an error.
const fuzzMarker = "SECRETMARKER"

func FuzzParseCert(f *testing.F) {
	p := pkiFor(f)
	v := validatorFor(f, p, 0)
	good := p.Good.PEMString()
	f.Add(good)
	f.Add(p.Good.URLEncoded())
	f.Add(p.Revoked.PEMString())
	f.Add(p.Expired.URLEncoded())
	f.Add(good + p.Intermediate.PEMString())
	f.Add(mtlstest.ALBEncode(mtlstest.Bundle(p.Good, p.Intermediate)))
	f.Add(strings.ReplaceAll(good, "\n", "\r\n "))
	f.Add("")
	f.Add("%")
	f.Add("%2")
	f.Add("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----")
	f.Add("-----BEGIN CERTIFICATE-----\n" + base64.StdEncoding.EncodeToString([]byte(fuzzMarker)) + "\n-----END CERTIFICATE-----\n")
	f.Add("-----BEGIN CERTIFICATE-----\n" + fuzzMarker + "\n-----END CERTIFICATE-----\n")
	f.Add(fuzzMarker + good)
	f.Add(mtlstest.ALBEncode([]byte("-----BEGIN CERTIFICATE-----\n" + fuzzMarker + "==\n-----END CERTIFICATE-----\n")))
	f.Add(good[:len(good)/2])
	f.Add(p.Intermediate.PEMString())
	f.Add(p.CAFlagged.PEMString())
	f.Add(p.KeyEnciphermentOnly.URLEncoded())
	f.Fuzz(func(t *testing.T, s string) {
		id, err := v.Validate(s)
		if err != nil {
			if id != nil {
				t.Fatal("Identity with an error")
			}
			if !errors.Is(err, ErrRejected) && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("error outside both categories: %v", err)
			}
			msg := err.Error()
			if strings.Contains(msg, fuzzMarker) || strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte(fuzzMarker))) {
				t.Fatalf("error leaks the input: %q", msg)
			}
			if len(s) > 64 && strings.Contains(msg, s) {
				t.Fatalf("error contains the input: %q", msg)
			}
			return
		}
		// Success: the identity is that of the DER the input decodes to.
		der, derr := decodeLeaf(s, nil)
		if derr != nil {
			t.Fatalf("Validate accepted what decodeLeaf refuses: %v", derr)
		}
		if fp := sha256.Sum256(der); id.Certificate == nil || string(id.Certificate.Raw) != string(der) || id.FingerprintSHA256 == "" || fp != sha256.Sum256(id.Certificate.Raw) {
			t.Fatal("identity does not match the input")
		}
	})
}

func TestChainErrorMapping(t *testing.T) {
	at := internalAt
	future := &x509.Certificate{NotBefore: at.Add(time.Hour), NotAfter: at.Add(2 * time.Hour)}
	past := &x509.Certificate{NotBefore: at.Add(-2 * time.Hour), NotAfter: at.Add(-time.Hour)}
	leaf := &x509.Certificate{}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "unknown authority", err: x509.UnknownAuthorityError{}, want: ErrUnknownCA},
		{name: "CA not yet valid", err: x509.CertificateInvalidError{Cert: future, Reason: x509.Expired}, want: ErrNotYetValid},
		{name: "CA expired", err: x509.CertificateInvalidError{Cert: past, Reason: x509.Expired}, want: ErrExpired},
		{name: "wrong EKU", err: x509.CertificateInvalidError{Cert: leaf, Reason: x509.IncompatibleUsage}, want: ErrWrongEKU},
		{name: "CA not authorized to sign", err: x509.CertificateInvalidError{Cert: leaf, Reason: x509.NotAuthorizedToSign}, want: ErrUnknownCA},
		{name: "name constraints", err: x509.CertificateInvalidError{Cert: leaf, Reason: x509.CANotAuthorizedForThisName}, want: ErrUnknownCA},
		{name: "critical extension", err: x509.UnhandledCriticalExtension{}, want: ErrMalformed},
		{name: "anything else", err: errors.New("x509: something new"), want: ErrUnknownCA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := chainError(leaf, at, tt.err)
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrRejected) {
				t.Fatalf("chainError = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestExtKeyUsages(t *testing.T) {
	p := pkiFor(t)
	tests := []struct {
		name      string
		usages    []x509.ExtKeyUsage
		good, srv error
	}{
		{name: "default clientAuth", good: nil, srv: ErrWrongEKU},
		{name: "serverAuth", usages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, good: ErrWrongEKU, srv: nil},
		{name: "either", usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}},
		{name: "any", usages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewValidator(Config{TrustStore: p.TrustStorePEM(), CRLs: p.CRLsPEM(), AllowAny: true,
				ExtKeyUsages: tt.usages, Clock: func() time.Time { return p.At }})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				cert *mtlstest.Cert
				want error
			}{{p.Good, tt.good}, {p.ServerAuthOnly, tt.srv}} {
				_, err := v.Validate(c.cert.PEMString())
				if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
					t.Fatalf("%s: error %v, want %v", c.cert.Cert.Subject.CommonName, err, c.want)
				}
			}
		})
	}
}

func TestRevocationPolicyString(t *testing.T) {
	for p, want := range map[RevocationPolicy]string{
		RevocationRequired: "RevocationRequired", RevocationIfAvailable: "RevocationIfAvailable",
		InsecureNoRevocation: "InsecureNoRevocation", 7: "RevocationPolicy(invalid)",
	} {
		if got := p.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(p), got, want)
		}
	}
}

package mtls_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/mtls"
)

// TestValidateAgreesWithOpenSSL runs every certificate of the test PKI
// through the Validator and through `openssl verify -crl_check_all`, and
// checks both the reason we give and that openssl reaches the same verdict.
func TestValidateAgreesWithOpenSSL(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	crls := []*testpeer.CRL{p.RootCRL, p.IntermediateCRL, p.RevokedIntermediateCRL}
	tests := []struct {
		name        string
		cert        *testpeer.Cert
		want        []error
		opensslCode int // expected X509_V_ERR when want is not nil
		// stricter marks a rejection of ours that openssl does not share
		// (CA:TRUE client certificates): openssl must accept the
		// certificate.
		stricter bool
	}{
		{name: "good", cert: p.Good},
		{name: "other", cert: p.Other},
		{name: "expired", cert: p.Expired, want: []error{mtls.ErrExpired, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLCertHasExpired},
		{name: "not yet valid", cert: p.NotYetValid, want: []error{mtls.ErrNotYetValid, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLCertNotYetValid},
		{name: "serverAuth only", cert: p.ServerAuthOnly, want: []error{mtls.ErrWrongEKU, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLInvalidPurpose},
		{name: "self-signed", cert: p.SelfSigned, want: []error{mtls.ErrUnknownCA, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLSelfSigned},
		{name: "other CA", cert: p.OtherCA, want: []error{mtls.ErrUnknownCA, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLUnableToGetIssuer},
		{name: "revoked", cert: p.Revoked, want: []error{mtls.ErrRevoked, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLCertRevoked},
		{name: "under revoked intermediate", cert: p.UnderRevokedIntermediate,
			want: []error{mtls.ErrRevoked, mtls.ErrRejected}, opensslCode: testpeer.OpenSSLCertRevoked},
		{name: "intermediate CA as client", cert: p.Intermediate, want: []error{mtls.ErrWrongKeyUsage, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLInvalidPurpose},
		{name: "root CA as client", cert: p.Root, want: []error{mtls.ErrWrongKeyUsage, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLInvalidPurpose},
		{name: "keyEncipherment only", cert: p.KeyEnciphermentOnly, want: []error{mtls.ErrWrongKeyUsage, mtls.ErrRejected},
			opensslCode: testpeer.OpenSSLInvalidPurpose},
		{name: "keyAgreement only", cert: p.KeyAgreementOnly},
		{name: "no key usage", cert: p.NoKeyUsage},
		{name: "CA:TRUE with client usages", cert: p.CAFlagged, want: []error{mtls.ErrCACert, mtls.ErrRejected}, stricter: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := v.Validate(tt.cert.PEMString())
			checkErr(t, err, tt.want...)
			if err == nil && id.FingerprintSHA256 != fingerprint(tt.cert.DER) {
				t.Fatalf("identity of another certificate: %s", id.FingerprintSHA256)
			}
			if err != nil && id != nil {
				t.Fatal("non-nil Identity with an error")
			}
			res := testpeer.RunOpenSSLVerify(t, tt.cert, testpeer.OpenSSLVerify{
				Roots: []*testpeer.Cert{p.Root}, Untrusted: []*testpeer.Cert{p.Intermediate, p.RevokedIntermediate},
				CRLs: crls, CRLCheckAll: true, At: p.At,
			})
			if res.OK != (tt.want == nil || tt.stricter) {
				t.Fatalf("openssl OK = %v, we say %v\n%s", res.OK, err, res.Output)
			}
			if !res.OK && !res.Has(tt.opensslCode) {
				t.Fatalf("openssl reports %v, want code %d\n%s", res.Codes, tt.opensslCode, res.Output)
			}
		})
	}
}

func fingerprint(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:])
}

func TestValidateInput(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	good := p.Good.PEMString()
	body := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(good, "-----BEGIN CERTIFICATE-----\n"), "-----END CERTIFICATE-----\n"))
	tests := []struct {
		name  string
		input string
		want  []error
	}{
		{name: "PEM", input: good},
		{name: "URL-encoded (ALB)", input: p.Good.URLEncoded()},
		{name: "CRLF line ends", input: strings.ReplaceAll(good, "\n", "\r\n")},
		{name: "leading whitespace", input: "\n  " + good},
		{name: "space-folded body", input: strings.ReplaceAll(good, "\n", "\n ")},
		{name: "chain after the leaf", input: good + p.Intermediate.PEMString() + p.Root.PEMString()},
		{name: "URL-encoded chain", input: testpeer.ALBEncode(testpeer.Bundle(p.Good, p.Intermediate))},
		{name: "one line body", input: "-----BEGIN CERTIFICATE-----" + strings.ReplaceAll(body, "\n", "") + "-----END CERTIFICATE-----"},
		{name: "empty", input: "", want: []error{mtls.ErrNoClientCert, mtls.ErrRejected}},
		{name: "blank", input: " \n\t", want: []error{mtls.ErrNoClientCert, mtls.ErrRejected}},
		{name: "garbage", input: "hello", want: []error{mtls.ErrMalformed, mtls.ErrRejected}},
		{name: "text before the block", input: "subject=CN=x\n" + good, want: []error{mtls.ErrMalformed}},
		{name: "no end line", input: good[:len(good)-30], want: []error{mtls.ErrMalformed}},
		{name: "not base64", input: "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", want: []error{mtls.ErrMalformed}},
		{name: "empty block", input: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", want: []error{mtls.ErrMalformed}},
		{name: "not a certificate", input: string(p.RootCRL.PEM), want: []error{mtls.ErrMalformed}},
		{name: "CRL DER in a CERTIFICATE block", input: "-----BEGIN CERTIFICATE-----\n" +
			base64.StdEncoding.EncodeToString(p.RootCRL.DER) + "\n-----END CERTIFICATE-----\n", want: []error{mtls.ErrMalformed}},
		{name: "truncated DER", input: "-----BEGIN CERTIFICATE-----\n" +
			base64.StdEncoding.EncodeToString(p.Good.DER[:len(p.Good.DER)-10]) + "\n-----END CERTIFICATE-----\n", want: []error{mtls.ErrMalformed}},
		{name: "bad URL escape", input: "%zz" + good, want: []error{mtls.ErrMalformed}},
		{name: "too long", input: good + strings.Repeat(" ", 70<<10), want: []error{mtls.ErrMalformed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := v.Validate(tt.input)
			checkErr(t, err, tt.want...)
			if err == nil && id.CommonName != "client-good" {
				t.Fatalf("CommonName = %q", id.CommonName)
			}
			if err != nil && strings.Contains(err.Error(), body[:40]) {
				t.Fatal("error message contains the certificate's encoding")
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	id, err := v.Validate(p.Good.PEMString())
	checkErr(t, err)
	spki := sha256.Sum256(p.Good.Cert.RawSubjectPublicKeyInfo)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Subject", id.Subject, "CN=client-good,OU=payments,O=Acme"},
		{"Issuer", id.Issuer, "CN=seclambda test intermediate,O=seclambda tests"},
		{"CommonName", id.CommonName, "client-good"},
		{"Organizations", strings.Join(id.Organizations, ","), "Acme"},
		{"OrganizationalUnits", strings.Join(id.OrganizationalUnits, ","), "payments"},
		{"SerialNumber", id.SerialNumber, p.Good.Cert.SerialNumber.Text(16)},
		{"DNSNames", strings.Join(id.DNSNames, ","), "good.client.example"},
		{"URIs", strings.Join(id.URIs, ","), "spiffe://example.org/client/good"},
		{"EmailAddresses", strings.Join(id.EmailAddresses, ","), "good@example.org"},
		{"NotBefore", id.NotBefore, p.Good.Cert.NotBefore},
		{"NotAfter", id.NotAfter, p.Good.Cert.NotAfter},
		{"SPKISHA256", id.SPKISHA256, hex.EncodeToString(spki[:])},
		{"FingerprintSHA256", id.FingerprintSHA256, fingerprint(p.Good.DER)},
		{"Certificate", id.Certificate.Equal(p.Good.Cert), true},
		{"Chain length", len(id.Chain), 3},
		{"Chain root", id.Chain[len(id.Chain)-1].Equal(p.Root.Cert), true},
		{"Principal", id.Principal(), "client-good"},
		{"context fingerprint", id.AuthorizerContext()["mtlsFingerprint"], fingerprint(p.Good.DER)},
		{"context subject", id.AuthorizerContext()["mtlsSubject"], id.Subject},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %v, want %v", c.got, c.want)
			}
		})
	}
	noCN := &mtls.Identity{FingerprintSHA256: "ab"}
	if got := noCN.Principal(); got != "sha256:ab" {
		t.Fatalf("Principal without CN = %q", got)
	}
}

func TestRevokedError(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	tests := []struct {
		name   string
		cert   *testpeer.Cert
		wantCA bool
		target *testpeer.Cert
		issuer *testpeer.Cert
	}{
		{name: "leaf", cert: p.Revoked, target: p.Revoked, issuer: p.Intermediate},
		{name: "intermediate", cert: p.UnderRevokedIntermediate, wantCA: true, target: p.RevokedIntermediate, issuer: p.Root},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Validate(tt.cert.PEMString())
			var re *mtls.RevokedError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *RevokedError", err)
			}
			if !re.RevokedAt.Equal(p.RevokedAt) || re.CA != tt.wantCA || re.ReasonCode != 1 ||
				re.SerialNumber != tt.target.Cert.SerialNumber.Text(16) ||
				re.Subject != tt.target.Cert.Subject.String() || re.Issuer != tt.issuer.Cert.Subject.String() {
				t.Fatalf("RevokedError = %+v", re)
			}
			if !strings.Contains(err.Error(), re.SerialNumber) {
				t.Fatalf("message %q does not name the serial", err)
			}
		})
	}
}

func TestLeeway(t *testing.T) {
	p := testPKI(t)
	tests := []struct {
		name   string
		cert   *testpeer.Cert
		leeway time.Duration
		want   []error
	}{
		// Expired expired 24h before At; NotYetValid starts 24h after it.
		{name: "expired within leeway", cert: p.Expired, leeway: 25 * time.Hour},
		{name: "expired beyond leeway", cert: p.Expired, leeway: 23 * time.Hour, want: []error{mtls.ErrExpired}},
		{name: "not yet valid within leeway", cert: p.NotYetValid, leeway: 25 * time.Hour},
		{name: "not yet valid beyond leeway", cert: p.NotYetValid, leeway: 23 * time.Hour, want: []error{mtls.ErrNotYetValid}},
		{name: "no leeway", cert: p.Expired, want: []error{mtls.ErrExpired}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(p)
			cfg.Leeway = tt.leeway
			_, err := newValidator(t, cfg).Validate(tt.cert.PEMString())
			checkErr(t, err, tt.want...)
		})
	}
}

func TestCRLs(t *testing.T) {
	p := testPKI(t)
	tests := []struct {
		name   string
		crls   [][]byte
		policy mtls.RevocationPolicy
		stale  bool
		cert   *testpeer.Cert
		want   []error
	}{
		{name: "stale CRL", crls: [][]byte{p.RootCRL.PEM, p.StaleIntermediateCRL.PEM}, cert: p.Good,
			want: []error{mtls.ErrStaleCRL, mtls.ErrUnavailable}},
		{name: "stale CRL tolerated", crls: [][]byte{p.RootCRL.PEM, p.StaleIntermediateCRL.PEM}, stale: true, cert: p.Good},
		{name: "stale CRL still revokes", crls: [][]byte{p.RootCRL.PEM, p.StaleIntermediateCRL.PEM}, cert: p.Revoked,
			want: []error{mtls.ErrRevoked, mtls.ErrRejected}},
		{name: "stale next to current CRL", crls: [][]byte{p.RootCRL.PEM, p.IntermediateCRL.PEM, p.StaleIntermediateCRL.PEM},
			cert: p.Good, want: []error{mtls.ErrStaleCRL}},
		{name: "DER CRLs", crls: [][]byte{p.RootCRL.DER, p.IntermediateCRL.DER}, cert: p.Revoked,
			want: []error{mtls.ErrRevoked}},
		{name: "several CRLs in one PEM", crls: [][]byte{append(append([]byte{}, p.RootCRL.PEM...), p.IntermediateCRL.PEM...)},
			cert: p.Revoked, want: []error{mtls.ErrRevoked}},
		{name: "required, root CRL missing", crls: [][]byte{p.IntermediateCRL.PEM}, cert: p.Good,
			want: []error{mtls.ErrNoCRL, mtls.ErrUnavailable}},
		{name: "required, issuing CRL missing", crls: [][]byte{p.RootCRL.PEM}, cert: p.Good,
			want: []error{mtls.ErrNoCRL, mtls.ErrUnavailable}},
		{name: "required, CRL missing but revoked elsewhere", crls: [][]byte{p.RootCRL.PEM}, cert: p.UnderRevokedIntermediate,
			want: []error{mtls.ErrRevoked}},
		{name: "if available, root CRL missing", crls: [][]byte{p.IntermediateCRL.PEM}, policy: mtls.RevocationIfAvailable,
			cert: p.Good},
		{name: "if available still revokes", crls: [][]byte{p.IntermediateCRL.PEM}, policy: mtls.RevocationIfAvailable,
			cert: p.Revoked, want: []error{mtls.ErrRevoked}},
		{name: "if available misses what it lacks", crls: [][]byte{p.IntermediateCRL.PEM}, policy: mtls.RevocationIfAvailable,
			cert: p.UnderRevokedIntermediate},
		{name: "no revocation accepts revoked", policy: mtls.InsecureNoRevocation, cert: p.Revoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(p)
			cfg.CRLs = tt.crls
			cfg.Revocation = tt.policy
			cfg.InsecureAllowStaleCRL = tt.stale
			_, err := newValidator(t, cfg).Validate(tt.cert.PEMString())
			checkErr(t, err, tt.want...)
		})
	}
}

// TestStaleCRLAgreesWithOpenSSL checks that openssl also refuses a chain
// whose CRL is past its next update.
func TestStaleCRLAgreesWithOpenSSL(t *testing.T) {
	p := testPKI(t)
	cfg := baseConfig(p)
	cfg.CRLs = [][]byte{p.RootCRL.PEM, p.StaleIntermediateCRL.PEM}
	_, err := newValidator(t, cfg).Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrStaleCRL)
	res := testpeer.RunOpenSSLVerify(t, p.Good, testpeer.OpenSSLVerify{
		Roots: []*testpeer.Cert{p.Root}, Untrusted: []*testpeer.Cert{p.Intermediate},
		CRLs: []*testpeer.CRL{p.RootCRL, p.StaleIntermediateCRL}, CRLCheckAll: true, At: p.At,
	})
	if res.OK || !res.Has(testpeer.OpenSSLCRLHasExpired) {
		t.Fatalf("openssl does not report an expired CRL:\n%s", res.Output)
	}
}

func TestNewValidatorErrors(t *testing.T) {
	p := testPKI(t)
	tests := []struct {
		name   string
		modify func(*mtls.Config)
		want   []error
	}{
		{name: "valid", modify: func(*mtls.Config) {}},
		{name: "nil trust store", modify: func(c *mtls.Config) { c.TrustStore = nil },
			want: []error{mtls.ErrEmptyTrustStore, mtls.ErrConfig}},
		{name: "blank trust store", modify: func(c *mtls.Config) { c.TrustStore = []byte("\n\n") },
			want: []error{mtls.ErrEmptyTrustStore}},
		{name: "trust store not PEM", modify: func(c *mtls.Config) { c.TrustStore = []byte("not pem") },
			want: []error{mtls.ErrBadTrustStore, mtls.ErrConfig}},
		{name: "trust store trailing junk", modify: func(c *mtls.Config) { c.TrustStore = append(p.TrustStorePEM(), "junk"...) },
			want: []error{mtls.ErrBadTrustStore}},
		{name: "trust store with a CRL block", modify: func(c *mtls.Config) { c.TrustStore = append(p.TrustStorePEM(), p.RootCRL.PEM...) },
			want: []error{mtls.ErrBadTrustStore}},
		{name: "trust store with a bad certificate", modify: func(c *mtls.Config) {
			c.TrustStore = []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
		}, want: []error{mtls.ErrBadTrustStore}},
		{name: "only intermediates", modify: func(c *mtls.Config) {
			c.TrustStore = p.Intermediate.PEM
			c.CRLs = [][]byte{p.IntermediateCRL.PEM}
		}, want: []error{mtls.ErrEmptyTrustStore}},
		{name: "wrong-key CRL", modify: func(c *mtls.Config) { c.CRLs = append(c.CRLs, p.WrongKeyCRL.PEM) },
			want: []error{mtls.ErrBadCRL, mtls.ErrConfig}},
		{name: "wrong-key CRL in DER", modify: func(c *mtls.Config) { c.CRLs = [][]byte{p.WrongKeyCRL.DER} },
			want: []error{mtls.ErrBadCRL}},
		{name: "CRL of an untrusted CA", modify: func(c *mtls.Config) { c.CRLs = [][]byte{p.OtherRootCRL.PEM} },
			want: []error{mtls.ErrBadCRL}},
		{name: "CRL garbage", modify: func(c *mtls.Config) { c.CRLs = [][]byte{[]byte("garbage")} },
			want: []error{mtls.ErrBadCRL}},
		{name: "CRL PEM of a certificate", modify: func(c *mtls.Config) { c.CRLs = [][]byte{p.Root.PEM} },
			want: []error{mtls.ErrBadCRL}},
		{name: "CRL PEM with junk", modify: func(c *mtls.Config) { c.CRLs = [][]byte{append(p.RootCRL.PEM, "junk"...)} },
			want: []error{mtls.ErrBadCRL}},
		{name: "no allow-list", modify: func(c *mtls.Config) { c.AllowAny = false }, want: []error{mtls.ErrConfig}},
		{name: "AllowAny with a list", modify: func(c *mtls.Config) { c.AllowedCommonNames = []string{"x"} },
			want: []error{mtls.ErrConfig}},
		{name: "empty allow-list entry", modify: func(c *mtls.Config) { c.AllowAny, c.AllowedDNSNames = false, []string{""} },
			want: []error{mtls.ErrConfig}},
		{name: "bad pin", modify: func(c *mtls.Config) { c.AllowAny, c.AllowedSPKIPins = false, []string{"abcd"} },
			want: []error{mtls.ErrConfig}},
		{name: "bad serial", modify: func(c *mtls.Config) { c.AllowAny, c.AllowedSerialNumbers = false, []string{"xyz"} },
			want: []error{mtls.ErrConfig}},
		{name: "negative leeway", modify: func(c *mtls.Config) { c.Leeway = -time.Second }, want: []error{mtls.ErrConfig}},
		{name: "revocation required without CRLs", modify: func(c *mtls.Config) { c.CRLs = nil },
			want: []error{mtls.ErrConfig, mtls.ErrNoCRL}},
		{name: "no revocation with CRLs", modify: func(c *mtls.Config) { c.Revocation = mtls.InsecureNoRevocation },
			want: []error{mtls.ErrConfig}},
		{name: "unknown revocation policy", modify: func(c *mtls.Config) { c.Revocation = 42 }, want: []error{mtls.ErrConfig}},
		{name: "stale CRLs allowed without revocation", modify: func(c *mtls.Config) {
			c.CRLs, c.Revocation, c.InsecureAllowStaleCRL = nil, mtls.InsecureNoRevocation, true
		}, want: []error{mtls.ErrConfig}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(p)
			tt.modify(&cfg)
			v, err := mtls.NewValidator(cfg)
			checkErr(t, err, tt.want...)
			if (v == nil) != (err != nil) {
				t.Fatalf("Validator %v with error %v", v, err)
			}
		})
	}
}

func TestAllowLists(t *testing.T) {
	p := testPKI(t)
	goodSPKI := sha256.Sum256(p.Good.Cert.RawSubjectPublicKeyInfo)
	serial := p.Good.Cert.SerialNumber.Bytes()
	colonSerial := make([]string, len(serial))
	for i, b := range serial {
		colonSerial[i] = strings.ToUpper(hex.EncodeToString([]byte{b}))
	}
	tests := []struct {
		name   string
		modify func(*mtls.Config)
	}{
		{name: "common name", modify: func(c *mtls.Config) { c.AllowedCommonNames = []string{"client-good", "x"} }},
		{name: "organization", modify: func(c *mtls.Config) { c.AllowedOrganizations = []string{"Acme"} }},
		{name: "organizational unit", modify: func(c *mtls.Config) { c.AllowedOrganizationalUnits = []string{"payments"} }},
		{name: "DNS name, case-insensitive", modify: func(c *mtls.Config) { c.AllowedDNSNames = []string{"GOOD.client.example"} }},
		{name: "URI", modify: func(c *mtls.Config) { c.AllowedURIs = []string{"spiffe://example.org/client/good"} }},
		{name: "email, case-insensitive", modify: func(c *mtls.Config) { c.AllowedEmails = []string{"Good@Example.org"} }},
		{name: "SPKI pin hex", modify: func(c *mtls.Config) { c.AllowedSPKIPins = []string{hex.EncodeToString(goodSPKI[:])} }},
		{name: "SPKI pin base64", modify: func(c *mtls.Config) {
			c.AllowedSPKIPins = []string{base64.StdEncoding.EncodeToString(goodSPKI[:])}
		}},
		{name: "serial hex", modify: func(c *mtls.Config) { c.AllowedSerialNumbers = []string{p.Good.Cert.SerialNumber.Text(16)} }},
		{name: "serial with colons", modify: func(c *mtls.Config) { c.AllowedSerialNumbers = []string{strings.Join(colonSerial, ":")} }},
		{name: "serial with 0x", modify: func(c *mtls.Config) { c.AllowedSerialNumbers = []string{"0x" + p.Good.Cert.SerialNumber.Text(16)} }},
		{name: "every list (AND)", modify: func(c *mtls.Config) {
			c.AllowedCommonNames = []string{"client-good", "client-other"}
			c.AllowedOrganizations = []string{"Acme"}
			c.AllowedURIs = []string{"spiffe://example.org/client/good", "spiffe://example.org/client/other"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(p)
			cfg.AllowAny = false
			tt.modify(&cfg)
			v := newValidator(t, cfg)
			_, err := v.Validate(p.Good.PEMString())
			checkErr(t, err)
			// Other differs from Good in every listed attribute.
			_, err = v.Validate(p.Other.PEMString())
			checkErr(t, err, mtls.ErrNotAllowed, mtls.ErrRejected)
		})
	}
}

func TestCache(t *testing.T) {
	p := testPKI(t)
	clk := newClock(p.At)
	cfg := baseConfig(p)
	cfg.Clock = clk.Now
	v := newValidator(t, cfg)

	id1, err := v.Validate(p.Good.PEMString())
	checkErr(t, err)
	id1.CommonName = "tampered"
	id2, err := v.Validate(p.Good.URLEncoded()) // same certificate, other encoding: a cache hit
	checkErr(t, err)
	if id2.CommonName != "client-good" {
		t.Fatal("a caller's change to an Identity leaked into the cache")
	}

	// The cached verdict ends when the certificate expires.
	clk.Set(p.Good.Cert.NotAfter.Add(time.Second))
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrExpired)
	// ... and before it starts (a clock moved back).
	clk.Set(p.Good.Cert.NotBefore.Add(-time.Second))
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrNotYetValid)
	// ... and when its CRL goes stale.
	clk.Set(p.IntermediateCRL.CRL.NextUpdate.Add(time.Second))
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrStaleCRL)

	// Reloading CRLs invalidates the cache: revoke Good.
	clk.Set(p.At)
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err)
	crl, err := testpeer.NewCRL(p.Intermediate, p.At.Add(-time.Hour), p.At.Add(24*time.Hour), p.At.Add(-time.Minute), p.Good)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetCRLs(p.RootCRL.PEM, crl.PEM); err != nil {
		t.Fatal(err)
	}
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrRevoked)

	// A failed SetCRLs keeps the CRLs in force.
	err = v.SetCRLs(p.WrongKeyCRL.PEM)
	checkErr(t, err, mtls.ErrBadCRL)
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrRevoked)
}

func TestReloadCRLs(t *testing.T) {
	p := testPKI(t)
	var mu sync.Mutex
	var loadErr error
	crls := p.CRLsPEM()
	cfg := baseConfig(p)
	cfg.CRLs = nil
	cfg.CRLLoader = func(context.Context) ([][]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		return crls, loadErr
	}
	v := newValidator(t, cfg)

	// Fails closed until the loader has run.
	_, err := v.Validate(p.Good.PEMString())
	checkErr(t, err, mtls.ErrNoCRL, mtls.ErrUnavailable)

	checkErr(t, v.ReloadCRLs(t.Context()))
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err)
	_, err = v.Validate(p.Revoked.PEMString())
	checkErr(t, err, mtls.ErrRevoked)

	// A failing loader keeps the current CRLs.
	boom := errors.New("s3 unavailable")
	mu.Lock()
	loadErr = boom
	mu.Unlock()
	err = v.ReloadCRLs(t.Context())
	checkErr(t, err, mtls.ErrUnavailable, boom)
	_, err = v.Validate(p.Good.PEMString())
	checkErr(t, err)

	// A loader returning a bad CRL keeps them too.
	mu.Lock()
	loadErr, crls = nil, [][]byte{p.WrongKeyCRL.PEM}
	mu.Unlock()
	checkErr(t, v.ReloadCRLs(t.Context()), mtls.ErrBadCRL)
	_, err = v.Validate(p.Revoked.PEMString())
	checkErr(t, err, mtls.ErrRevoked)

	// Without a loader, ReloadCRLs is a configuration error, and SetCRLs
	// is refused when revocation is off.
	v2 := newValidator(t, baseConfig(p))
	checkErr(t, v2.ReloadCRLs(t.Context()), mtls.ErrConfig)
	cfg3 := baseConfig(p)
	cfg3.CRLs, cfg3.Revocation = nil, mtls.InsecureNoRevocation
	checkErr(t, newValidator(t, cfg3).SetCRLs(p.RootCRL.PEM), mtls.ErrConfig)
}

// TestReloadCRLsShared checks that a call made while a load is in progress
// waits for it rather than running the loader again, and honours its
// context while it waits.
func TestReloadCRLsShared(t *testing.T) {
	p := testPKI(t)
	started, release := make(chan struct{}), make(chan struct{})
	var calls int
	var mu sync.Mutex
	cfg := baseConfig(p)
	cfg.CRLs = nil
	cfg.CRLLoader = func(context.Context) ([][]byte, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		close(started)
		<-release
		return p.CRLsPEM(), nil
	}
	v := newValidator(t, cfg)
	first := make(chan error)
	go func() { first <- v.ReloadCRLs(t.Context()) }()
	<-started

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	checkErr(t, v.ReloadCRLs(ctx), mtls.ErrUnavailable, context.Canceled)

	close(release)
	checkErr(t, <-first)
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Fatalf("loader ran %d times", calls)
	}
}

// TestConcurrent validates from many goroutines while CRLs are replaced;
// run with -race.
func TestConcurrent(t *testing.T) {
	p := testPKI(t)
	v := newValidator(t, baseConfig(p))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := v.Validate(p.Good.PEMString()); err != nil {
					t.Errorf("Validate: %v", err)
					return
				}
				if _, err := v.Validate(p.Revoked.PEMString()); !errors.Is(err, mtls.ErrRevoked) {
					t.Errorf("revoked: %v", err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			if err := v.SetCRLs(p.CRLsPEM()...); err != nil {
				t.Errorf("SetCRLs: %v", err)
				return
			}
		}
	}()
	wg.Wait()
}

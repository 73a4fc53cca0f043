package testpeer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seclambda/seclambda/mtls/mtlstest"
)

// The test PKI is the public kit mtls/mtlstest; these names keep it at hand
// for the tests that also use the rest of testpeer.
type (
	// Cert is a certificate of the test PKI: [mtlstest.Cert].
	Cert = mtlstest.Cert
	// CRL is a revocation list of the test PKI: [mtlstest.CRL].
	CRL = mtlstest.CRL
	// LeafOptions describes a client certificate: [mtlstest.LeafOptions].
	LeafOptions = mtlstest.LeafOptions
	// PKI is the test PKI: [mtlstest.PKI].
	PKI = mtlstest.PKI
)

// NewPKI builds a [PKI] dated relative to at ([mtlstest.NewPKI]), failing
// tb on error.
func NewPKI(tb testing.TB, at time.Time) *PKI {
	tb.Helper()
	p, err := mtlstest.NewPKI(at)
	if err != nil {
		tb.Fatalf("testpeer: build PKI: %v", err)
	}
	return p
}

// BuildPKI is [mtlstest.NewPKI].
func BuildPKI(at time.Time) (*PKI, error) { return mtlstest.NewPKI(at) }

// NewLeaf is [mtlstest.NewLeaf].
func NewLeaf(parent *Cert, at time.Time, o LeafOptions) (*Cert, error) {
	return mtlstest.NewLeaf(parent, at, o)
}

// NewCRL is [mtlstest.NewCRL].
func NewCRL(issuer *Cert, thisUpdate, nextUpdate, revokedAt time.Time, revoked ...*Cert) (*CRL, error) {
	return mtlstest.NewCRL(issuer, thisUpdate, nextUpdate, revokedAt, revoked...)
}

// Bundle is [mtlstest.Bundle].
func Bundle(certs ...*Cert) []byte { return mtlstest.Bundle(certs...) }

// ALBEncode is [mtlstest.ALBEncode].
func ALBEncode(pemData []byte) string { return mtlstest.ALBEncode(pemData) }

// OpenSSLVerify describes one run of `openssl verify` for [RunOpenSSLVerify].
type OpenSSLVerify struct {
	// Roots are the trust anchors (-CAfile).
	Roots []*Cert
	// Untrusted are intermediates that may complete the chain (-untrusted).
	Untrusted []*Cert
	// CRLs are passed with -CRLfile.
	CRLs []*CRL
	// CRLCheck checks the leaf against its issuer's CRL (-crl_check);
	// CRLCheckAll checks every certificate of the chain (-crl_check_all).
	CRLCheck, CRLCheckAll bool
	// Purpose is passed as -purpose; "" means sslclient.
	Purpose string
	// At is the verification time (-attime).
	At time.Time
}

// OpenSSLResult is the verdict of `openssl verify`.
type OpenSSLResult struct {
	// OK reports whether openssl accepted the certificate.
	OK bool
	// Codes are the X509_V_ERR codes openssl reported, in order
	// (for example 10 for "certificate has expired", 23 for "certificate
	// revoked").
	Codes []int
	// Output is openssl's combined output, for test failure messages.
	Output string
}

// Has reports whether openssl reported the X509_V_ERR code.
func (r OpenSSLResult) Has(code int) bool {
	for _, c := range r.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// X509_V_ERR codes that [OpenSSLResult.Codes] holds.
const (
	OpenSSLCertNotYetValid    = 9
	OpenSSLCertHasExpired     = 10
	OpenSSLCRLHasExpired      = 12
	OpenSSLSelfSigned         = 18
	OpenSSLUnableToGetIssuer  = 20
	OpenSSLCertRevoked        = 23
	OpenSSLInvalidPurpose     = 26
	OpenSSLCRLSignatureFailed = 8
	OpenSSLUnableToGetCRL     = 3
)

var opensslErr = regexp.MustCompile(`(?m)error (\d+) at \d+ depth lookup`)

// RunOpenSSLVerify runs `openssl verify` on leaf as v describes and returns
// its verdict. openssl comes from PATH (the Debian package "openssl"); when
// it is missing the test fails if [Required] and skips otherwise.
func RunOpenSSLVerify(tb testing.TB, leaf *Cert, v OpenSSLVerify) OpenSSLResult {
	tb.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		msg := "testpeer: openssl is not available (" + err.Error() + "); install the Debian package openssl"
		if Required() {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	dir := tb.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			tb.Fatalf("testpeer: %v", err)
		}
		return p
	}
	purpose := v.Purpose
	if purpose == "" {
		purpose = "sslclient"
	}
	args := []string{"verify", "-purpose", purpose, "-attime", strconv.FormatInt(v.At.Unix(), 10),
		"-CAfile", write("roots.pem", Bundle(v.Roots...))}
	if len(v.Untrusted) > 0 {
		args = append(args, "-untrusted", write("untrusted.pem", Bundle(v.Untrusted...)))
	}
	if len(v.CRLs) > 0 {
		var b bytes.Buffer
		for _, c := range v.CRLs {
			b.Write(c.PEM)
		}
		args = append(args, "-CRLfile", write("crls.pem", b.Bytes()))
	}
	if v.CRLCheck {
		args = append(args, "-crl_check")
	}
	if v.CRLCheckAll {
		args = append(args, "-crl_check_all")
	}
	args = append(args, write("leaf.pem", leaf.PEM))
	out, err := exec.Command(bin, args...).CombinedOutput()
	res := OpenSSLResult{OK: err == nil, Output: string(out)}
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		tb.Fatalf("testpeer: run openssl: %v", err)
	}
	for _, m := range opensslErr.FindAllStringSubmatch(res.Output, -1) {
		n, _ := strconv.Atoi(m[1])
		res.Codes = append(res.Codes, n)
	}
	if res.OK && !strings.Contains(res.Output, ": OK") {
		res.OK = false
	}
	return res
}

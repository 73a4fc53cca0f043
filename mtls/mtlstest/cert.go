package mtlstest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"sync/atomic"
	"time"
)

// Cert is a test certificate with its private key and both of its
// encodings. A Cert is immutable once made.
type Cert struct {
	// Cert is the parsed certificate.
	Cert *x509.Certificate
	// Key is the certificate's private key (ECDSA P-256).
	Key crypto.Signer
	// DER is the certificate in DER.
	DER []byte
	// PEM is the certificate as one PEM "CERTIFICATE" block.
	PEM []byte
}

// PEMString returns c.PEM as a string, the form API Gateway puts in
// clientCertPem.
func (c *Cert) PEMString() string { return string(c.PEM) }

// URLEncoded returns c.PEM URL-encoded the way an Application Load Balancer
// encodes its X-Amzn-Mtls-Clientcert header (see [ALBEncode]).
func (c *Cert) URLEncoded() string { return ALBEncode(c.PEM) }

// CRL is a test certificate revocation list in both of its encodings. A CRL
// is immutable once made.
type CRL struct {
	// CRL is the parsed list.
	CRL *x509.RevocationList
	// DER is the list in DER.
	DER []byte
	// PEM is the list as one PEM "X509 CRL" block, one element of
	// mtls.Config.CRLs.
	PEM []byte
}

// CAOptions describes a CA certificate for [NewCA]. The zero value gives a
// CA with no name, valid from a year before the reference time to ten years
// after it.
type CAOptions struct {
	// CommonName and Organization name the CA's subject.
	CommonName   string
	Organization []string
	// NotBefore and NotAfter default to at-365d and at+10y.
	NotBefore, NotAfter time.Time
}

// LeafOptions describes a client certificate for [NewLeaf]. The zero value
// gives a certificate with the clientAuth extended key usage, the
// digitalSignature key usage and CA:FALSE, valid from an hour before the
// reference time to 30 days after it, with no names.
type LeafOptions struct {
	// CommonName, Organization and OrganizationalUnit name the subject.
	CommonName         string
	Organization       []string
	OrganizationalUnit []string
	// DNSNames, URIs (such as "spiffe://example.org/device/1") and
	// EmailAddresses are the subject alternative names.
	DNSNames       []string
	URIs           []string
	EmailAddresses []string
	// ExtKeyUsage defaults to clientAuth; use an empty non-nil slice for a
	// certificate without the extension.
	ExtKeyUsage []x509.ExtKeyUsage
	// KeyUsage defaults to digitalSignature; set OmitKeyUsage for a
	// certificate without the extension.
	KeyUsage     x509.KeyUsage
	OmitKeyUsage bool
	// IsCA marks the certificate CA:TRUE in its basic constraints, as if a
	// CA certificate were presented as a client certificate.
	IsCA bool
	// NotBefore and NotAfter default to at-1h and at+30d.
	NotBefore, NotAfter time.Time
	// Serial defaults to a fresh serial number.
	Serial *big.Int
}

// serials hands out distinct serial numbers across every certificate of a
// process, so that no two certificates of one issuer share one.
var serials atomic.Int64

func nextSerial() *big.Int {
	// Start high enough that serials have several bytes, like real ones.
	return big.NewInt(0x5ec1a4b0000 + serials.Add(1))
}

// NewCA issues a CA certificate (CA:TRUE, key usages keyCertSign and
// cRLSign, no extended key usage) from parent, or a self-signed root when
// parent is nil, dated relative to at.
func NewCA(parent *Cert, at time.Time, o CAOptions) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mtlstest: key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: o.CommonName, Organization: o.Organization},
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = at.Add(-365 * 24 * time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = at.Add(10 * 365 * 24 * time.Hour)
	}
	return sign(tmpl, parent, key)
}

// NewLeaf issues a client certificate from parent, or a self-signed one
// when parent is nil, dated relative to at.
func NewLeaf(parent *Cert, at time.Time, o LeafOptions) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mtlstest: key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          o.Serial,
		Subject:               pkix.Name{CommonName: o.CommonName, Organization: o.Organization, OrganizationalUnit: o.OrganizationalUnit},
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              o.KeyUsage,
		ExtKeyUsage:           o.ExtKeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  o.IsCA,
		DNSNames:              o.DNSNames,
		EmailAddresses:        o.EmailAddresses,
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = nextSerial()
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = at.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = at.Add(30 * 24 * time.Hour)
	}
	switch {
	case o.OmitKeyUsage:
		tmpl.KeyUsage = 0 // crypto/x509 then writes no keyUsage extension
	case o.KeyUsage == 0:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if o.ExtKeyUsage == nil {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, s := range o.URIs {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("mtlstest: leaf URI %q: %w", s, err)
		}
		tmpl.URIs = append(tmpl.URIs, u)
	}
	return sign(tmpl, parent, key)
}

func sign(tmpl *x509.Certificate, parent *Cert, key *ecdsa.PrivateKey) (*Cert, error) {
	parentCert, parentKey := tmpl, crypto.Signer(key)
	if parent != nil {
		parentCert, parentKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), parentKey)
	if err != nil {
		return nil, fmt.Errorf("mtlstest: create certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mtlstest: parse certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	return &Cert{
		Cert: cert,
		Key:  key,
		DER:  der,
		PEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// crlNumbers hands out increasing CRL numbers.
var crlNumbers atomic.Int64

// NewCRL issues a CRL from issuer, valid from thisUpdate to nextUpdate, that
// lists every certificate of revoked as revoked at revokedAt (reason key
// compromise). With no revoked certificates it is the CA's current, empty
// list, which a validator that requires revocation data needs for every CA
// of its trust store.
func NewCRL(issuer *Cert, thisUpdate, nextUpdate, revokedAt time.Time, revoked ...*Cert) (*CRL, error) {
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(crlNumbers.Add(1)),
		ThisUpdate: thisUpdate,
		NextUpdate: nextUpdate,
	}
	for _, r := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber:   r.Cert.SerialNumber,
			RevocationTime: revokedAt,
			ReasonCode:     1, // keyCompromise
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer.Cert, issuer.Key)
	if err != nil {
		return nil, fmt.Errorf("mtlstest: create CRL of %q: %w", issuer.Cert.Subject.CommonName, err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("mtlstest: parse CRL of %q: %w", issuer.Cert.Subject.CommonName, err)
	}
	return &CRL{CRL: crl, DER: der, PEM: pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})}, nil
}

// Bundle concatenates the PEM of certs, the form of a trust store
// (mtls.Config.TrustStore, API Gateway's truststore.pem) or of a chain.
func Bundle(certs ...*Cert) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		b.Write(c.PEM)
	}
	return b.Bytes()
}

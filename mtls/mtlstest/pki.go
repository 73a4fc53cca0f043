package mtlstest

import (
	"crypto/x509"
	"time"
)

// PKI is a complete test public-key infrastructure built with crypto/x509:
// a root CA, two intermediates (one of them revoked by the root), an
// unrelated second root, client certificates of every kind a validator has
// to tell apart, and CRLs, including a stale one and one signed by the wrong
// key. All keys are ECDSA P-256 and all times are relative to At. Every CA
// certificate is CA:TRUE with the key usages keyCertSign and cRLSign and no
// extended key usage, as a CA's should be; every client certificate has
// the digitalSignature key usage and clientAuth unless its field says
// otherwise.
//
// A PKI is immutable once built and safe for concurrent use.
type PKI struct {
	// At is the reference time: every certificate and CRL is dated relative
	// to it. Validate at At (inject it as the clock) to get the verdicts the
	// field comments describe.
	At time.Time

	// Root is the trusted root CA ("seclambda test root").
	Root *Cert
	// Intermediate is a CA issued by Root that issues the client
	// certificates.
	Intermediate *Cert
	// RevokedIntermediate is a CA issued by Root and revoked in RootCRL.
	RevokedIntermediate *Cert
	// OtherRoot is a root CA that the trust store does not contain.
	OtherRoot *Cert

	// Good is a valid clientAuth certificate issued by Intermediate, with
	// CN "client-good", O "Acme", OU "payments", DNS "good.client.example",
	// URI "spiffe://example.org/client/good" and email "good@example.org".
	Good *Cert
	// Other is another valid clientAuth certificate issued by Intermediate,
	// with CN "client-other", O "Other Corp", OU "sales", DNS
	// "other.client.example", URI "spiffe://example.org/client/other" and
	// email "other@example.org"; allow-lists built for Good must reject it.
	Other *Cert
	// Expired expired a day before At.
	Expired *Cert
	// NotYetValid becomes valid a day after At.
	NotYetValid *Cert
	// ServerAuthOnly has only the serverAuth extended key usage.
	ServerAuthOnly *Cert
	// SelfSigned is a self-signed clientAuth certificate.
	SelfSigned *Cert
	// OtherCA is a clientAuth certificate issued by OtherRoot.
	OtherCA *Cert
	// Revoked is issued by Intermediate and listed in IntermediateCRL,
	// revoked at RevokedAt.
	Revoked *Cert
	// UnderRevokedIntermediate is a valid clientAuth certificate issued by
	// RevokedIntermediate.
	UnderRevokedIntermediate *Cert

	// CAFlagged is a clientAuth certificate issued by Intermediate with the
	// digitalSignature key usage but CA:TRUE in its basic constraints.
	// openssl's sslclient purpose accepts it; mtls refuses it.
	CAFlagged *Cert
	// KeyEnciphermentOnly is a clientAuth certificate issued by
	// Intermediate whose key usage is keyEncipherment alone, which the
	// sslclient purpose refuses (it needs digitalSignature or keyAgreement).
	KeyEnciphermentOnly *Cert
	// KeyAgreementOnly is a clientAuth certificate issued by Intermediate
	// whose key usage is keyAgreement alone, which the sslclient purpose
	// accepts.
	KeyAgreementOnly *Cert
	// NoKeyUsage is a clientAuth certificate issued by Intermediate without
	// a key usage extension, which allows every usage.
	NoKeyUsage *Cert

	// RevokedAt is the revocation time of Revoked and RevokedIntermediate.
	RevokedAt time.Time

	// RootCRL is Root's current CRL; it lists RevokedIntermediate.
	RootCRL *CRL
	// IntermediateCRL is Intermediate's current CRL; it lists Revoked.
	IntermediateCRL *CRL
	// RevokedIntermediateCRL is RevokedIntermediate's current, empty CRL.
	RevokedIntermediateCRL *CRL
	// StaleIntermediateCRL is a CRL of Intermediate whose NextUpdate passed
	// an hour before At; it lists Revoked.
	StaleIntermediateCRL *CRL
	// WrongKeyCRL names Intermediate as its issuer but is signed by an
	// unrelated key.
	WrongKeyCRL *CRL
	// OtherRootCRL is OtherRoot's current, empty CRL (its signature does not
	// verify against any CA of the trust store).
	OtherRootCRL *CRL
}

// NewPKI builds a [PKI] dated relative to at.
func NewPKI(at time.Time) (*PKI, error) {
	at = at.UTC().Truncate(time.Second)
	p := &PKI{At: at, RevokedAt: at.Add(-2 * time.Hour)}
	caFrom, caTo := at.Add(-365*24*time.Hour), at.Add(10*365*24*time.Hour)
	var err error
	if p.Root, err = newCA("seclambda test root", nil, caFrom, caTo); err != nil {
		return nil, err
	}
	if p.Intermediate, err = newCA("seclambda test intermediate", p.Root, caFrom, caTo); err != nil {
		return nil, err
	}
	if p.RevokedIntermediate, err = newCA("seclambda revoked intermediate", p.Root, caFrom, caTo); err != nil {
		return nil, err
	}
	if p.OtherRoot, err = newCA("unrelated root", nil, caFrom, caTo); err != nil {
		return nil, err
	}

	leaves := []struct {
		dst    **Cert
		parent *Cert
		opts   LeafOptions
	}{
		{&p.Good, p.Intermediate, LeafOptions{
			CommonName: "client-good", Organization: []string{"Acme"}, OrganizationalUnit: []string{"payments"},
			DNSNames: []string{"good.client.example"}, URIs: []string{"spiffe://example.org/client/good"},
			EmailAddresses: []string{"good@example.org"},
		}},
		{&p.Other, p.Intermediate, LeafOptions{
			CommonName: "client-other", Organization: []string{"Other Corp"}, OrganizationalUnit: []string{"sales"},
			DNSNames: []string{"other.client.example"}, URIs: []string{"spiffe://example.org/client/other"},
			EmailAddresses: []string{"other@example.org"},
		}},
		{&p.Expired, p.Intermediate, LeafOptions{
			CommonName: "client-expired", Organization: []string{"Acme"},
			NotBefore: at.Add(-60 * 24 * time.Hour), NotAfter: at.Add(-24 * time.Hour),
		}},
		{&p.NotYetValid, p.Intermediate, LeafOptions{
			CommonName: "client-not-yet-valid", Organization: []string{"Acme"},
			NotBefore: at.Add(24 * time.Hour), NotAfter: at.Add(60 * 24 * time.Hour),
		}},
		{&p.ServerAuthOnly, p.Intermediate, LeafOptions{
			CommonName: "server-only", Organization: []string{"Acme"}, DNSNames: []string{"server.example"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}},
		{&p.SelfSigned, nil, LeafOptions{CommonName: "client-self-signed", Organization: []string{"Acme"}}},
		{&p.OtherCA, p.OtherRoot, LeafOptions{CommonName: "client-good", Organization: []string{"Acme"}}},
		{&p.Revoked, p.Intermediate, LeafOptions{CommonName: "client-revoked", Organization: []string{"Acme"}}},
		{&p.UnderRevokedIntermediate, p.RevokedIntermediate, LeafOptions{
			CommonName: "client-under-revoked-ca", Organization: []string{"Acme"},
		}},
		{&p.CAFlagged, p.Intermediate, LeafOptions{CommonName: "client-ca-flagged", Organization: []string{"Acme"}, IsCA: true}},
		{&p.KeyEnciphermentOnly, p.Intermediate, LeafOptions{
			CommonName: "client-key-encipherment", Organization: []string{"Acme"}, KeyUsage: x509.KeyUsageKeyEncipherment,
		}},
		{&p.KeyAgreementOnly, p.Intermediate, LeafOptions{
			CommonName: "client-key-agreement", Organization: []string{"Acme"}, KeyUsage: x509.KeyUsageKeyAgreement,
		}},
		{&p.NoKeyUsage, p.Intermediate, LeafOptions{CommonName: "client-no-key-usage", Organization: []string{"Acme"}, OmitKeyUsage: true}},
	}
	for _, l := range leaves {
		if *l.dst, err = NewLeaf(l.parent, at, l.opts); err != nil {
			return nil, err
		}
	}

	thisUpdate, nextUpdate := at.Add(-24*time.Hour), at.Add(7*24*time.Hour)
	if p.RootCRL, err = NewCRL(p.Root, thisUpdate, nextUpdate, p.RevokedAt, p.RevokedIntermediate); err != nil {
		return nil, err
	}
	if p.IntermediateCRL, err = NewCRL(p.Intermediate, thisUpdate, nextUpdate, p.RevokedAt, p.Revoked); err != nil {
		return nil, err
	}
	if p.RevokedIntermediateCRL, err = NewCRL(p.RevokedIntermediate, thisUpdate, nextUpdate, p.RevokedAt); err != nil {
		return nil, err
	}
	if p.StaleIntermediateCRL, err = NewCRL(p.Intermediate, at.Add(-8*24*time.Hour), at.Add(-time.Hour), p.RevokedAt, p.Revoked); err != nil {
		return nil, err
	}
	if p.OtherRootCRL, err = NewCRL(p.OtherRoot, thisUpdate, nextUpdate, p.RevokedAt); err != nil {
		return nil, err
	}
	// The wrong-key CRL names Intermediate as issuer (same subject, same key
	// identifier) but is signed by OtherRoot's key.
	impostor := &Cert{Cert: p.Intermediate.Cert, Key: p.OtherRoot.Key}
	if p.WrongKeyCRL, err = NewCRL(impostor, thisUpdate, nextUpdate, p.RevokedAt); err != nil {
		return nil, err
	}
	return p, nil
}

// TrustStorePEM returns the PEM bundle that API Gateway's truststore would
// hold: Root, Intermediate and RevokedIntermediate (not OtherRoot).
func (p *PKI) TrustStorePEM() []byte {
	return Bundle(p.Root, p.Intermediate, p.RevokedIntermediate)
}

// CRLsPEM returns the current CRLs of the trust store's CAs in PEM, one
// element per CA: RootCRL, IntermediateCRL and RevokedIntermediateCRL.
func (p *PKI) CRLsPEM() [][]byte {
	return [][]byte{p.RootCRL.PEM, p.IntermediateCRL.PEM, p.RevokedIntermediateCRL.PEM}
}

// newCA creates a CA certificate named cn, self-signed when parent is nil.
func newCA(cn string, parent *Cert, notBefore, notAfter time.Time) (*Cert, error) {
	return NewCA(parent, notBefore, CAOptions{
		CommonName: cn, Organization: []string{"seclambda tests"}, NotBefore: notBefore, NotAfter: notAfter,
	})
}

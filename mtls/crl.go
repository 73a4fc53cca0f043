package mtls

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"
)

// CRL and CRL entry extensions (RFC 5280 sections 5.2 and 5.3) that decide
// whether a CRL is complete.
var (
	oidAuthorityKeyID    = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber         = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDistPoint  = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidReasonCode        = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidCertificateIssuer = asn1.ObjectIdentifier{2, 5, 29, 29}
)

// incompleteCRLHint ends the reason given for a CRL that is not complete.
const incompleteCRLHint = "partitioned, delta and indirect CRLs are not supported: load complete CRLs"

// checkComplete returns why l cannot be used as the complete CRL of its
// issuer, or "" when it can. A partitioned CRL (issuingDistributionPoint)
// covers only part of the issuer's certificates, a delta CRL only the
// changes since a base CRL, and an indirect CRL (certificateIssuer entries)
// lists certificates of other CAs: taking any of them as complete would
// accept certificates they do not cover. A critical extension that this
// package does not process makes the CRL unusable (RFC 5280 section 5.2).
func checkComplete(l *x509.RevocationList) string {
	for _, e := range l.Extensions {
		switch {
		case e.Id.Equal(oidIssuingDistPoint):
			return "partitioned CRL (issuingDistributionPoint extension); " + incompleteCRLHint
		case e.Id.Equal(oidDeltaCRLIndicator):
			return "delta CRL (deltaCRLIndicator extension); " + incompleteCRLHint
		case e.Id.Equal(oidAuthorityKeyID), e.Id.Equal(oidCRLNumber):
		case e.Critical:
			return fmt.Sprintf("unsupported critical extension %s", e.Id)
		}
	}
	for i := range l.RevokedCertificateEntries {
		for _, e := range l.RevokedCertificateEntries[i].Extensions {
			switch {
			case e.Id.Equal(oidCertificateIssuer):
				return "indirect CRL (certificateIssuer entry extension); " + incompleteCRLHint
			case e.Id.Equal(oidReasonCode):
			case e.Critical:
				return fmt.Sprintf("unsupported critical entry extension %s", e.Id)
			}
		}
	}
	return ""
}

// crlInfo is one verified CRL, reduced to what revocation checks need.
type crlInfo struct {
	issuer     string    // the issuing CA's subject, for errors
	nextUpdate time.Time // zero when the CRL gives none
	revoked    map[string]x509.RevocationListEntry
}

// crlIndex maps a CA certificate (by its DER) to the CRLs it signed. It is
// immutable once built.
type crlIndex map[string][]*crlInfo

// parseCRLs parses every element of crls (PEM with one or more "X509 CRL"
// blocks, or DER) and indexes each CRL under every CA of trust that it names
// as issuer and whose key verifies its signature. It refuses CRLs that are
// not complete (see checkComplete).
func parseCRLs(crls [][]byte, trust []*x509.Certificate) (crlIndex, error) {
	idx := make(crlIndex)
	for i, data := range crls {
		lists, err := decodeCRLs(data)
		if err != nil {
			return nil, configError(ErrBadCRL, fmt.Sprintf("CRLs[%d]", i), err)
		}
		for _, l := range lists {
			if why := checkComplete(l); why != "" {
				return nil, configError(ErrBadCRL, fmt.Sprintf("CRLs[%d] (issuer %q): %s", i, l.Issuer.String(), why), nil)
			}
			info := &crlInfo{nextUpdate: l.NextUpdate, revoked: make(map[string]x509.RevocationListEntry, len(l.RevokedCertificateEntries))}
			for _, e := range l.RevokedCertificateEntries {
				if e.SerialNumber == nil {
					continue
				}
				info.revoked[e.SerialNumber.Text(16)] = e
			}
			matched := false
			for _, ca := range trust {
				if !bytes.Equal(ca.RawSubject, l.RawIssuer) || l.CheckSignatureFrom(ca) != nil {
					continue
				}
				info.issuer = ca.Subject.String()
				idx[string(ca.Raw)] = append(idx[string(ca.Raw)], info)
				matched = true
			}
			if !matched {
				return nil, configError(ErrBadCRL,
					fmt.Sprintf("CRLs[%d] (issuer %q): signature does not verify against any CA of the trust store", i, l.Issuer.String()), nil)
			}
		}
	}
	return idx, nil
}

// decodeCRLs parses one CRLs element: PEM blocks of type "X509 CRL", or one
// DER CRL.
func decodeCRLs(data []byte) ([]*x509.RevocationList, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		l, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, fmt.Errorf("DER CRL does not parse: %w", err)
		}
		return []*x509.RevocationList{l}, nil
	}
	out, rest, bad := pemBlocks(data, "X509 CRL", x509.ParseRevocationList)
	switch {
	case bad != nil && bad.err == nil:
		return nil, fmt.Errorf("PEM block of type %q, want \"X509 CRL\"", bad.typ)
	case bad != nil:
		return nil, fmt.Errorf("PEM CRL %d does not parse: %w", bad.index, bad.err)
	}
	if len(out) == 0 || !isBlank(string(rest)) {
		return nil, fmt.Errorf("not a PEM bundle of CRLs")
	}
	return out, nil
}

// checkRevocation checks every certificate of every chain but the roots
// against the CRLs of its issuer. A revocation wins over missing or stale
// CRLs. until is lowered to the earliest NextUpdate (plus leeway) of the CRLs
// consulted, so that a cached verdict ends when its CRLs go stale.
func (v *Validator) checkRevocation(st *state, chains [][]*x509.Certificate, now time.Time, until *time.Time) error {
	if v.revocation == InsecureNoRevocation {
		return nil
	}
	if !st.loaded {
		return unavailable(ErrNoCRL, "the CRL loader has not succeeded yet", nil)
	}
	var soft error
	for _, chain := range chains {
		for i := 0; i+1 < len(chain); i++ {
			cert, issuer := chain[i], chain[i+1]
			crls := st.crls[string(issuer.Raw)]
			if len(crls) == 0 {
				if v.revocation == RevocationRequired && soft == nil {
					soft = unavailable(ErrNoCRL, fmt.Sprintf("no CRL of %q is loaded", issuer.Subject.String()), nil)
				}
				continue
			}
			serial := cert.SerialNumber.Text(16)
			for _, crl := range crls {
				if e, ok := crl.revoked[serial]; ok {
					return &RevokedError{
						Subject:      cert.Subject.String(),
						SerialNumber: serial,
						Issuer:       crl.issuer,
						RevokedAt:    e.RevocationTime,
						ReasonCode:   e.ReasonCode,
						CA:           i > 0,
					}
				}
				if crl.nextUpdate.IsZero() || v.allowStale {
					continue
				}
				if now.Add(-v.leeway).After(crl.nextUpdate) {
					if soft == nil {
						soft = unavailable(ErrStaleCRL, fmt.Sprintf("CRL of %q expired at %s",
							crl.issuer, crl.nextUpdate.UTC().Format(time.RFC3339)), nil)
					}
					continue
				}
				if end := crl.nextUpdate.Add(v.leeway); end.Before(*until) {
					*until = end
				}
			}
		}
	}
	return soft
}

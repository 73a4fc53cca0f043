package mtls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
)

// allowList is the compiled form of the allow-lists of [Config]. It is
// immutable once built.
type allowList struct {
	any     bool
	cn      set
	o       set
	ou      set
	dns     set // lowercased
	uri     set
	email   set // lowercased
	pins    map[[32]byte]struct{}
	serials set // big.Int.Text(16)
}

type set map[string]struct{}

func newSet(field string, vals []string, fold bool) (set, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	s := make(set, len(vals))
	for i, v := range vals {
		if v == "" {
			return nil, configError(nil, fmt.Sprintf("%s[%d] is empty", field, i), nil)
		}
		if fold {
			v = strings.ToLower(v)
		}
		s[v] = struct{}{}
	}
	return s, nil
}

func compileAllowList(c *Config) (allowList, error) {
	var a allowList
	var err error
	if a.cn, err = newSet("AllowedCommonNames", c.AllowedCommonNames, false); err != nil {
		return a, err
	}
	if a.o, err = newSet("AllowedOrganizations", c.AllowedOrganizations, false); err != nil {
		return a, err
	}
	if a.ou, err = newSet("AllowedOrganizationalUnits", c.AllowedOrganizationalUnits, false); err != nil {
		return a, err
	}
	if a.dns, err = newSet("AllowedDNSNames", c.AllowedDNSNames, true); err != nil {
		return a, err
	}
	if a.uri, err = newSet("AllowedURIs", c.AllowedURIs, false); err != nil {
		return a, err
	}
	if a.email, err = newSet("AllowedEmails", c.AllowedEmails, true); err != nil {
		return a, err
	}
	if len(c.AllowedSPKIPins) > 0 {
		a.pins = make(map[[32]byte]struct{}, len(c.AllowedSPKIPins))
		for i, p := range c.AllowedSPKIPins {
			pin, ok := parsePin(p)
			if !ok {
				return a, configError(nil, fmt.Sprintf("AllowedSPKIPins[%d] is not a SHA-256 hash in hex or base64", i), nil)
			}
			a.pins[pin] = struct{}{}
		}
	}
	if len(c.AllowedSerialNumbers) > 0 {
		a.serials = make(set, len(c.AllowedSerialNumbers))
		for i, s := range c.AllowedSerialNumbers {
			n, ok := parseSerial(s)
			if !ok {
				return a, configError(nil, fmt.Sprintf("AllowedSerialNumbers[%d] is not a hexadecimal serial number", i), nil)
			}
			a.serials[n.Text(16)] = struct{}{}
		}
	}
	empty := a.cn == nil && a.o == nil && a.ou == nil && a.dns == nil && a.uri == nil &&
		a.email == nil && a.pins == nil && a.serials == nil
	switch {
	case c.AllowAny && !empty:
		return a, configError(nil, "AllowAny is set together with an allow-list", nil)
	case !c.AllowAny && empty:
		return a, configError(nil, "no allow-list is set; set one, or AllowAny to accept every certificate of the trust store", nil)
	}
	a.any = c.AllowAny
	return a, nil
}

// parsePin decodes a SHA-256 pin in hex (colons allowed) or base64.
func parsePin(p string) ([32]byte, bool) {
	var pin [32]byte
	p = strings.TrimSpace(p)
	h := strings.ReplaceAll(p, ":", "")
	if len(h) == 64 {
		if b, err := hex.DecodeString(h); err == nil {
			copy(pin[:], b)
			return pin, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(p); err == nil && len(b) == sha256.Size {
			copy(pin[:], b)
			return pin, true
		}
	}
	return pin, false
}

// parseSerial decodes a hexadecimal serial number: colons, a 0x prefix and
// either case are accepted.
func parseSerial(s string) (*big.Int, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.ReplaceAll(s, ":", "")
	if s == "" {
		return nil, false
	}
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() < 0 {
		return nil, false
	}
	return n, true
}

// check returns nil when cert passes every non-empty list, and otherwise an
// [ErrNotAllowed] rejection that names the first list it fails.
func (a *allowList) check(cert *x509.Certificate) error {
	if a.any {
		return nil
	}
	fail := func(field string) error {
		return reject(ErrNotAllowed, "no match in "+field, nil)
	}
	if a.cn != nil && !a.cn.has(cert.Subject.CommonName) {
		return fail("AllowedCommonNames")
	}
	if a.o != nil && !a.o.hasAny(cert.Subject.Organization, false) {
		return fail("AllowedOrganizations")
	}
	if a.ou != nil && !a.ou.hasAny(cert.Subject.OrganizationalUnit, false) {
		return fail("AllowedOrganizationalUnits")
	}
	if a.dns != nil && !a.dns.hasAny(cert.DNSNames, true) {
		return fail("AllowedDNSNames")
	}
	if a.uri != nil {
		ok := false
		for _, u := range cert.URIs {
			if a.uri.has(u.String()) {
				ok = true
				break
			}
		}
		if !ok {
			return fail("AllowedURIs")
		}
	}
	if a.email != nil && !a.email.hasAny(cert.EmailAddresses, true) {
		return fail("AllowedEmails")
	}
	if a.pins != nil {
		if _, ok := a.pins[sha256.Sum256(cert.RawSubjectPublicKeyInfo)]; !ok {
			return fail("AllowedSPKIPins")
		}
	}
	if a.serials != nil && !a.serials.has(cert.SerialNumber.Text(16)) {
		return fail("AllowedSerialNumbers")
	}
	return nil
}

func (s set) has(v string) bool {
	if v == "" {
		return false
	}
	_, ok := s[v]
	return ok
}

func (s set) hasAny(vals []string, fold bool) bool {
	for _, v := range vals {
		if fold {
			v = strings.ToLower(v)
		}
		if s.has(v) {
			return true
		}
	}
	return false
}

package mtls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxInput bounds the input of [Validator.Validate]: a client certificate is
// a few KiB, and ALB passthrough adds the chain.
const maxInput = 64 << 10

const (
	pemBegin = "-----BEGIN CERTIFICATE-----"
	pemEnd   = "-----END CERTIFICATE-----"
)

// decodeLeaf returns the DER of the first certificate in s, which is a PEM
// "CERTIFICATE" block or its URL-encoded form (the ALB header encoding, in
// which "+" stands for itself). Only whitespace may precede the block;
// whatever follows it (ALB passthrough sends the rest of the chain) is
// ignored. The DER is decoded into buf when it fits, so the result may alias
// buf.
//
// It runs on every validation whose exact input is not cached, so it avoids
// encoding/pem (which allocates the block and its headers) and works in stack
// buffers.
func decodeLeaf(s string, buf []byte) ([]byte, error) {
	if isBlank(s) {
		return nil, reject(ErrNoClientCert, "empty input", nil)
	}
	if len(s) > maxInput {
		return nil, reject(ErrMalformed, "input exceeds "+strconv.Itoa(maxInput)+" bytes", nil)
	}
	if strings.IndexByte(s, '%') >= 0 {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, reject(ErrMalformed, "bad URL encoding", nil)
		}
		s = u
	}
	i := strings.Index(s, pemBegin)
	if i < 0 || !isBlank(s[:i]) {
		return nil, reject(ErrMalformed, "no PEM CERTIFICATE block at the start", nil)
	}
	body := s[i+len(pemBegin):]
	j := strings.Index(body, pemEnd)
	if j < 0 {
		return nil, reject(ErrMalformed, "PEM CERTIFICATE block has no end line", nil)
	}
	body = body[:j]
	if n := base64.StdEncoding.DecodedLen(len(body)); n > len(buf) {
		buf = make([]byte, n)
	} else {
		buf = buf[:n]
	}
	// Copy the text into a stack buffer: the decoder wants bytes, and it
	// skips '\r' and '\n' itself.
	var scratch [2560]byte
	src := append(scratch[:0], body...)
	n, err := base64.StdEncoding.Decode(buf, src)
	if err != nil {
		// Some proxies fold PEM with spaces or tabs: drop them and retry.
		src = src[:0]
		for i := 0; i < len(body); i++ {
			if c := body[i]; c != ' ' && c != '\t' {
				src = append(src, c)
			}
		}
		if n, err = base64.StdEncoding.Decode(buf, src); err != nil {
			return nil, reject(ErrMalformed, "PEM body is not base64", nil)
		}
	}
	if n == 0 {
		return nil, reject(ErrMalformed, "PEM CERTIFICATE block is empty", nil)
	}
	return buf[:n], nil
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// Identity is a validated client certificate: the names and fingerprints an
// authorization decision or an audit log needs, and the parsed certificate.
//
// [Validator.Validate] returns a fresh Identity value on every call, but its
// slices, Certificate and Chain are shared with the validator's cache (and
// so with concurrent calls): treat them as read-only.
type Identity struct {
	// Subject is the subject distinguished name in RFC 2253 form, as
	// crypto/x509/pkix.Name.String formats it.
	Subject string
	// Issuer is the issuer distinguished name, in the same form.
	Issuer string
	// CommonName is the subject common name (CN), or "".
	CommonName string
	// Organizations are the subject organizations (O).
	Organizations []string
	// OrganizationalUnits are the subject organizational units (OU).
	OrganizationalUnits []string
	// SerialNumber is the serial number in lowercase hexadecimal without
	// separators.
	SerialNumber string
	// DNSNames are the DNS subject alternative names.
	DNSNames []string
	// URIs are the URI subject alternative names, such as SPIFFE IDs.
	URIs []string
	// EmailAddresses are the email subject alternative names.
	EmailAddresses []string
	// IPAddresses are the IP address subject alternative names, in
	// net.IP.String form.
	IPAddresses []string
	// NotBefore is the start of the certificate's validity.
	NotBefore time.Time
	// NotAfter is the end of the certificate's validity.
	NotAfter time.Time
	// SPKISHA256 is the lowercase hex SHA-256 of the subject public key
	// info: the value [Config.AllowedSPKIPins] matches.
	SPKISHA256 string
	// FingerprintSHA256 is the lowercase hex SHA-256 of the certificate's
	// DER, the key of the validation cache.
	FingerprintSHA256 string
	// Certificate is the parsed client certificate.
	Certificate *x509.Certificate
	// Chain is the verified chain, from Certificate to a root of the trust
	// store.
	Chain []*x509.Certificate
}

// Principal returns a name for the client: its subject common name, or
// "sha256:" and its fingerprint when the common name is empty. Common names
// are unique only within one CA's policy; when several CAs are trusted,
// prefer FingerprintSHA256 or a SAN for authorization.
func (id *Identity) Principal() string {
	if id.CommonName != "" {
		return id.CommonName
	}
	return "sha256:" + id.FingerprintSHA256
}

// AuthorizerContext returns the identity as an API Gateway authorizer
// context (string values only, which every integration accepts): keys
// "mtlsSubject", "mtlsIssuer", "mtlsSerialNumber", "mtlsFingerprint",
// "mtlsSPKI" and "mtlsNotAfter" (RFC 3339).
func (id *Identity) AuthorizerContext() map[string]any {
	return map[string]any{
		"mtlsSubject":      id.Subject,
		"mtlsIssuer":       id.Issuer,
		"mtlsSerialNumber": id.SerialNumber,
		"mtlsFingerprint":  id.FingerprintSHA256,
		"mtlsSPKI":         id.SPKISHA256,
		"mtlsNotAfter":     id.NotAfter.UTC().Format(time.RFC3339),
	}
}

// newIdentity builds the Identity of cert with the fingerprint fp of its DER.
func newIdentity(cert *x509.Certificate, fp [32]byte, chain []*x509.Certificate) *Identity {
	spki := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	id := &Identity{
		Subject:             cert.Subject.String(),
		Issuer:              cert.Issuer.String(),
		CommonName:          cert.Subject.CommonName,
		Organizations:       cert.Subject.Organization,
		OrganizationalUnits: cert.Subject.OrganizationalUnit,
		SerialNumber:        serialHex(cert.SerialNumber),
		DNSNames:            cert.DNSNames,
		EmailAddresses:      cert.EmailAddresses,
		NotBefore:           cert.NotBefore,
		NotAfter:            cert.NotAfter,
		SPKISHA256:          hex.EncodeToString(spki[:]),
		FingerprintSHA256:   hex.EncodeToString(fp[:]),
		Certificate:         cert,
		Chain:               chain,
	}
	for _, u := range cert.URIs {
		id.URIs = append(id.URIs, u.String())
	}
	for _, ip := range cert.IPAddresses {
		id.IPAddresses = append(id.IPAddresses, ip.String())
	}
	return id
}

// blockError is a PEM block that [pemBlocks] could not take: of another
// type (err nil) or not parseable.
type blockError struct {
	index int    // the block's position among the blocks taken so far
	typ   string // the block's type
	err   error  // the parse error, nil for a wrong type
}

// pemBlocks parses, with parse, every PEM block of data, each of which must
// be of type typ. It returns the parsed values and what follows the last
// block, or the first block it could not take.
func pemBlocks[T any](data []byte, typ string, parse func([]byte) (T, error)) ([]T, []byte, *blockError) {
	var out []T
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out, rest, nil
		}
		if b.Type != typ {
			return nil, nil, &blockError{index: len(out), typ: b.Type}
		}
		v, err := parse(b.Bytes)
		if err != nil {
			return nil, nil, &blockError{index: len(out), typ: b.Type, err: err}
		}
		out = append(out, v)
	}
}

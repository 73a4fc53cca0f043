package mtls

import (
	"context"
	"crypto/x509"
	"time"
)

// Config configures a [Validator]. It is plain data, meant to be filled from
// environment variables or deployment parameters; [NewValidator] copies and
// checks it, so changing a Config afterwards has no effect.
//
// The zero value is not usable: TrustStore is required, and so are an
// allow-list (or AllowAny) and CRLs (or a CRLLoader, or
// Revocation: [InsecureNoRevocation]).
type Config struct {
	// TrustStore is a PEM bundle of CA certificates, the same bundle as the
	// API Gateway truststore: roots (self-issued certificates) are the trust
	// anchors, and the other certificates are intermediates that may
	// complete a chain. Required: a bundle without a root is rejected with
	// [ErrEmptyTrustStore], and anything but parseable "CERTIFICATE" blocks
	// with [ErrBadTrustStore].
	//
	// Intermediates sent by the client (ALB passthrough sends the whole
	// chain) are ignored: every CA of a chain must be in the trust store.
	TrustStore []byte

	// CRLs are certificate revocation lists, each one element, in PEM
	// ("X509 CRL" blocks; one element may hold several) or DER. Each must be
	// signed by a CA of TrustStore, or NewValidator fails with [ErrBadCRL].
	// A CA may have several CRLs; a certificate listed in any of them is
	// revoked. Only complete CRLs are supported: a partitioned CRL (one
	// with an issuingDistributionPoint extension, critical or not), a delta
	// CRL, an indirect CRL (certificateIssuer entries) or a CRL with an
	// unknown critical extension fails with [ErrBadCRL], because taking it
	// as the whole CRL of its CA would accept certificates it does not
	// cover. The same holds for [Validator.SetCRLs] and
	// [Validator.ReloadCRLs]. Nil means no CRLs until [Validator.SetCRLs]
	// or [Validator.ReloadCRLs].
	CRLs [][]byte

	// CRLLoader, if set, fetches the current CRLs (same format as CRLs)
	// when [Validator.ReloadCRLs] is called, for example from S3 at cold
	// start and then on a timer or after [ErrStaleCRL]. NewValidator does
	// not call it; until the first successful reload, validation fails with
	// [ErrNoCRL] (unless Revocation is [InsecureNoRevocation]), so a
	// function that forgets to load its CRLs fails closed. Nil means no
	// loader.
	CRLLoader func(context.Context) ([][]byte, error)

	// Revocation says how strictly CRLs are required. The zero value,
	// [RevocationRequired], requires a current CRL for every CA that issued
	// a certificate of the chain.
	Revocation RevocationPolicy

	// InsecureAllowStaleCRL accepts CRLs that are past their NextUpdate.
	// The zero value, false, fails validation with [ErrStaleCRL] once a CRL
	// that applies to the chain is stale: a stale CRL may miss recent
	// revocations.
	// Setting it with Revocation [InsecureNoRevocation], which reads no
	// CRL, is an [ErrConfig] error.
	InsecureAllowStaleCRL bool

	// Allow-lists. Each non-empty list is a requirement: the certificate
	// must match at least one entry of every non-empty list (OR within a
	// list, AND across lists). A certificate that fails one gets
	// [ErrNotAllowed]. Matching is exact; DNS names and email addresses
	// compare case-insensitively. Lists apply to the client certificate
	// only, not to its CAs.
	//
	// When every list is empty, NewValidator fails unless AllowAny is set.

	// AllowedCommonNames lists accepted subject common names.
	AllowedCommonNames []string
	// AllowedOrganizations lists accepted subject organizations (O); one
	// of the certificate's O values must be listed.
	AllowedOrganizations []string
	// AllowedOrganizationalUnits lists accepted subject organizational
	// units (OU); one of the certificate's OU values must be listed.
	AllowedOrganizationalUnits []string
	// AllowedDNSNames lists accepted DNS subject alternative names; one of
	// the certificate's DNS SANs must be listed. No wildcards.
	AllowedDNSNames []string
	// AllowedURIs lists accepted URI subject alternative names (such as
	// SPIFFE IDs); one of the certificate's URI SANs must be listed.
	AllowedURIs []string
	// AllowedEmails lists accepted email subject alternative names.
	AllowedEmails []string
	// AllowedSPKIPins lists SHA-256 hashes of accepted subject public key
	// infos (the client's key, which survives certificate renewal), in hex
	// (colons allowed) or standard base64 (the "pin-sha256" form of
	// `openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl
	// dgst -sha256 -binary | base64`).
	AllowedSPKIPins []string
	// AllowedSerialNumbers lists accepted serial numbers in hexadecimal, as
	// `openssl x509 -serial` prints them (colons, a 0x prefix and either
	// case are accepted).
	AllowedSerialNumbers []string
	// AllowAny accepts every certificate that passes the chain, EKU,
	// validity and revocation checks, that is every client certificate of
	// the trust store's CAs. It must be set explicitly when every
	// allow-list is empty, and cannot be combined with one.
	//
	// Use it when those CAs issue client certificates only to the clients
	// of this API (a private CA, or an intermediate dedicated to it), or
	// when the decision is made after validation from the [Identity]: a
	// binding to a token's user (authorizer.WithClientCert), or a lookup of
	// the fingerprint or subject in your own store. Do not use it with a
	// CA that also issues certificates to others, such as a public CA or a
	// company-wide CA: any holder of one of its certificates would be
	// accepted. AllowAny is not an Insecure opt-out: it skips no check, it
	// states that the trust store itself is the allow-list.
	AllowAny bool

	// ExtKeyUsages are the extended key usages the certificate must allow;
	// one of them is enough. Nil or empty means clientAuth
	// (x509.ExtKeyUsageClientAuth). A certificate without the extension
	// allows every usage (RFC 5280, as crypto/x509 and openssl treat it).
	ExtKeyUsages []x509.ExtKeyUsage

	// Leeway is the clock skew tolerated in the client certificate's
	// validity and in CRL NextUpdate: a certificate is accepted from
	// NotBefore-Leeway to NotAfter+Leeway (its CAs are checked at the
	// nearest instant of that range, without further leeway). Zero means
	// none; a negative value is an [ErrConfig] error.
	Leeway time.Duration

	// Clock returns the current time; nil means time.Now. Tests inject a
	// fixed clock here. It must be safe for concurrent use.
	Clock func() time.Time

	// CacheSize is the number of successful validations kept, keyed by the
	// certificate's SHA-256 fingerprint. An entry lives until the
	// certificate (or a CA of its chain) expires or an applicable CRL goes
	// stale, and the whole cache is dropped when CRLs are reloaded. Zero
	// means [DefaultCacheSize]; a negative value turns the cache off.
	CacheSize int
}

// RevocationPolicy says how strictly [Validator] requires CRLs. The zero
// value is [RevocationRequired].
type RevocationPolicy int

const (
	// RevocationRequired requires, for every certificate of the chain
	// except the root, at least one CRL of its issuer; a missing CRL fails
	// with [ErrNoCRL]. NewValidator fails unless CRLs or a CRLLoader is
	// configured.
	RevocationRequired RevocationPolicy = iota
	// RevocationIfAvailable checks the certificates whose issuer has a CRL
	// and accepts the others unchecked. Use it when some CA, typically an
	// offline root, publishes no CRL.
	RevocationIfAvailable
	// InsecureNoRevocation checks no revocation at all: a revoked
	// certificate is accepted until it expires. Configuring CRLs or a
	// CRLLoader with it is an error.
	InsecureNoRevocation
)

// String returns the constant's name.
func (p RevocationPolicy) String() string {
	switch p {
	case RevocationRequired:
		return "RevocationRequired"
	case RevocationIfAvailable:
		return "RevocationIfAvailable"
	case InsecureNoRevocation:
		return "InsecureNoRevocation"
	}
	return "RevocationPolicy(invalid)"
}

// DefaultCacheSize is the number of entries a cache holds when its
// CacheSize is zero; a negative CacheSize turns the cache off.
const DefaultCacheSize = 1024

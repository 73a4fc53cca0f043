package mtls

import (
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Errors. Every error that [Validator.Validate] and the event helpers return
// wraps exactly one category ([ErrRejected] or [ErrUnavailable]) and one
// reason, so that callers can match either with errors.Is. [NewValidator],
// [Validator.SetCRLs] and [Validator.ReloadCRLs] return errors that wrap
// [ErrConfig] or [ErrUnavailable] and a reason.
//
// No error carries the certificate's PEM or DER. They name fields, subjects,
// serial numbers and fingerprints, which are not secret.
var (
	// ErrRejected is the category of every verdict against the client
	// certificate itself: answer it with 403 (or a Deny policy) and do not
	// tell the client which check failed.
	ErrRejected = errors.New("mtls: client certificate rejected")
	// ErrUnavailable is the category of failures of the revocation data
	// rather than of the certificate: a stale CRL, a missing CRL or a
	// failing CRL loader. The request is denied; answer it with 5xx and
	// alert, because every client is affected.
	ErrUnavailable = errors.New("mtls: revocation data unavailable")
	// ErrConfig is the category of configuration errors from
	// [NewValidator] and [Validator.SetCRLs].
	ErrConfig = errors.New("mtls: invalid configuration")

	// ErrNoClientCert means the event carries no client certificate: the
	// API does not require mutual TLS, or the request did not use it.
	ErrNoClientCert = errors.New("mtls: no client certificate")
	// ErrMalformed means the input is not one PEM certificate (or its
	// URL-encoded form), or the certificate does not parse.
	ErrMalformed = errors.New("mtls: malformed client certificate")
	// ErrUnknownCA means no chain leads from the certificate to a root of
	// the trust store: it is self-signed, from another CA, or its chain
	// breaks a constraint.
	ErrUnknownCA = errors.New("mtls: certificate not issued by a trusted CA")
	// ErrExpired means the certificate, or a CA of its chain, expired
	// (beyond [Config.Leeway]).
	ErrExpired = errors.New("mtls: certificate expired")
	// ErrNotYetValid means the certificate, or a CA of its chain, is not
	// valid yet (beyond [Config.Leeway]).
	ErrNotYetValid = errors.New("mtls: certificate not yet valid")
	// ErrWrongEKU means the certificate lacks the required extended key
	// usage (clientAuth unless [Config.ExtKeyUsages] says otherwise).
	ErrWrongEKU = errors.New("mtls: certificate lacks the required extended key usage")
	// ErrWrongKeyUsage means the certificate has a key usage extension that
	// allows neither digitalSignature nor keyAgreement, so it cannot
	// authenticate a TLS client; openssl's sslclient purpose refuses it
	// too. A certificate without the extension allows every usage.
	ErrWrongKeyUsage = errors.New("mtls: certificate's key usage does not allow client authentication")
	// ErrCACert means the certificate is a CA certificate (basic
	// constraints CA:TRUE) presented as a client certificate. This check
	// is stricter than openssl, whose sslclient purpose accepts such a
	// certificate when its key usage and extended key usage allow client
	// authentication: a CA's key signs certificates and should not also
	// identify a client.
	ErrCACert = errors.New("mtls: CA certificate presented as a client certificate")
	// ErrRevoked means a CRL lists the certificate or a CA of its chain.
	// The error is a [*RevokedError], which carries the revocation time.
	ErrRevoked = errors.New("mtls: certificate revoked")
	// ErrNotAllowed means the certificate is valid but no allow-list of
	// [Config] admits it.
	ErrNotAllowed = errors.New("mtls: certificate not allowed")

	// ErrStaleCRL means a CRL that applies to the chain is past its
	// NextUpdate (beyond [Config.Leeway]). Its category is
	// [ErrUnavailable]; reload the CRLs.
	ErrStaleCRL = errors.New("mtls: CRL is past its next update")
	// ErrNoCRL means revocation is required but no CRL of a CA in the chain
	// is loaded, or a [Config.CRLLoader] has not succeeded yet. Its category
	// is [ErrUnavailable].
	ErrNoCRL = errors.New("mtls: no CRL for a CA of the chain")

	// ErrEmptyTrustStore means the trust store holds no root CA.
	ErrEmptyTrustStore = errors.New("mtls: trust store has no root CA")
	// ErrBadTrustStore means the trust store is not a PEM bundle of
	// certificates that parse.
	ErrBadTrustStore = errors.New("mtls: trust store does not parse")
	// ErrBadCRL means a CRL does not parse, its signature does not verify
	// against a CA of the trust store, or it is not a complete CRL: a
	// partitioned (issuingDistributionPoint), delta (deltaCRLIndicator) or
	// indirect (certificateIssuer entries) CRL, or one with a critical
	// extension that mtls does not process.
	ErrBadCRL = errors.New("mtls: bad CRL")
)

// RevokedError reports a revoked certificate: the client certificate itself
// or a CA of its chain. It matches [ErrRevoked] and [ErrRejected] with
// errors.Is.
type RevokedError struct {
	// Subject is the revoked certificate's subject (RFC 2253 form).
	Subject string
	// SerialNumber is the revoked certificate's serial number in lowercase
	// hexadecimal.
	SerialNumber string
	// Issuer is the subject of the CA whose CRL lists the certificate.
	Issuer string
	// RevokedAt is the revocation time from the CRL.
	RevokedAt time.Time
	// ReasonCode is the CRL reason code (RFC 5280 section 5.3.1); 0 when the
	// CRL gives none.
	ReasonCode int
	// CA reports whether the revoked certificate is a CA of the chain rather
	// than the client certificate.
	CA bool
}

// Error implements error.
func (e *RevokedError) Error() string {
	what := "certificate"
	if e.CA {
		what = "issuing CA"
	}
	return fmt.Sprintf("%s: %s %q (serial %s) revoked at %s by CRL of %q",
		ErrRevoked, what, e.Subject, e.SerialNumber, e.RevokedAt.UTC().Format(time.RFC3339), e.Issuer)
}

// Unwrap returns [ErrRevoked] and [ErrRejected].
func (e *RevokedError) Unwrap() []error { return []error{ErrRevoked, ErrRejected} }

// certError is a verdict: a category, a reason sentinel, a detail naming
// what failed (never the certificate's encoding) and an optional cause.
type certError struct {
	category, reason error
	detail           string
	cause            error
}

func (e *certError) Error() string {
	msg := e.reason.Error()
	if e.detail != "" {
		msg += ": " + e.detail
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *certError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.category, e.reason, e.cause}
	}
	return []error{e.category, e.reason}
}

func reject(reason error, detail string, cause error) error {
	return &certError{category: ErrRejected, reason: reason, detail: detail, cause: cause}
}

func unavailable(reason error, detail string, cause error) error {
	return &certError{category: ErrUnavailable, reason: reason, detail: detail, cause: cause}
}

func configError(reason error, detail string, cause error) error {
	if reason == nil {
		reason = ErrConfig
	}
	return &certError{category: ErrConfig, reason: reason, detail: detail, cause: cause}
}

// serialHex formats a serial number as lowercase hexadecimal.
func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	return n.Text(16)
}

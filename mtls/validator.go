package mtls

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Validator validates client certificates against a trust store, CRLs and
// allow-lists. Build it once per cold start with [NewValidator] and keep it
// in a package variable or a handler struct.
//
// A Validator is safe for concurrent use. Its configuration is fixed when it
// is built; only the CRLs change, through [Validator.SetCRLs] and
// [Validator.ReloadCRLs], which publish a new immutable revocation state
// atomically: a validation sees either the old CRLs or the new ones, never a
// mix.
type Validator struct {
	roots, intermediates *x509.CertPool
	trust                []*x509.Certificate
	usages               []x509.ExtKeyUsage
	allow                allowList
	revocation           RevocationPolicy
	allowStale           bool
	leeway               time.Duration
	now                  func() time.Time
	loader               func(context.Context) ([][]byte, error)
	cacheSize            int

	state atomic.Pointer[state]

	reloadMu sync.Mutex  // guards inflight
	inflight *reloadCall // the ReloadCRLs call in progress, if any
}

// reloadCall is one run of the CRL loader that concurrent ReloadCRLs calls
// share.
type reloadCall struct {
	done chan struct{}
	err  error // set before done is closed
}

// state is the part of a Validator that CRL reloads replace. It is immutable
// once published, except for the cache, which is safe for concurrent use and
// dies with its state.
type state struct {
	crls   crlIndex
	loaded bool // false until a CRLLoader has succeeded once
	cache  *cache
}

// NewValidator checks cfg and builds a [Validator]. It fails, with an error
// that wraps [ErrConfig] and a reason, when the trust store is empty
// ([ErrEmptyTrustStore]) or does not parse ([ErrBadTrustStore]), when a CRL
// does not parse, is not signed by a CA of the trust store or is not a
// complete CRL ([ErrBadCRL], see [Config.CRLs]),
// when revocation is required but neither CRLs nor a loader is configured
// ([ErrNoCRL]), when no allow-list and no AllowAny is set, or when a field is
// out of range.
func NewValidator(cfg Config) (*Validator, error) {
	trust, err := parseTrustStore(cfg.TrustStore)
	if err != nil {
		return nil, err
	}
	v := &Validator{
		roots:         x509.NewCertPool(),
		intermediates: x509.NewCertPool(),
		trust:         trust,
		revocation:    cfg.Revocation,
		allowStale:    cfg.InsecureAllowStaleCRL,
		leeway:        cfg.Leeway,
		now:           cfg.Clock,
		loader:        cfg.CRLLoader,
		cacheSize:     cfg.CacheSize,
	}
	roots := 0
	for _, c := range trust {
		if bytes.Equal(c.RawSubject, c.RawIssuer) {
			v.roots.AddCert(c)
			roots++
		} else {
			v.intermediates.AddCert(c)
		}
	}
	if roots == 0 {
		return nil, configError(ErrEmptyTrustStore, "TrustStore holds only intermediates", nil)
	}
	if v.now == nil {
		v.now = time.Now
	}
	if cfg.Leeway < 0 {
		return nil, configError(nil, "Leeway is negative", nil)
	}
	v.usages = slices.Clone(cfg.ExtKeyUsages)
	if len(v.usages) == 0 {
		v.usages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if v.allow, err = compileAllowList(&cfg); err != nil {
		return nil, err
	}
	switch cfg.Revocation {
	case RevocationRequired:
		if len(cfg.CRLs) == 0 && cfg.CRLLoader == nil {
			return nil, configError(ErrNoCRL, "Revocation is RevocationRequired but neither CRLs nor CRLLoader is set", nil)
		}
	case RevocationIfAvailable:
	case InsecureNoRevocation:
		if len(cfg.CRLs) > 0 || cfg.CRLLoader != nil {
			return nil, configError(nil, "Revocation is InsecureNoRevocation but CRLs or CRLLoader is set", nil)
		}
		if cfg.InsecureAllowStaleCRL {
			return nil, configError(nil, "InsecureAllowStaleCRL does nothing when Revocation is InsecureNoRevocation", nil)
		}
	default:
		return nil, configError(nil, fmt.Sprintf("Revocation has unknown value %d", int(cfg.Revocation)), nil)
	}
	idx, err := parseCRLs(cfg.CRLs, trust)
	if err != nil {
		return nil, err
	}
	v.state.Store(&state{
		crls:   idx,
		loaded: cfg.CRLLoader == nil || len(cfg.CRLs) > 0,
		cache:  newCache(cfg.CacheSize),
	})
	return v, nil
}

// parseTrustStore parses a PEM bundle of certificates.
func parseTrustStore(data []byte) ([]*x509.Certificate, error) {
	if isBlank(string(data)) {
		return nil, configError(ErrEmptyTrustStore, "TrustStore is empty", nil)
	}
	certs, rest, bad := pemBlocks(data, "CERTIFICATE", x509.ParseCertificate)
	switch {
	case bad != nil && bad.err == nil:
		return nil, configError(ErrBadTrustStore, fmt.Sprintf("TrustStore block %d has type %q, want CERTIFICATE", bad.index, bad.typ), nil)
	case bad != nil:
		return nil, configError(ErrBadTrustStore, fmt.Sprintf("TrustStore certificate %d", bad.index), bad.err)
	}
	if !isBlank(string(rest)) {
		return nil, configError(ErrBadTrustStore, "TrustStore has data that is not PEM", nil)
	}
	if len(certs) == 0 {
		return nil, configError(ErrEmptyTrustStore, "TrustStore holds no certificate", nil)
	}
	return certs, nil
}

// SetCRLs replaces every CRL with crls (same format as [Config.CRLs]) and
// drops the validation cache. On error the current CRLs stay in force. It is
// safe to call concurrently with validations; when SetCRLs calls race, the
// last to finish wins.
func (v *Validator) SetCRLs(crls ...[]byte) error {
	if v.revocation == InsecureNoRevocation {
		return configError(nil, "SetCRLs on a Validator with InsecureNoRevocation", nil)
	}
	idx, err := parseCRLs(crls, v.trust)
	if err != nil {
		return err
	}
	v.state.Store(&state{crls: idx, loaded: true, cache: newCache(v.cacheSize)})
	return nil
}

// ReloadCRLs calls [Config.CRLLoader] and installs what it returns with
// [Validator.SetCRLs]. Calls made while a load is in progress wait for it and share its
// result. A loader
// failure returns an error that wraps [ErrUnavailable] and the loader's
// error, and leaves the current CRLs in force. Without a loader it returns
// an [ErrConfig] error.
func (v *Validator) ReloadCRLs(ctx context.Context) error {
	if v.loader == nil {
		return configError(nil, "ReloadCRLs without a CRLLoader", nil)
	}
	v.reloadMu.Lock()
	if c := v.inflight; c != nil {
		v.reloadMu.Unlock()
		select {
		case <-c.done:
			return c.err
		case <-ctx.Done():
			return unavailable(ErrUnavailable, "waiting for CRLLoader", ctx.Err())
		}
	}
	c := &reloadCall{done: make(chan struct{})}
	v.inflight = c
	v.reloadMu.Unlock()

	defer func() {
		v.reloadMu.Lock()
		v.inflight = nil
		v.reloadMu.Unlock()
		close(c.done)
	}()
	c.err = unavailable(ErrUnavailable, "CRLLoader panicked", nil) // replaced unless it does
	crls, err := v.loader(ctx)
	if err != nil {
		c.err = unavailable(ErrUnavailable, "CRLLoader failed", err)
	} else {
		c.err = v.SetCRLs(crls...)
	}
	return c.err
}

// Validate validates one client certificate and returns its [Identity].
//
// pemOrURLEncoded is the certificate as API Gateway passes it (the PEM in
// clientCertPem) or as an Application Load Balancer passes it (the
// URL-encoded PEM of the X-Amzn-Mtls-Clientcert headers). Only the first
// certificate counts; the rest of a chain is ignored, because every CA must
// come from the trust store.
//
// The checks run in this order, and the first failure decides: the
// encoding ([ErrNoClientCert], [ErrMalformed]), the validity period with
// [Config.Leeway] ([ErrExpired], [ErrNotYetValid]), the chain to a root
// of the trust store ([ErrUnknownCA]) with the required extended key usage
// ([ErrWrongEKU]), the key usage that openssl's sslclient purpose requires
// ([ErrWrongKeyUsage]: digitalSignature or keyAgreement when the extension
// is present), a certificate that is not a CA ([ErrCACert], stricter than
// openssl), revocation of the certificate and of every CA of the chain (a
// [*RevokedError]; [ErrStaleCRL] and [ErrNoCRL] when the CRLs do not allow
// a verdict) and the allow-lists ([ErrNotAllowed]). Every error wraps
// [ErrRejected] or, for CRL trouble, [ErrUnavailable].
//
// A success is cached under the certificate's fingerprint (and the exact
// input) until the certificate or a CA of its chain expires, an applicable
// CRL goes stale, or the CRLs are reloaded; a cached validation costs well
// under a microsecond.
func (v *Validator) Validate(pemOrURLEncoded string) (*Identity, error) {
	st := v.state.Load()
	now := v.now()
	if id, ok := st.cache.getRaw(pemOrURLEncoded, now); ok {
		cp := *id
		return &cp, nil
	}
	var buf [2048]byte
	der, err := decodeLeaf(pemOrURLEncoded, buf[:])
	if err != nil {
		return nil, err
	}
	fp := sha256.Sum256(der)
	e, ok := st.cache.get(&fp, now)
	if !ok {
		if e, err = v.verify(bytes.Clone(der), fp, st, now); err != nil {
			return nil, err
		}
	}
	if !ok || len(pemOrURLEncoded) <= maxRawKey {
		st.cache.put(fp, pemOrURLEncoded, e, now)
	}
	cp := *e.id
	return &cp, nil
}

// verify runs every check on der, whose fingerprint is fp, and returns the
// verdict with the period it holds for.
func (v *Validator) verify(der []byte, fp [32]byte, st *state, now time.Time) (*cacheEntry, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, reject(ErrMalformed, fmt.Sprintf("certificate sha256:%x does not parse", fp), nil)
	}
	// Validity with leeway. crypto/x509 has none, so verify at the nearest
	// valid instant when now is within the leeway of either bound.
	at := now
	if now.Before(cert.NotBefore) {
		if now.Add(v.leeway).Before(cert.NotBefore) {
			return nil, reject(ErrNotYetValid, fmt.Sprintf("%q is valid from %s", cert.Subject.String(),
				cert.NotBefore.UTC().Format(time.RFC3339)), nil)
		}
		at = cert.NotBefore
	}
	if now.After(cert.NotAfter) {
		if now.Add(-v.leeway).After(cert.NotAfter) {
			return nil, reject(ErrExpired, fmt.Sprintf("%q expired at %s", cert.Subject.String(),
				cert.NotAfter.UTC().Format(time.RFC3339)), nil)
		}
		at = cert.NotAfter
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         v.roots,
		Intermediates: v.intermediates,
		CurrentTime:   at,
		KeyUsages:     v.usages,
	})
	if err != nil {
		return nil, chainError(cert, at, err)
	}
	if err := checkLeafPurpose(cert); err != nil {
		return nil, err
	}
	e := &cacheEntry{
		from:  cert.NotBefore.Add(-v.leeway),
		until: cert.NotAfter.Add(v.leeway),
	}
	for _, c := range chains[0][1:] {
		if c.NotBefore.After(e.from) {
			e.from = c.NotBefore
		}
		if c.NotAfter.Before(e.until) {
			e.until = c.NotAfter
		}
	}
	if err := v.checkRevocation(st, chains, now, &e.until); err != nil {
		return nil, err
	}
	if err := v.allow.check(cert); err != nil {
		return nil, err
	}
	e.id = newIdentity(cert, fp, chains[0])
	return e, nil
}

// oidKeyUsage is the object identifier of the key usage extension (RFC 5280,
// section 4.2.1.3).
var oidKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 15}

// checkLeafPurpose applies to the client certificate what openssl's
// sslclient purpose requires of the end certificate beyond the extended key
// usage, which crypto/x509 does not check: a key usage extension, when
// present, must allow digitalSignature or keyAgreement. It also refuses a
// CA certificate (CA:TRUE), which openssl does not test.
func checkLeafPurpose(cert *x509.Certificate) error {
	const clientKeyUsages = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement
	if cert.KeyUsage&clientKeyUsages == 0 {
		// cert.KeyUsage is zero both without the extension and with an
		// empty one; only the first allows every usage.
		for _, ext := range cert.Extensions {
			if ext.Id.Equal(oidKeyUsage) {
				return reject(ErrWrongKeyUsage, fmt.Sprintf("%q allows neither digitalSignature nor keyAgreement",
					cert.Subject.String()), nil)
			}
		}
	}
	if cert.BasicConstraintsValid && cert.IsCA {
		return reject(ErrCACert, fmt.Sprintf("%q has basic constraints CA:TRUE", cert.Subject.String()), nil)
	}
	return nil
}

// chainError maps an error of x509.Certificate.Verify to a rejection.
func chainError(cert *x509.Certificate, at time.Time, err error) error {
	subject := fmt.Sprintf("%q", cert.Subject.String())
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) {
		switch invalid.Reason {
		case x509.Expired:
			if invalid.Cert != nil && at.Before(invalid.Cert.NotBefore) {
				return reject(ErrNotYetValid, "chain of "+subject, err)
			}
			return reject(ErrExpired, "chain of "+subject, err)
		case x509.IncompatibleUsage:
			return reject(ErrWrongEKU, subject, err)
		}
		return reject(ErrUnknownCA, subject, err)
	}
	var critical x509.UnhandledCriticalExtension
	if errors.As(err, &critical) {
		return reject(ErrMalformed, subject+" has an unhandled critical extension", nil)
	}
	return reject(ErrUnknownCA, subject, err)
}

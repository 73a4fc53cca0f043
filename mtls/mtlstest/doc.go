// Package mtlstest provides a test public-key infrastructure and API Gateway
// and ALB events that carry a client certificate, for unit tests of
// functions that use [github.com/seclambda/seclambda/mtls], without AWS.
//
// Like net/http/httptest it is a small set of constructors that return ready
// values: [NewCA] makes a root or intermediate CA, [NewLeaf] a client
// certificate with the names and key usages a test chooses, [NewCRL] a
// revocation list, and [NewREST], [NewHTTPAPI], [NewRESTRequest],
// [NewHTTPAPIRequest], [NewALB] and [NewALBVerified] the events in which
// API Gateway and an Application Load Balancer hand the certificate to a
// function. [NewPKI] builds a ready fixture from them: a root,
// intermediates (one revoked), an unrelated root, client certificates of
// every kind a validator must tell apart (good, expired, revoked, wrong
// usage, CA flagged...) and CRLs. Every
// certificate and CRL is dated relative to a reference time the test
// chooses, so that a validator run with that time as its clock gives the
// same verdict on every run.
//
// Keys are ECDSA P-256, made with crypto/rand. Nothing here is for
// production: the private keys live in memory and in the values returned.
//
//	root, _ := mtlstest.NewCA(nil, at, mtlstest.CAOptions{CommonName: "test root"})
//	leaf, _ := mtlstest.NewLeaf(root, at, mtlstest.LeafOptions{CommonName: "device-1"})
//	crl, _ := mtlstest.NewCRL(root, at.Add(-time.Hour), at.Add(24*time.Hour), at)
//	v, _ := mtls.NewValidator(mtls.Config{
//		TrustStore: mtlstest.Bundle(root),
//		CRLs:       [][]byte{crl.PEM},
//		AllowAny:   true,
//		Clock:      func() time.Time { return at },
//	})
//	id, err := v.FromREST(mtlstest.NewREST(leaf))
//
// Every function is safe for concurrent use, and every value it returns is
// immutable once returned (the events are fresh values the caller owns).
package mtlstest

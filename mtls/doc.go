// Package mtls validates the client certificates that API Gateway mutual TLS
// passes to Lambda against a trust store, certificate revocation lists and
// allow-lists, the checks that API Gateway itself leaves to the function.
//
// API Gateway (REST and HTTP APIs on a custom domain with mutual TLS) checks
// that the client holds the key of a certificate that chains to its
// truststore, then hands the certificate to the function in the event. It
// does not check revocation, and it accepts every certificate of every CA in
// the truststore. A [Validator] does the rest in one call:
//
//   - the chain, verified with crypto/x509 against the same trust store,
//     requiring the clientAuth extended key usage by default;
//   - the client certificate's purpose: a key usage, when present, that
//     allows digitalSignature or keyAgreement, as openssl's sslclient
//     purpose requires, and no CA:TRUE basic constraint (stricter than
//     openssl, which accepts a CA certificate as a client's);
//   - the validity period, with an optional leeway for clock skew;
//   - revocation of the certificate and of every CA of its chain, against
//     CRLs that must be signed by a CA of the trust store and must be
//     current;
//   - allow-lists of subject names, SANs, SPKI pins and serial numbers.
//
// Every failure denies, with an error that names the reason ([ErrExpired],
// [ErrRevoked] with a [*RevokedError], [ErrNotAllowed], ...) and wraps one of
// two categories: [ErrRejected] for the certificate (answer 403 and say no
// more) and [ErrUnavailable] for revocation data that cannot give a verdict
// (answer 5xx and reload the CRLs).
//
// Successful validations are cached by certificate fingerprint, so a warm
// function pays for the signatures once per client; CRLs can be replaced at
// run time ([Validator.SetCRLs], [Validator.ReloadCRLs]) without locks on
// the validation path.
//
// # Threat model
//
// mtls protects a function against clients whose certificate was revoked,
// has expired, was issued for another purpose, or was issued by a trusted CA
// to someone this API should not serve. It fails closed: missing or stale
// CRLs deny unless the configuration opts out by name
// ([RevocationIfAvailable], [InsecureNoRevocation],
// [Config.InsecureAllowStaleCRL]), and an empty allow-list is a
// configuration error unless [Config.AllowAny] says otherwise.
//
// It does not prove possession of the private key: a certificate is public,
// and only the TLS handshake at API Gateway or the load balancer proves that
// the client holds its key. Trust the event only when it comes from that
// handshake: disable the default execute-api endpoint of an API with mutual
// TLS (a request through it carries no certificate and gets
// [ErrNoClientCert]), and read the ALB headers ([Validator.FromALB]) only
// behind a listener with mutual TLS enabled. Client-supplied intermediates
// are ignored; every CA must be in the trust store. mtls does not fetch CRLs
// or query OCSP itself: supply CRLs, or a [Config.CRLLoader] that fetches
// them. Errors never contain the certificate's encoding.
//
// # Usage
//
//	v, err := mtls.NewValidator(mtls.Config{
//		TrustStore:           truststorePEM, // the API Gateway truststore bundle
//		CRLs:                 [][]byte{rootCRL, issuingCRL},
//		AllowedOrganizations: []string{"Acme"},
//	})
//	if err != nil {
//		log.Fatal(err) // ErrConfig: a bad trust store or CRL, no allow-list...
//	}
//	id, err := v.FromHTTPAPI(req)
//	if err != nil {
//		return events.APIGatewayV2HTTPResponse{StatusCode: 403}, nil
//	}
//	log.Printf("client %s (%s)", id.Principal(), id.FingerprintSHA256)
//
// lambda.Start(v.RESTRequest) is a complete REST API REQUEST authorizer on
// the certificate alone, and lambda.Start(v.HTTPAPISimple) (or
// v.HTTPAPIIAM) a complete HTTP API Lambda authorizer.
// A client certificate and a JWT make one authorizer with
// [github.com/seclambda/seclambda/authorizer.WithClientCert];
// [Validator.FromRESTRequest] and [Validator.FromHTTPAPIRequest] combine
// the certificate with other checks in an authorizer of your own.
//
// # Testing
//
// Package [github.com/seclambda/seclambda/mtls/mtlstest] makes CAs, client
// certificates, CRLs and the events that carry a certificate, for unit
// tests of your functions and authorizers.
package mtls

package mtls_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/mtls"
	"github.com/seclambda/seclambda/mtls/mtlstest"
)

// examplePKI stands in for the deployment's material: in a function, the
// trust store is the API Gateway truststore bundle and the CRLs come from
// the CA (files in the deployment package, S3, AWS Private CA).
func examplePKI() *mtlstest.PKI {
	pki, err := mtlstest.NewPKI(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	return pki
}

// An HTTP API handler that requires a client certificate from the Acme
// organisation: 403 for a rejected or missing certificate, 503 when the CRLs
// cannot give a verdict.
func ExampleValidator_FromHTTPAPI() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:           pki.TrustStorePEM(),
		CRLs:                 pki.CRLsPEM(),
		AllowedOrganizations: []string{"Acme"},
		Leeway:               time.Minute,
		Clock:                func() time.Time { return pki.At }, // a fixed clock for the example only
	})
	if err != nil {
		log.Fatal(err)
	}

	handler := func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		id, err := v.FromHTTPAPI(req)
		switch {
		case errors.Is(err, mtls.ErrUnavailable):
			log.Printf("mtls: %v", err) // alert: every client is affected
			return events.APIGatewayV2HTTPResponse{StatusCode: 503}, nil
		case err != nil:
			return events.APIGatewayV2HTTPResponse{StatusCode: 403}, nil // no reason for the client
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "hello " + id.CommonName}, nil
	}
	// In main: lambda.Start(handler)

	for _, c := range []struct {
		name string
		cert *mtlstest.Cert
	}{{"good", pki.Good}, {"revoked", pki.Revoked}, {"other org", pki.Other}, {"no certificate", nil}} {
		var req events.APIGatewayV2HTTPRequest
		if c.cert != nil {
			req.RequestContext.Authentication.ClientCert.ClientCertPem = c.cert.PEMString()
		}
		resp, _ := handler(context.Background(), req)
		fmt.Printf("%s: %d %q\n", c.name, resp.StatusCode, resp.Body)
	}
	// Output:
	// good: 200 "hello client-good"
	// revoked: 403 ""
	// other org: 403 ""
	// no certificate: 403 ""
}

// A REST API REQUEST authorizer that authenticates by client certificate
// alone: Validator.RESTRequest is the whole handler.
func ExampleValidator_RESTRequest() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:         pki.TrustStorePEM(),
		CRLs:               pki.CRLsPEM(),
		AllowedCommonNames: []string{"client-good", "client-other"},
		Clock:              func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	// In main: lambda.Start(v.RESTRequest)

	for _, cert := range []*mtlstest.Cert{pki.Good, pki.Expired} {
		req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type:      "REQUEST",
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/orders",
		}
		req.RequestContext.Identity.ClientCert.ClientCertPem = cert.PEMString()
		resp, err := v.RESTRequest(context.Background(), req)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(resp.PrincipalID, resp.PolicyDocument.Statement[0].Effect, resp.Context["mtlsSubject"])
	}
	// Output:
	// client-good Allow CN=client-good,OU=payments,O=Acme
	// unauthenticated Deny <nil>
}

// An HTTP API Lambda authorizer with simple responses that authenticates by
// client certificate alone: Validator.HTTPAPISimple is the whole handler.
func ExampleValidator_HTTPAPISimple() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:           pki.TrustStorePEM(),
		CRLs:                 pki.CRLsPEM(),
		AllowedOrganizations: []string{"Acme"},
		Clock:                func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	// In main: lambda.Start(v.HTTPAPISimple)

	for _, cert := range []*mtlstest.Cert{pki.Good, pki.Intermediate} {
		req := events.APIGatewayV2CustomAuthorizerV2Request{
			Type:     "REQUEST",
			RouteArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/orders",
		}
		req.RequestContext.Authentication.ClientCert.ClientCertPem = cert.PEMString()
		resp, err := v.HTTPAPISimple(context.Background(), req)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(resp.IsAuthorized, resp.Context["mtlsSubject"])
	}
	// Output:
	// true CN=client-good,OU=payments,O=Acme
	// false <nil>
}

// The certificate of a REST API REQUEST authorizer event. To combine it
// with a JWT in one authorizer, use authorizer.WithClientCert, which maps
// the outcomes (Deny, 401, 500) for you.
func ExampleValidator_FromRESTRequest() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:      pki.TrustStorePEM(),
		CRLs:            pki.CRLsPEM(),
		AllowedDNSNames: []string{"good.client.example"},
		Clock:           func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, cert := range []*mtlstest.Cert{pki.Good, pki.Revoked} {
		req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type:      "REQUEST",
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/POST/orders",
		}
		req.RequestContext.Identity.ClientCert.ClientCertPem = cert.PEMString()
		id, err := v.FromRESTRequest(req)
		if err != nil {
			fmt.Println(errors.Is(err, mtls.ErrRejected), errors.Is(err, mtls.ErrRevoked))
			continue
		}
		fmt.Println(id.Principal(), id.DNSNames)
	}
	// Output:
	// client-good [good.client.example]
	// true true
}

// Telling a revoked certificate apart, with its revocation time.
func ExampleRevokedError() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore: pki.TrustStorePEM(),
		CRLs:       pki.CRLsPEM(),
		AllowAny:   true,
		Clock:      func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = v.Validate(pki.UnderRevokedIntermediate.PEMString())
	var revoked *mtls.RevokedError
	if errors.As(err, &revoked) {
		fmt.Println("revoked:", revoked.Subject, "CA:", revoked.CA, "at", revoked.RevokedAt.Format(time.RFC3339))
	}
	fmt.Println(errors.Is(err, mtls.ErrRejected))
	// Output:
	// revoked: CN=seclambda revoked intermediate,O=seclambda tests CA: true at 2025-06-01T10:00:00Z
	// true
}

// CRLs fetched at run time: NewValidator does not call the loader, and
// validation fails closed with ErrNoCRL until ReloadCRLs has succeeded.
func ExampleValidator_ReloadCRLs() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore: pki.TrustStorePEM(),
		CRLLoader: func(ctx context.Context) ([][]byte, error) {
			// For example: s3.GetObject of each CA's CRL.
			return pki.CRLsPEM(), nil
		},
		AllowAny: true,
		Clock:    func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = v.Validate(pki.Good.PEMString())
	fmt.Println(errors.Is(err, mtls.ErrNoCRL))
	if err := v.ReloadCRLs(context.Background()); err != nil {
		log.Fatal(err)
	}
	id, err := v.Validate(pki.Good.PEMString())
	fmt.Println(id.CommonName, err)
	// Output:
	// true
	// client-good <nil>
}

// NewValidator checks the whole configuration once, at cold start: no
// security check defaults to off, so a missing allow-list or missing CRLs
// is an error rather than a validator that accepts too much.
func ExampleNewValidator() {
	pki := examplePKI()
	for _, cfg := range []mtls.Config{
		{TrustStore: pki.TrustStorePEM(), CRLs: pki.CRLsPEM(), AllowedOrganizations: []string{"Acme"}},
		{TrustStore: pki.TrustStorePEM(), CRLs: pki.CRLsPEM()},                             // no allow-list
		{TrustStore: pki.TrustStorePEM(), AllowedOrganizations: []string{"Acme"}},          // no CRLs
		{TrustStore: pki.Good.PEM, CRLs: pki.CRLsPEM(), AllowedCommonNames: []string{"x"}}, // no CA
	} {
		_, err := mtls.NewValidator(cfg)
		fmt.Println(err == nil, errors.Is(err, mtls.ErrConfig), errors.Is(err, mtls.ErrNoCRL))
	}
	// Output:
	// true false false
	// false true false
	// false true true
	// false true false
}

// An HTTP API Lambda authorizer with IAM policy responses that
// authenticates by client certificate alone: an Allow of the request's
// route, or a Deny.
func ExampleValidator_HTTPAPIIAM() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:           pki.TrustStorePEM(),
		CRLs:                 pki.CRLsPEM(),
		AllowedOrganizations: []string{"Acme"},
		Clock:                func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	// In main: lambda.Start(v.HTTPAPIIAM)

	for _, cert := range []*mtlstest.Cert{pki.Good, pki.Revoked} {
		resp, err := v.HTTPAPIIAM(context.Background(), mtlstest.NewHTTPAPIRequest(cert))
		if err != nil {
			log.Fatal(err) // the CRLs cannot give a verdict: 500
		}
		fmt.Println(resp.PrincipalID, resp.PolicyDocument.Statement[0].Effect)
	}
	// Output:
	// client-good Allow
	// unauthenticated Deny
}

// A REST API backend behind a custom domain with mutual TLS: API Gateway
// checked the handshake against the truststore; the function checks
// revocation and the allow-list.
func ExampleValidator_FromREST() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:         pki.TrustStorePEM(),
		CRLs:               pki.CRLsPEM(),
		AllowedCommonNames: []string{"client-good"},
		Clock:              func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, cert := range []*mtlstest.Cert{pki.Good, pki.Other, nil} {
		req := mtlstest.NewREST(cert) // a nil cert: an event without a certificate
		id, err := v.FromREST(req)
		if err != nil {
			fmt.Println(errors.Is(err, mtls.ErrNotAllowed), errors.Is(err, mtls.ErrNoClientCert)) // 403
			continue
		}
		fmt.Println(id.Principal(), id.Organizations)
	}
	// Output:
	// client-good [Acme]
	// true false
	// false true
}

// A Lambda target of an Application Load Balancer with mutual TLS in
// passthrough mode: the load balancer passes the client's chain in a
// header and checks nothing, so the function does all of it. The trust
// store must hold every CA of the chain.
func ExampleValidator_FromALB() {
	pki := examplePKI()
	v, err := mtls.NewValidator(mtls.Config{
		TrustStore:           pki.TrustStorePEM(),
		CRLs:                 pki.CRLsPEM(),
		AllowedOrganizations: []string{"Acme"},
		Clock:                func() time.Time { return pki.At },
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, req := range []events.ALBTargetGroupRequest{
		mtlstest.NewALB(pki.Good, pki.Intermediate), // the chain, leaf first
		mtlstest.NewALB(pki.OtherCA),                // a CA outside the trust store
		mtlstest.NewALB(),                           // no certificate
	} {
		id, err := v.FromALB(req)
		if err != nil {
			fmt.Println(errors.Is(err, mtls.ErrRejected), errors.Is(err, mtls.ErrUnknownCA), errors.Is(err, mtls.ErrNoClientCert))
			continue
		}
		fmt.Println(id.Principal(), id.SerialNumber != "")
	}
	// Output:
	// client-good true
	// true true false
	// true false true
}

package mtlstest

import (
	"crypto/x509/pkix"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// The values the events carry besides the certificate. They are the
// placeholders of API Gateway's documentation, so that a test can tell them
// from its own.
const (
	accountID = "123456789012"
	apiID     = "a1b2c3d4e5"
	stage     = "test"
	requestID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
	sourceIP  = "192.0.2.10"
	host      = "api.example.com"
	userAgent = "mtlstest"
)

// clientCert returns the fields API Gateway fills from the certificate it
// verified: the PEM, the subject and issuer DNs (most significant attribute
// first, as API Gateway writes them), the serial number in colon-separated
// hex and the validity dates in openssl's format.
func clientCert(c *Cert) events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCert {
	const layout = "Jan _2 15:04:05 2006 GMT"
	return events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCert{
		ClientCertPem: c.PEMString(),
		SubjectDN:     dn(c.Cert.Subject),
		IssuerDN:      dn(c.Cert.Issuer),
		SerialNumber:  serialHex(c),
		Validity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCertValidity{
			NotBefore: c.Cert.NotBefore.UTC().Format(layout),
			NotAfter:  c.Cert.NotAfter.UTC().Format(layout),
		},
	}
}

func dn(n pkix.Name) string {
	seq := n.ToRDNSequence()
	// RDNSequence.String writes the last RDN first (RFC 2253); API Gateway
	// writes them in certificate order, C first and CN last.
	rev := make(pkix.RDNSequence, len(seq))
	for i, rdn := range seq {
		rev[len(seq)-1-i] = rdn
	}
	return rev.String()
}

func serialHex(c *Cert) string {
	b := c.Cert.SerialNumber.Bytes()
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}

// NewREST returns a REST API proxy event (GET /) whose
// requestContext.identity.clientCert carries c, as API Gateway sends it to
// a function behind a custom domain with mutual TLS. A nil c gives the
// event without clientCert, as from the default endpoint.
func NewREST(c *Cert) events.APIGatewayProxyRequest {
	e := events.APIGatewayProxyRequest{
		Resource:          "/",
		Path:              "/",
		HTTPMethod:        "GET",
		Headers:           map[string]string{"Host": host, "User-Agent": userAgent},
		MultiValueHeaders: map[string][]string{"Host": {host}, "User-Agent": {userAgent}},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:    accountID,
			ResourceID:   "abcdef",
			Stage:        stage,
			DomainName:   host,
			RequestID:    requestID,
			Protocol:     "HTTP/1.1",
			Identity:     events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: userAgent},
			ResourcePath: "/",
			Path:         "/",
			HTTPMethod:   "GET",
			APIID:        apiID,
		},
	}
	if c != nil {
		cc := clientCert(c)
		e.RequestContext.Identity.ClientCert = &cc
	}
	return e
}

// NewHTTPAPI returns an HTTP API (payload format 2.0) event, GET /, whose
// requestContext.authentication.clientCert carries c. A nil c gives the
// event without a certificate.
func NewHTTPAPI(c *Cert) events.APIGatewayV2HTTPRequest {
	e := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "GET /",
		RawPath:        "/",
		Headers:        map[string]string{"host": host, "user-agent": userAgent},
		RequestContext: httpAPIContext(c),
	}
	return e
}

// clientCertV2 is clientCert in the HTTP API's types.
func clientCertV2(c *Cert) events.APIGatewayV2HTTPRequestContextAuthenticationClientCert {
	cc := clientCert(c)
	return events.APIGatewayV2HTTPRequestContextAuthenticationClientCert{
		ClientCertPem: cc.ClientCertPem,
		IssuerDN:      cc.IssuerDN,
		SerialNumber:  cc.SerialNumber,
		SubjectDN:     cc.SubjectDN,
		Validity: events.APIGatewayV2HTTPRequestContextAuthenticationClientCertValidity{
			NotBefore: cc.Validity.NotBefore,
			NotAfter:  cc.Validity.NotAfter,
		},
	}
}

// NewRESTRequest returns the event of a REST API REQUEST authorizer for
// GET / whose requestContext.identity.clientCert carries c. A nil c gives
// the event without a certificate (an empty clientCert).
func NewRESTRequest(c *Cert) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	e := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:              "REQUEST",
		MethodArn:         "arn:aws:execute-api:us-east-1:" + accountID + ":" + apiID + "/" + stage + "/GET/",
		Resource:          "/",
		Path:              "/",
		HTTPMethod:        "GET",
		Headers:           map[string]string{"Host": host, "User-Agent": userAgent},
		MultiValueHeaders: map[string][]string{"Host": {host}, "User-Agent": {userAgent}},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         "/",
			AccountID:    accountID,
			ResourceID:   "abcdef",
			Stage:        stage,
			RequestID:    requestID,
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: sourceIP},
			ResourcePath: "/",
			HTTPMethod:   "GET",
			APIID:        apiID,
		},
	}
	if c != nil {
		e.RequestContext.Identity.ClientCert = clientCert(c)
	}
	return e
}

// NewHTTPAPIRequest returns the event of an HTTP API Lambda authorizer
// (payload format 2.0) for GET / whose
// requestContext.authentication.clientCert carries c. A nil c gives the
// event without a certificate.
func NewHTTPAPIRequest(c *Cert) events.APIGatewayV2CustomAuthorizerV2Request {
	e := events.APIGatewayV2CustomAuthorizerV2Request{
		Version:        "2.0",
		Type:           "REQUEST",
		RouteArn:       "arn:aws:execute-api:us-east-1:" + accountID + ":" + apiID + "/$default/GET/",
		RouteKey:       "GET /",
		RawPath:        "/",
		Headers:        map[string]string{"host": host, "user-agent": userAgent},
		RequestContext: httpAPIContext(c),
	}
	return e
}

// NewALB returns an Application Load Balancer event (GET /, single-value
// headers) from a listener in mutual TLS passthrough mode: its
// X-Amzn-Mtls-Clientcert header carries chain, leaf first, URL-encoded as
// the load balancer encodes it. With no certificates the header is absent.
// For a target group with multi-value headers, move the headers to
// MultiValueHeaders.
func NewALB(chain ...*Cert) events.ALBTargetGroupRequest {
	e := events.ALBTargetGroupRequest{
		HTTPMethod: "GET",
		Path:       "/",
		Headers: map[string]string{
			"host":              host,
			"user-agent":        userAgent,
			"x-forwarded-for":   sourceIP,
			"x-forwarded-port":  "443",
			"x-forwarded-proto": "https",
		},
		RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{
			TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:" + accountID + ":targetgroup/mtlstest/0123456789abcdef",
		}},
	}
	if len(chain) > 0 {
		e.Headers["x-amzn-mtls-clientcert"] = ALBEncode(Bundle(chain...))
	}
	return e
}

// NewALBVerified returns an Application Load Balancer event (GET /,
// single-value headers) from a listener in mutual TLS verify mode: the load
// balancer verified the client certificate, and its
// X-Amzn-Mtls-Clientcert-Leaf header carries leaf, URL-encoded. A nil leaf
// gives the event without it. The load balancer's other
// X-Amzn-Mtls-Clientcert-* headers (subject, issuer, serial number,
// validity) are not set: mtls reads the certificate itself.
func NewALBVerified(leaf *Cert) events.ALBTargetGroupRequest {
	e := NewALB()
	if leaf != nil {
		e.Headers["x-amzn-mtls-clientcert-leaf"] = leaf.URLEncoded()
	}
	return e
}

// ALBEncode URL-encodes pemData the way an Application Load Balancer encodes
// its X-Amzn-Mtls-Clientcert headers: every byte except unreserved
// characters and "+", "=" and "/" becomes %XX.
func ALBEncode(pemData []byte) string {
	var b strings.Builder
	for _, c := range pemData {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '+', c == '=', c == '/':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// httpAPIContext is the request context of the HTTP API events for GET /,
// which carries c when c is not nil.
func httpAPIContext(c *Cert) events.APIGatewayV2HTTPRequestContext {
	rc := events.APIGatewayV2HTTPRequestContext{
		RouteKey:   "GET /",
		AccountID:  accountID,
		Stage:      "$default",
		RequestID:  requestID,
		APIID:      apiID,
		DomainName: host,
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method: "GET", Path: "/", Protocol: "HTTP/1.1", SourceIP: sourceIP, UserAgent: userAgent,
		},
	}
	if c != nil {
		rc.Authentication.ClientCert = clientCertV2(c)
	}
	return rc
}

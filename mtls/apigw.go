package mtls

import (
	"bytes"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// FromREST validates the client certificate of a REST API (API Gateway v1)
// proxy event, from requestContext.identity.clientCert.clientCertPem. An
// event without one fails with [ErrNoClientCert]. See [Validator.Validate]
// for the checks and errors.
func (v *Validator) FromREST(req events.APIGatewayProxyRequest) (*Identity, error) {
	cc := req.RequestContext.Identity.ClientCert
	if cc == nil {
		return nil, reject(ErrNoClientCert, "requestContext.identity.clientCert is absent", nil)
	}
	return v.Validate(cc.ClientCertPem)
}

// FromHTTPAPI validates the client certificate of an HTTP API (API Gateway
// v2) event, from requestContext.authentication.clientCert.clientCertPem.
// An event without one fails with [ErrNoClientCert].
func (v *Validator) FromHTTPAPI(req events.APIGatewayV2HTTPRequest) (*Identity, error) {
	return v.Validate(req.RequestContext.Authentication.ClientCert.ClientCertPem)
}

// FromRESTRequest validates the client certificate of a REST API REQUEST
// authorizer event, from requestContext.identity.clientCert.clientCertPem.
// An event without one fails with [ErrNoClientCert]. [Validator.RESTRequest]
// wraps it into a complete authorizer.
func (v *Validator) FromRESTRequest(req events.APIGatewayCustomAuthorizerRequestTypeRequest) (*Identity, error) {
	return v.Validate(req.RequestContext.Identity.ClientCert.ClientCertPem)
}

// FromHTTPAPIRequest validates the client certificate of an HTTP API
// Lambda authorizer event (payload format 2.0), from
// requestContext.authentication.clientCert.clientCertPem. An event without
// one fails with [ErrNoClientCert]. [Validator.HTTPAPISimple] and
// [Validator.HTTPAPIIAM] wrap it into complete authorizers.
func (v *Validator) FromHTTPAPIRequest(req events.APIGatewayV2CustomAuthorizerV2Request) (*Identity, error) {
	return v.Validate(req.RequestContext.Authentication.ClientCert.ClientCertPem)
}

// ALB headers that carry the client certificate, URL-encoded PEM: the chain
// in passthrough mode, the leaf in verify mode.
const (
	albChainHeader = "X-Amzn-Mtls-Clientcert"
	albLeafHeader  = "X-Amzn-Mtls-Clientcert-Leaf"
)

// FromALB validates the client certificate that an Application Load
// Balancer with mutual TLS passes to a Lambda target: the
// X-Amzn-Mtls-Clientcert header (passthrough mode, the URL-encoded chain,
// leaf first) or X-Amzn-Mtls-Clientcert-Leaf (verify mode). Header names
// match case-insensitively, in headers or multiValueHeaders. An event
// without either fails with [ErrNoClientCert]; a header given more than
// once, or both headers naming different certificates, fail with
// [ErrMalformed].
//
// Security: only trust these headers when the listener has mutual TLS
// enabled, so that the load balancer, not the client, sets them. A
// certificate is public: whoever can set the header can claim any
// certificate they have seen.
func (v *Validator) FromALB(req events.ALBTargetGroupRequest) (*Identity, error) {
	chain, err := albHeader(req, albChainHeader)
	if err != nil {
		return nil, err
	}
	leaf, err := albHeader(req, albLeafHeader)
	if err != nil {
		return nil, err
	}
	switch {
	case chain == "" && leaf == "":
		return nil, reject(ErrNoClientCert, "no "+albChainHeader+" header", nil)
	case leaf == "":
		return v.Validate(chain)
	case chain == "":
		return v.Validate(leaf)
	}
	// Both: they must name the same certificate.
	var b1, b2 [4096]byte
	d1, err1 := decodeLeaf(chain, b1[:])
	d2, err2 := decodeLeaf(leaf, b2[:])
	if err1 != nil || err2 != nil || !bytes.Equal(d1, d2) {
		return nil, reject(ErrMalformed, albChainHeader+" and "+albLeafHeader+" disagree", nil)
	}
	return v.Validate(leaf)
}

// albHeader returns the single value of the header name, matched
// case-insensitively in multiValueHeaders (when the target group has them
// enabled) or headers. It fails with [ErrMalformed] when the header has
// several values.
func albHeader(req events.ALBTargetGroupRequest, name string) (string, error) {
	var vals []string
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			vals = append(vals, vs...)
		}
	}
	if len(vals) == 0 {
		for k, v := range req.Headers {
			if strings.EqualFold(k, name) {
				vals = append(vals, v)
			}
		}
	}
	switch len(vals) {
	case 0:
		return "", nil
	case 1:
		return vals[0], nil
	}
	return "", reject(ErrMalformed, "header "+name+" appears more than once", nil)
}

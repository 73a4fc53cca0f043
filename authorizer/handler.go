package authorizer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/seclambda/seclambda/mtls"
)

// Authorizer turns a [Verifier] into API Gateway Lambda authorizer
// handlers: [Authorizer.RESTToken] and [Authorizer.RESTRequest] for REST APIs,
// [Authorizer.HTTPAPISimple] and [Authorizer.HTTPAPIIAM] for HTTP APIs. Each
// plugs straight into lambda.Start.
//
// Outcomes, the same for every handler:
//   - missing or bad token: the error [ErrUnauthorized] (message
//     "Unauthorized"), which API Gateway answers with 401;
//   - valid token that a rule rejects (group, scope, [WithRule],
//     [WithRequestRule], a missing or rejected client certificate with
//     [WithClientCert], empty route set): an explicit Deny (403), or
//     isAuthorized false;
//   - key set outage, certificate revocation data that cannot give a
//     verdict, or any internal failure: an error that is not
//     "Unauthorized", which API Gateway answers with 500 and does not cache;
//   - otherwise an Allow of the principal's routes, with principalId = sub.
//
// The handlers never tell the client why a request was rejected. An
// Authorizer is safe for concurrent use.
//
// # Authorizer context
//
// An Allow carries an authorizer context that [ClaimsFromEvent] reads back
// in the backend. Every value is a string, because REST APIs pass only
// strings and refuse arrays:
//   - "seclambda": "1", which marks the context as written by this package,
//     in version 1 of this format;
//   - "sub", "iss", "username", "client_id" and "token_use", each when
//     non-empty;
//   - "groups" and "scopes", when non-empty, as JSON arrays of strings
//     (`["admin","Billing Admins"]`), so that a name holding a comma or a
//     space reads back as one name, and a list cannot be mistaken for a
//     single value;
//   - the entries of [WithClientCert] and [WithContext], which cannot
//     replace the entries above, nor set "claims" or "principalId".
//
// A mapping template or an integration that reads
// $context.authorizer.groups gets the JSON array string.
type Authorizer struct {
	v Verifier
	o options
	// restTokenErr and httpAPIErr are the errors of the handlers whose
	// event cannot honour an option, or nil.
	restTokenErr, httpAPIErr error
}

// New returns an Authorizer that verifies tokens with v. A nil v, a nil
// option, or an option given a nil function, a nil validator or an empty
// name is an error matching [ErrConfig].
//
// An option that one kind of event cannot honour is an error of that
// handler instead, on every call, before the token is read: a request rule
// ([WithRequestRule], [WithClientCert]) or a token source
// ([WithTokenHeader], [WithTokenQuery], [WithTokenCookie]) with
// [Authorizer.RESTToken], and [WithUsageIdentifierKey] with
// [Authorizer.HTTPAPISimple] and [Authorizer.HTTPAPIIAM]. Such a handler
// answers 500, never an Allow that ignores the option.
func New(v Verifier, opts ...Option) (*Authorizer, error) {
	if isNil(v) {
		return nil, fmt.Errorf("%w: nil Verifier", ErrConfig)
	}
	a := &Authorizer{v: v, o: options{kind: sourceHeader, name: "Authorization"}}
	for i, opt := range opts {
		if opt == nil {
			a.o.errs = append(a.o.errs, fmt.Errorf("%w: option %d is nil", ErrConfig, i))
			continue
		}
		opt(&a.o)
	}
	if len(a.o.errs) > 0 {
		return nil, errors.Join(a.o.errs...)
	}
	switch {
	case a.needsRequest():
		a.restTokenErr = fmt.Errorf("%w: WithRequestRule and WithClientCert need a REQUEST or HTTP API event, not TOKEN", ErrConfig)
	case a.o.sourceSet:
		a.restTokenErr = fmt.Errorf("%w: a TOKEN event has no token source to choose (WithTokenHeader, WithTokenQuery, WithTokenCookie); its identity source sets the header", ErrConfig)
	}
	if a.o.usageKey != nil {
		a.httpAPIErr = fmt.Errorf("%w: WithUsageIdentifierKey needs a REST API: HTTP APIs have no usage plans", ErrConfig)
	}
	return a, nil
}

// isNil reports whether v is nil or a nil pointer of this package's
// verifiers.
func isNil(v Verifier) bool {
	switch v := v.(type) {
	case nil:
		return true
	case *JWTVerifier:
		return v == nil
	case *MultiVerifier:
		return v == nil
	}
	return false
}

// anonymous is the principalId of Deny responses for which the token's
// subject is unknown.
const anonymous = "anonymous"

// decision is the outcome of one authorization.
type decision struct {
	allow     bool
	principal string
	routes    []Route // allowed routes when allow
	context   map[string]any
	usageKey  string
}

// decide verifies token and applies the rules. It returns an error only for
// 401 ([ErrUnauthorized]) and 500 (anything else); a Deny is a decision.
// The reason of a 401 or Deny goes to the WithOnReject function.
func (a *Authorizer) decide(ctx context.Context, token string, route *MethodARN, req *Request) (decision, error) {
	d, reason, err := a.evaluate(ctx, token, route, req)
	if reason != nil && a.o.onReject != nil {
		a.o.onReject(ctx, reason)
	}
	return d, err
}

// needsRequest reports whether a rule needs the request, which a TOKEN
// event does not carry.
func (a *Authorizer) needsRequest() bool { return a.o.reqRule != nil || a.o.certs != nil }

// ruleError maps the error of a rule to a Deny reason (wrapping
// ErrRuleRejected) or, for an outage, to the 500 error.
func ruleError(err error) (reason, failure error) {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, mtls.ErrUnavailable) {
		return nil, err
	}
	if !errors.Is(err, ErrRuleRejected) {
		err = fmt.Errorf("%w: %w", ErrRuleRejected, err)
	}
	return err, nil
}

// evaluate is decide without the WithOnReject call: it also returns the
// reason of a 401 or Deny. req is nil for TOKEN events.
func (a *Authorizer) evaluate(ctx context.Context, token string, route *MethodARN, req *Request) (decision, error, error) {
	if a.needsRequest() && req == nil {
		// The handlers refuse this before; kept so that no path runs a
		// request rule without a request.
		return decision{}, nil, fmt.Errorf("%w: WithRequestRule and WithClientCert need a REQUEST or HTTP API event, not TOKEN", ErrConfig)
	}
	if token == "" {
		return decision{}, ErrMissingToken, ErrUnauthorized
	}
	c, err := a.v.Verify(ctx, token)
	switch {
	case err == nil:
	case errors.Is(err, ErrForbidden):
		return decision{principal: anonymous}, err, nil
	case errors.Is(err, ErrUnauthorized):
		return decision{}, err, ErrUnauthorized
	default:
		return decision{}, nil, err
	}
	if c.Subject == "" {
		// A Verifier other than JWTVerifier may return claims without sub.
		return decision{}, &ClaimError{Claim: "sub", Err: ErrMissingSubject}, ErrUnauthorized
	}
	deny := decision{principal: c.Subject}
	if a.o.rule != nil {
		if err := a.o.rule(ctx, c); err != nil {
			reason, failure := ruleError(err)
			return deny, reason, failure
		}
	}
	var certContext map[string]any
	if a.o.certs != nil {
		id, err := a.o.certs.Validate(req.ClientCert)
		if err == nil && a.o.bind != nil {
			err = a.o.bind(ctx, id, c)
		}
		if err != nil {
			reason, failure := ruleError(err)
			return deny, reason, failure
		}
		certContext = id.AuthorizerContext()
	}
	if a.o.reqRule != nil {
		if err := a.o.reqRule(ctx, req, c); err != nil {
			reason, failure := ruleError(err)
			return deny, reason, failure
		}
	}
	var routes []Route
	if a.o.routes != nil {
		if routes, err = a.o.routes(ctx, c); err != nil {
			return decision{}, nil, fmt.Errorf("authorizer: routes: %w", err)
		}
		if len(routes) == 0 {
			return deny, fmt.Errorf("%w: empty route set", ErrRuleRejected), nil
		}
	} else if route != nil {
		routes = []Route{routeOf(*route)}
	}
	d := decision{allow: true, principal: c.Subject, routes: routes, context: c.contextMap(len(certContext))}
	for k, v := range certContext {
		d.context[k] = v
	}
	if a.o.context != nil {
		extra, err := a.o.context(ctx, c)
		if err != nil {
			return decision{}, nil, fmt.Errorf("authorizer: context: %w", err)
		}
		for k, v := range extra {
			if _, builtin := d.context[k]; builtin || k == "claims" || k == "principalId" {
				continue
			}
			switch v.(type) {
			case string, bool, int, int32, int64, float32, float64:
			default:
				return decision{}, nil, fmt.Errorf("%w (key %q)", ErrContextValue, k)
			}
			d.context[k] = v
		}
	}
	if a.o.usageKey != nil {
		key, err := a.o.usageKey(ctx, c)
		if err != nil {
			return decision{}, nil, fmt.Errorf("authorizer: usage identifier key: %w", err)
		}
		// An empty key leaves usageIdentifierKey out: API Gateway then
		// answers 403 on every method that requires an API key.
		d.usageKey = key
	}
	return d, nil, nil
}

// policy builds the response policy of d for the API stage of arn.
func (a *Authorizer) policy(d decision, arn MethodARN) (*Policy, error) {
	p := NewPolicy(arn)
	if a.o.wildcard {
		p.AllowWildcards()
	}
	if !d.allow {
		p.DenyAll()
		return p, nil
	}
	if err := p.Allow(d.routes...); err != nil {
		return nil, err
	}
	return p, nil
}

// bearer removes a case-insensitive "Bearer " prefix and surrounding space.
func bearer(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		v = strings.TrimSpace(v[7:])
	}
	return v
}

// header returns the value of the named header, case-insensitively, from
// single- and multi-value maps (API Gateway v1 keeps the client's casing,
// v2 lowercases).
func header(single map[string]string, multi map[string][]string, name string) string {
	if v, ok := single[name]; ok {
		return v
	}
	for k, v := range single {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range multi {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// cookie returns the named cookie from Cookie header values.
func cookie(values []string, name string) string {
	for _, line := range values {
		cs, err := http.ParseCookie(line)
		if err != nil {
			continue
		}
		for _, c := range cs {
			if c.Name == name {
				return c.Value
			}
		}
	}
	return ""
}

package authorizer

import (
	"context"
	"fmt"

	"github.com/seclambda/seclambda/mtls"
)

// Option configures an [Authorizer]. [New] reports an option given a nil
// function, a nil validator or an empty name as an error matching
// [ErrConfig]; none is silently ignored.
type Option func(*options)

type tokenSourceKind int

const (
	sourceHeader tokenSourceKind = iota
	sourceQuery
	sourceCookie
)

type options struct {
	routes  func(context.Context, *Claims) ([]Route, error)
	rule    func(context.Context, *Claims) error
	reqRule func(context.Context, *Request, *Claims) error
	certs   *mtls.Validator
	bind    func(context.Context, *mtls.Identity, *Claims) error
	context func(context.Context, *Claims) (map[string]any, error)
	// usageKey is for REST APIs only: HTTP APIs have no usage plans.
	usageKey func(context.Context, *Claims) (string, error)
	onReject func(context.Context, error)
	wildcard bool
	kind     tokenSourceKind
	name     string
	// sourceSet is set by the token source options, which a TOKEN event
	// cannot honour.
	sourceSet bool
	// errs are the configuration errors that New reports.
	errs []error
}

// refuse records that the named option was given nothing to apply.
func (o *options) refuse(option, what string) {
	o.errs = append(o.errs, fmt.Errorf("%w: %s was given %s", ErrConfig, option, what))
}

// WithRoutes sets the function that returns every route the principal may
// call. The REST and HTTP API IAM handlers allow exactly this set, so that
// a policy cached by API Gateway for the identity stays right for all of
// its routes; the HTTP API simple handler authorizes the request when its
// route is in the set. An empty set is an explicit Deny; an error denies
// with a 500.
//
// Without WithRoutes the policy allows only the route of the current
// request, which is least privilege but WRONG with authorizer caching on
// (the default TTL of REST authorizers is 300 s): the cached policy then
// denies the principal's other routes. Use WithRoutes, or set the TTL to 0.
//
// A nil fn is an [ErrConfig] error of [New].
func WithRoutes(fn func(ctx context.Context, c *Claims) ([]Route, error)) Option {
	return func(o *options) {
		if fn == nil {
			o.refuse("WithRoutes", "nil")
		}
		o.routes = fn
	}
}

// WithWildcardRoutes lets routes from [WithRoutes] use "*" (any method, or
// any run of path characters). Without it a wildcard route is refused and
// the request denied.
func WithWildcardRoutes() Option { return func(o *options) { o.wildcard = true } }

// WithRule adds a check of the verified claims that does not depend on the
// route (so it stays right when the result is cached): account state,
// tenant, custom claims. An error gives an explicit Deny, unless it matches
// [ErrUnavailable] (or mtls.ErrUnavailable), which gives a 500 that API
// Gateway does not cache. For rules that need the request, see
// [WithRequestRule] and [WithClientCert]. The
// Deny's reason, as [WithOnReject] sees it, wraps [ErrRuleRejected] and the
// rule's error. A nil fn is an [ErrConfig] error of [New].
func WithRule(fn func(ctx context.Context, c *Claims) error) Option {
	return func(o *options) {
		if fn == nil {
			o.refuse("WithRule", "nil")
		}
		o.rule = fn
	}
}

// WithRequestRule adds a check of the verified claims against the request,
// for REQUEST and HTTP API authorizers: a tenant taken from the path, a
// source IP range, a header. It runs after the checks of the verifier,
// [WithRule] and [WithClientCert], with the same outcomes as [WithRule]: an
// error gives an explicit Deny (isAuthorized false for HTTP API simple
// responses), unless it matches [ErrUnavailable] or mtls.ErrUnavailable,
// which gives a 500 that API Gateway does not cache.
//
// A TOKEN authorizer has no request to show: [Authorizer.RESTToken] with a
// request rule fails every call with an error matching [ErrConfig] (a 500),
// never an Allow. A nil fn is an [ErrConfig] error of [New].
//
// Security: API Gateway caches an authorizer's answer per identity source
// for the authorizer's TTL, and reuses it for every request with the same
// identity source. A rule that reads a part of the request (path, source
// IP, header) must have that part among the identity sources, or
// authorizer caching must be off; otherwise one request's answer is reused
// for another.
func WithRequestRule(fn func(ctx context.Context, r *Request, c *Claims) error) Option {
	return func(o *options) {
		if fn == nil {
			o.refuse("WithRequestRule", "nil")
		}
		o.reqRule = fn
	}
}

// WithClientCert requires, for REQUEST and HTTP API authorizers, a client
// certificate that v accepts (trust store, revocation, usage and
// allow-lists, as [mtls.Validator.Validate] checks them), in addition to
// the token: mutual TLS and a JWT as one authorizer. bind, when not nil,
// then ties the certificate to the token, such as "the certificate's
// common name is the token's username"; without it any accepted
// certificate goes with any valid token.
//
// The certificate is checked after the token, so a missing or bad token
// still answers 401. A missing or rejected certificate, or a bind error,
// gives an explicit Deny whose reason wraps [ErrRuleRejected] and the
// mtls error; revocation data that cannot give a verdict
// (mtls.ErrUnavailable) gives a 500 that API Gateway does not cache. On an
// Allow, the certificate's [mtls.Identity.AuthorizerContext] entries
// (mtlsSubject, mtlsFingerprint, ...) join the authorizer context.
//
// As for [WithRequestRule], [Authorizer.RESTToken] fails with [ErrConfig];
// a nil v is an [ErrConfig] error of [New] (never an unchecked
// certificate). With authorizer caching on, the identity sources must include the
// certificate ($context.identity.clientCert.clientCertPem) or caching must
// be off, or one client's answer is reused for another's certificate.
func WithClientCert(v *mtls.Validator, bind func(ctx context.Context, id *mtls.Identity, c *Claims) error) Option {
	return func(o *options) {
		if v == nil {
			o.refuse("WithClientCert", "a nil validator")
		}
		o.certs, o.bind = v, bind
	}
}

// WithOnReject sets a function that is told why each request was rejected,
// for audit logs and metrics: it is called with the reason of every 401
// (such as a [*ClaimError] wrapping [ErrExpired] or [ErrMissingSubject])
// and of every explicit Deny ([ErrForbidden] reasons: [ErrMissingGroup],
// [ErrMissingScope], or [ErrRuleRejected] wrapping the error of a
// [WithRule] rule). It is not called for outages and other 500s, which
// the handlers return. The reason never contains the token, but a rule's
// own error is passed on as the rule wrote it. The client is still told
// nothing. fn must be safe for concurrent use and should return quickly:
// it runs before the handler answers. Without WithOnReject rejections are
// silent; a nil fn is an [ErrConfig] error of [New].
func WithOnReject(fn func(ctx context.Context, reason error)) Option {
	return func(o *options) {
		if fn == nil {
			o.refuse("WithOnReject", "nil")
		}
		o.onReject = fn
	}
}

// WithContext sets a function whose entries are added to the authorizer
// context next to the entries the handlers write (see [Authorizer]), which
// it cannot replace; "claims" and "principalId" are refused too, since a
// backend reads them as API Gateway's own. Values must be strings, numbers
// or booleans; REST APIs pass every value to the backend as a string. A
// nil fn is an [ErrConfig] error of [New].
func WithContext(fn func(ctx context.Context, c *Claims) (map[string]any, error)) Option {
	return func(o *options) {
		if fn == nil {
			o.refuse("WithContext", "nil")
		}
		o.context = fn
	}
}

// WithUsageIdentifierKey sets the function that returns the API key of the
// principal's usage plan, returned as usageIdentifierKey for REST APIs whose
// API key source is AUTHORIZER. An empty key means the principal has no
// usage plan: the response carries no key, and API Gateway answers 403 on
// every method that requires one, as it does for a client without an API
// key. An error denies with a 500. The key is never logged or put into
// errors.
//
// Usage plans are a REST API feature: HTTP APIs have none, so
// [Authorizer.HTTPAPISimple] and [Authorizer.HTTPAPIIAM] fail every call
// with an error matching [ErrConfig] (a 500) when this option is set,
// rather than drop the key. A nil fn is an [ErrConfig] error of [New].
func WithUsageIdentifierKey(fn func(ctx context.Context, c *Claims) (string, error)) Option {
	return func(o *options) {
		if fn == nil {
			o.refuse("WithUsageIdentifierKey", "nil")
		}
		o.usageKey = fn
	}
}

// WithTokenHeader reads the token of REQUEST and HTTP API events from the
// named header (case-insensitive). Without a token source option the token
// is read from "Authorization". A "Bearer " prefix is removed.
//
// A TOKEN event carries only the header that the authorizer's identity
// source names, so [Authorizer.RESTToken] fails every call with an error
// matching [ErrConfig] (a 500) when a token source option is set. An empty
// name is an [ErrConfig] error of [New]. The last token source option wins.
func WithTokenHeader(name string) Option {
	return func(o *options) { o.setSource("WithTokenHeader", sourceHeader, name) }
}

// WithTokenQuery reads the token of REQUEST and HTTP API events from the
// named query string parameter. Query strings end up in access logs;
// prefer a header. As for [WithTokenHeader], [Authorizer.RESTToken] fails
// with [ErrConfig] and an empty name is an error of [New].
func WithTokenQuery(name string) Option {
	return func(o *options) { o.setSource("WithTokenQuery", sourceQuery, name) }
}

// WithTokenCookie reads the token of REQUEST and HTTP API events from the
// named cookie. As for [WithTokenHeader], [Authorizer.RESTToken] fails
// with [ErrConfig] and an empty name is an error of [New].
func WithTokenCookie(name string) Option {
	return func(o *options) { o.setSource("WithTokenCookie", sourceCookie, name) }
}

// setSource records a token source option.
func (o *options) setSource(option string, kind tokenSourceKind, name string) {
	if name == "" {
		o.refuse(option, "an empty name")
	}
	o.kind, o.name, o.sourceSet = kind, name, true
}

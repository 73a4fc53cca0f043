package cors

import (
	"context"
	"strings"
)

// Options configures a [CORS]. The fields mean what the fields of the same
// name in github.com/rs/cors mean, with the differences called out below;
// [New] copies and validates them.
type Options struct {
	// AllowedOrigins lists the origins allowed to make cross-origin
	// requests. Each entry is one of:
	//
	//   - an exact origin, "https://app.example.com" or
	//     "http://localhost:3000" (scheme://host[:port], no path, no
	//     trailing slash, no userinfo);
	//   - a pattern with one "*" standing for the whole leftmost host label,
	//     "https://*.example.com", or for the whole port,
	//     "http://localhost:*";
	//   - "*", every origin (only without AllowCredentials);
	//   - "null", the opaque origin of sandboxed frames and file: pages
	//     (only with InsecureAllowNullOrigin).
	//
	// Entries are compared case-insensitively, as rs/cors does. As in
	// rs/cors, the "*" of a subdomain pattern matches any run of
	// characters, dots included: "https://*.example.com" allows
	// "https://a.b.example.com" as well as "https://a.example.com", and
	// never "https://example.com" itself (list it too if you want it).
	// Anything else ("https://*", "*.example.com", "https://example.com/")
	// is an error from [New].
	//
	// A subdomain pattern must name a domain you control: New refuses,
	// with [ErrSharedDomainWildcard], a pattern whose domain is a public
	// suffix or a shared hosting domain, where anyone can get a hostname
	// ("https://*.cloudfront.net", "https://*.amplifyapp.com",
	// "https://*.execute-api.us-east-1.amazonaws.com" and anything else
	// under amazonaws.com or on.aws, "https://*.github.io",
	// "https://*.co.uk"). List your exact origins instead
	// ("https://d111111abcdef8.cloudfront.net"), or a pattern under your
	// own name ("https://*.d111111abcdef8.amplifyapp.com"). The built-in
	// list is short, not the Public Suffix List, so it catches common
	// mistakes rather than proving a domain private.
	//
	// Zero value: unlike rs/cors, an empty list allows nothing and is an
	// error unless AllowOriginFunc is set.
	AllowedOrigins []string

	// AllowOriginFunc, when set, decides which origins are allowed instead
	// of AllowedOrigins, which must then be empty. It is called only with
	// well-formed origins (see [CORS]), and with "null" only when
	// InsecureAllowNullOrigin is set. It must be safe for concurrent use.
	AllowOriginFunc func(origin string) bool

	// InsecureAllowNullOrigin allows the "null" origin to be listed in
	// AllowedOrigins or passed to AllowOriginFunc. Any page can make its
	// requests carry Origin: null (a sandboxed iframe does), so allowing
	// "null" is close to allowing every origin. Zero value: "null" is an
	// error in AllowedOrigins and is refused before AllowOriginFunc; with
	// AllowedOrigins "*", "null" is answered like any other origin.
	InsecureAllowNullOrigin bool

	// InsecureAllowSharedDomainWildcard accepts subdomain patterns of shared
	// domains (see AllowedOrigins), such as "https://*.cloudfront.net",
	// which let every tenant of that domain make cross-origin requests and
	// read the responses. Zero value: such patterns are an error
	// ([ErrSharedDomainWildcard]).
	InsecureAllowSharedDomainWildcard bool

	// AllowedMethods lists the methods allowed cross-origin, compared
	// case-sensitively. Zero value: GET, POST and HEAD.
	AllowedMethods []string

	// AllowedHeaders lists the request header names a preflight may ask
	// for, case-insensitively; "*" allows any. Zero value: Accept,
	// Content-Type and X-Requested-With.
	AllowedHeaders []string

	// ExposedHeaders lists the response headers that scripts may read
	// (Access-Control-Expose-Headers). Zero value: none beyond the
	// CORS-safelisted ones.
	ExposedHeaders []string

	// AllowCredentials lets browsers send cookies and HTTP authentication
	// and read the response (Access-Control-Allow-Credentials: true). It
	// cannot be combined with the "*" origin.
	AllowCredentials bool

	// MaxAge is how long, in seconds, a browser may cache a preflight
	// answer. Zero value: no Access-Control-Max-Age header (browsers use
	// 5 s); a negative value sends 0.
	MaxAge int

	// AllowPrivateNetwork answers Access-Control-Request-Private-Network
	// preflights (Private Network Access) with
	// Access-Control-Allow-Private-Network: true. Zero value: off.
	AllowPrivateNetwork bool

	// OptionsPassthrough calls the wrapped handler for preflights too and
	// adds the preflight headers to its response. Zero value: the wrapper
	// answers preflights itself and the handler never sees them.
	OptionsPassthrough bool

	// OptionsSuccessStatus is the status of a preflight answered by the
	// wrapper, 200–299. Zero value: 204 No Content.
	OptionsSuccessStatus int

	// OnHandlerError is told about an error returned by the wrapped handler
	// for a request that carries an Origin header; the wrapper then answers
	// 500 with CORS headers instead of returning the error (see [CORS]).
	// It must be safe for concurrent use. Zero value: the error is logged
	// with [log/slog]'s default logger at level Error.
	OnHandlerError func(ctx context.Context, err error)
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// checkTokens returns an [ErrConfig] error for the first entry of
// list, named field, that is not an HTTP token (or "*" where star is true).
func checkTokens(field string, list []string, star bool) error {
	for i, s := range list {
		if star && s == "*" {
			continue
		}
		if !isToken(s) {
			return configErr(nil, "%s[%d] %q is not an HTTP token", field, i, s)
		}
	}
	return nil
}

// origins validates o.AllowedOrigins and returns a lowercased copy, and
// whether it contains "*".
func (o *Options) origins() (list []string, all bool, err error) {
	if o.AllowOriginFunc != nil {
		if len(o.AllowedOrigins) > 0 {
			return nil, false, configErr(nil, "AllowedOrigins and AllowOriginFunc are both set")
		}
		return nil, false, nil
	}
	if len(o.AllowedOrigins) == 0 {
		return nil, false, &configError{reason: ErrNoOrigins}
	}
	list = make([]string, len(o.AllowedOrigins))
	for i, raw := range o.AllowedOrigins {
		s := strings.ToLower(raw)
		list[i] = s
		switch s {
		case "*":
			all = true
		case "null":
			if !o.InsecureAllowNullOrigin {
				return nil, false, configErr(ErrNullOrigin, "AllowedOrigins[%d]", i)
			}
		default:
			if p := patternProblem(s); p != "" {
				return nil, false, configErr(ErrInvalidOrigin, "AllowedOrigins[%d] %q: %s", i, raw, p)
			}
			if host, ok := wildcardHost(s); ok && !o.InsecureAllowSharedDomainWildcard && sharedDomain(host) {
				return nil, false, configErr(ErrSharedDomainWildcard, "AllowedOrigins[%d] %q: anyone can get a name under %q; list exact origins",
					i, raw, host)
			}
		}
	}
	if all && o.AllowCredentials {
		return nil, false, &configError{reason: ErrCredentialsWithAnyOrigin}
	}
	return list, all, nil
}

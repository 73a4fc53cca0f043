package cors

import "errors"

// Errors returned by [New]. Each names the [Options] field at fault and is
// matched with [errors.Is]; the wrapped message says which entry and why.
var (
	// ErrNoOrigins means neither AllowedOrigins nor AllowOriginFunc is set.
	// Unlike rs/cors, an empty list does not mean "every origin": ask for
	// that explicitly with AllowedOrigins: []string{"*"}.
	ErrNoOrigins = errors.New("cors: no allowed origins (set AllowedOrigins or AllowOriginFunc)")

	// ErrCredentialsWithAnyOrigin means AllowCredentials is set together
	// with the "*" origin, which would let every site read credentialed
	// responses.
	ErrCredentialsWithAnyOrigin = errors.New(`cors: AllowCredentials with the "*" origin`)

	// ErrNullOrigin means AllowedOrigins lists "null" while
	// InsecureAllowNullOrigin is off.
	ErrNullOrigin = errors.New(`cors: the "null" origin needs InsecureAllowNullOrigin`)

	// ErrInvalidOrigin means an entry of AllowedOrigins is not an origin
	// (scheme://host[:port], lowercase after folding) or not a supported
	// wildcard pattern.
	ErrInvalidOrigin = errors.New("cors: invalid origin in AllowedOrigins")

	// ErrSharedDomainWildcard means an entry of AllowedOrigins is a
	// subdomain pattern of a public suffix or shared hosting domain
	// ("https://*.cloudfront.net", "https://*.co.uk") while
	// InsecureAllowSharedDomainWildcard is off.
	ErrSharedDomainWildcard = errors.New("cors: wildcard origin on a shared domain in AllowedOrigins")

	// ErrInvalidOptions means another field is malformed or two fields
	// conflict: a method or header name that is not an HTTP token,
	// OptionsSuccessStatus outside 200–299, or both AllowedOrigins and
	// AllowOriginFunc set.
	ErrInvalidOptions = errors.New("cors: invalid options")
)

package cors

import (
	"errors"
	"fmt"
)

// Errors returned by [New]. Every one matches [ErrConfig]; all but
// ErrConfig itself also match one reason below, which names the [Options]
// field at fault. Match them with [errors.Is]; the message says which entry
// and why.
var (
	// ErrConfig is the category of every error from [New]. On its own it
	// means a field is malformed or two fields conflict: a method or header
	// name that is not an HTTP token, OptionsSuccessStatus outside 200–299,
	// or both AllowedOrigins and AllowOriginFunc set.
	ErrConfig = errors.New("cors: invalid configuration")

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
)

// configError is an error from [New]: [ErrConfig], a reason (nil when
// ErrConfig is the reason) and a detail naming the entry at fault.
type configError struct {
	reason error
	detail string
}

func (e *configError) Error() string {
	r := e.reason
	if r == nil {
		r = ErrConfig
	}
	if e.detail == "" {
		return r.Error()
	}
	return r.Error() + ": " + e.detail
}

func (e *configError) Unwrap() []error {
	if e.reason == nil {
		return []error{ErrConfig}
	}
	return []error{ErrConfig, e.reason}
}

// configErr returns a [configError] for reason (nil: ErrConfig alone) with
// the detail formatted from format and args.
func configErr(reason error, format string, args ...any) error {
	return &configError{reason: reason, detail: fmt.Sprintf(format, args...)}
}

package cors

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	rscors "github.com/rs/cors"
)

// Canonical names of the headers that CORS reads and writes.
const (
	hOrigin = "Origin"
	hVary   = "Vary"
	hACRM   = "Access-Control-Request-Method"
	hACRH   = "Access-Control-Request-Headers"
	hACRPN  = "Access-Control-Request-Private-Network"
	hACAO   = "Access-Control-Allow-Origin"
	hACAM   = "Access-Control-Allow-Methods"
	hACAH   = "Access-Control-Allow-Headers"
	hACAC   = "Access-Control-Allow-Credentials"
	hACAPN  = "Access-Control-Allow-Private-Network"
	hACMA   = "Access-Control-Max-Age"
	hACEH   = "Access-Control-Expose-Headers"
)

// errorBody is the body of the 500 answer that replaces a handler error; it
// is the body API Gateway itself sends for an internal error.
const errorBody = `{"message":"Internal Server Error"}`

// CORS applies one CORS policy to API Gateway and ALB events. Build it
// with [New] (the zero value is not usable); it is immutable and safe for
// concurrent use, so one value serves every invocation.
//
// For each request, CORS asks rs/cors (github.com/rs/cors v1.11) for its
// decision, feeding it the request's method and CORS request headers, and
// copies the response headers rs/cors would write. Before that, it refuses
// (no CORS headers, only Vary) any Origin that a browser cannot send:
// anything but scheme://host[:port] in lowercase, such as
// "HTTPS://app.example.com", "https://user@app.example.com",
// "https://app.example.com/" or several Origin values; and "null" unless
// [Options].InsecureAllowNullOrigin is set or every origin is allowed. So
// CORS never grants what rs/cors would refuse, and refuses a few
// forgeries that rs/cors would grant.
//
// The wrappers ([CORS.WrapREST], [CORS.WrapHTTPAPI], [CORS.WrapALB]) behave
// alike:
//
//   - A request without an Origin header (or with an empty one) goes to the
//     handler, and its response comes back with only Vary added, the value
//     rs/cors sends ("Origin", or the preflight list for OPTIONS with
//     Access-Control-Request-Method), and any Access-Control-* header the
//     handler set removed. Vary: Origin keeps a cache from serving this
//     answer, which lacks Access-Control-Allow-Origin, to a later CORS
//     request (Fetch standard, "CORS protocol and HTTP caches"); it is sent
//     with AllowedOrigins "*" too, because CORS sends
//     Access-Control-Allow-Origin only to requests with Origin. A handler
//     error comes back unchanged: there is no response to add Vary to.
//   - A preflight (OPTIONS with Access-Control-Request-Method) is answered
//     with OptionsSuccessStatus (204) and the preflight headers, without
//     calling the handler, unless OptionsPassthrough is set. A refused
//     preflight gets the same status with only Vary and no
//     Access-Control-* headers, as with rs/cors.
//   - Otherwise the handler runs and the CORS headers are added to its
//     response, whatever its status. The wrapper owns the Access-Control-*
//     response headers: any the handler set, in any letter case, are
//     replaced or removed. Vary is extended, never replaced: the handler's
//     values are kept (in one entry) and the wrapper's appended unless the
//     handler already sent exactly that value. Vary: Origin is sent for
//     every request with an Origin, even a refused one and even with
//     AllowedOrigins "*", because the answer depends on it.
//   - A handler error for a request with an Origin becomes a 500 response
//     with body {"message":"Internal Server Error"} and the CORS headers,
//     and the error goes to [Options].OnHandlerError (or slog). Returning
//     the error would make API Gateway answer 502/500 itself, without CORS
//     headers, and the browser would report a CORS failure instead of
//     letting the page see a server error. The error text never reaches
//     the client.
//
// Asking rs/cors means building an *http.Request and reading back an
// http.Header; CORS does that with pooled values, and remembers up to 256
// recent allowed decisions (not with AllowOriginFunc, whose answers may
// change) so that repeated requests skip rs/cors altogether. The cache
// holds only allowed answers, is bounded in size and key length, and a
// flood of distinct requests can only evict entries, never grow it.
type CORS struct {
	rs          *rscors.Cors
	allowNull   bool // "null" may go to rs/cors
	passthrough bool
	privateNet  bool // read Access-Control-Request-Private-Network
	status      int
	statusText  string // "204 No Content", for ALB
	onError     func(context.Context, error)

	// Vary that rs/cors sends for an actual request and for a preflight,
	// learnt at New; used when CORS refuses an origin on its own.
	varyActual, varyPreflight string

	states sync.Pool      // of *state
	cache  *decisionCache // nil with AllowOriginFunc
}

// New checks o and returns a [CORS] that applies it. When o is unsafe or
// malformed it returns an error matching [ErrConfig] and, where one
// applies, a reason: [ErrNoOrigins], [ErrCredentialsWithAnyOrigin],
// [ErrNullOrigin], [ErrInvalidOrigin] or [ErrSharedDomainWildcard].
// New copies every slice in o.
func New(o Options) (*CORS, error) {
	origins, all, err := o.origins()
	if err != nil {
		return nil, err
	}
	if err := checkTokens("AllowedMethods", o.AllowedMethods, false); err != nil {
		return nil, err
	}
	if err := checkTokens("AllowedHeaders", o.AllowedHeaders, true); err != nil {
		return nil, err
	}
	if err := checkTokens("ExposedHeaders", o.ExposedHeaders, true); err != nil {
		return nil, err
	}
	status := o.OptionsSuccessStatus
	if status == 0 {
		status = http.StatusNoContent
	}
	if status < 200 || status > 299 {
		return nil, configErr(nil, "OptionsSuccessStatus %d is not 2xx", o.OptionsSuccessStatus)
	}
	c := &CORS{
		rs: rscors.New(rscors.Options{
			AllowedOrigins:       origins,
			AllowOriginFunc:      o.AllowOriginFunc,
			AllowedMethods:       slices.Clone(o.AllowedMethods),
			AllowedHeaders:       slices.Clone(o.AllowedHeaders),
			ExposedHeaders:       slices.Clone(o.ExposedHeaders),
			MaxAge:               o.MaxAge,
			AllowCredentials:     o.AllowCredentials,
			AllowPrivateNetwork:  o.AllowPrivateNetwork,
			OptionsPassthrough:   o.OptionsPassthrough,
			OptionsSuccessStatus: status,
		}),
		allowNull:   o.InsecureAllowNullOrigin || all,
		passthrough: o.OptionsPassthrough,
		privateNet:  o.AllowPrivateNetwork,
		status:      status,
		statusText:  fmt.Sprintf("%d %s", status, http.StatusText(status)),
		onError:     o.OnHandlerError,
	}
	c.varyActual, c.varyPreflight = probeVary(o.AllowPrivateNetwork)
	c.states.New = func() any { return newState() }
	if o.AllowOriginFunc == nil {
		c.cache = newDecisionCache()
	}
	return c, nil
}

// probeVary returns the Vary values that rs/cors sends for an actual
// request and for a preflight, by asking it about requests without Origin.
func probeVary(privateNet bool) (actual, preflight string) {
	p := rscors.New(rscors.Options{AllowedOrigins: []string{"https://probe.invalid"}, AllowPrivateNetwork: privateNet})
	w := &recorder{h: http.Header{}}
	p.HandlerFunc(w, &http.Request{Method: http.MethodGet, Header: http.Header{}})
	actual = strings.Join(w.h[hVary], ", ")
	w.h = http.Header{}
	p.HandlerFunc(w, &http.Request{Method: http.MethodOptions, Header: http.Header{hACRM: {http.MethodGet}}})
	preflight = strings.Join(w.h[hVary], ", ")
	return actual, preflight
}

// state is the per-request scratch space handed to rs/cors: a request that
// carries only the CORS request headers and a response writer that keeps
// only headers. States are pooled, so a decision allocates nothing.
type state struct {
	req                       http.Request
	w                         recorder
	origin, acrm, acrh, acrpn [1]string
}

// newState returns a state whose request always carries the four CORS
// request headers; decide changes only their values. An empty value means
// the same to rs/cors as an absent header: it reads Origin,
// Access-Control-Request-Method and Access-Control-Request-Private-Network
// with Header.Get, and an empty Access-Control-Request-Headers passes its
// check and is not echoed, exactly like an absent one.
func newState() *state {
	st := &state{w: recorder{h: make(http.Header, 8)}}
	st.req.Header = http.Header{
		hOrigin: st.origin[:],
		hACRM:   st.acrm[:],
		hACRH:   st.acrh[:],
		hACRPN:  st.acrpn[:],
	}
	return st
}

// recorder is the smallest [http.ResponseWriter]: rs/cors only sets
// headers and a status, which CORS reads back or ignores.
type recorder struct{ h http.Header }

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(int)             {}

// request is what CORS reads from an event.
type request struct {
	method    string
	origin    string
	badOrigin bool // several Origin values
	acrm      string
	acrh      string
	acrhList  []string // several Access-Control-Request-Headers values
	acrpn     string
}

// preflight reports whether r is a CORS preflight, by rs/cors's test.
func (r *request) preflight() bool {
	return r.method == http.MethodOptions && r.acrm != ""
}

// decision holds the CORS response headers for one request. An empty
// allowOrigin means refused: only Vary is sent.
type decision struct {
	vary             string
	allowOrigin      string
	allowMethods     string
	allowHeaders     string
	allowHeadersList []string
	allowCreds       bool
	allowPrivateNet  bool
	maxAge           string
	exposeHeaders    string
}

// noOrigin returns the decision for r, a request without Origin: no
// Access-Control-* headers, and the Vary that rs/cors sends, so that a
// cache does not serve the answer to a CORS request (Fetch standard, "CORS
// protocol and HTTP caches").
func (c *CORS) noOrigin(r *request) decision {
	if r.preflight() {
		return decision{vary: c.varyPreflight}
	}
	return decision{vary: c.varyActual}
}

// originOK reports whether origin may be shown to rs/cors at all.
func (c *CORS) originOK(origin string) bool {
	if origin == "null" {
		return c.allowNull
	}
	return originProblem(origin) == ""
}

// decide returns the CORS headers for r, as rs/cors computes them.
func (c *CORS) decide(r *request) (d decision) {
	pre := r.preflight()
	if pre {
		d.vary = c.varyPreflight
	} else {
		d.vary = c.varyActual
	}
	if r.badOrigin {
		return d
	}
	var k cacheKey
	cacheable := c.cache != nil && r.acrhList == nil
	if cacheable {
		k = cacheKey{method: r.method, origin: r.origin, acrm: r.acrm, acrh: r.acrh, acrpn: r.acrpn}
		// Only allowed, hence well-formed, origins are cached, so a hit
		// needs no originOK.
		if cd, ok := c.cache.get(&k); ok {
			return cd
		}
	}
	if !c.originOK(r.origin) {
		return d
	}
	d = c.ask(r, pre)
	if cacheable && d.allowOrigin != "" {
		c.cache.put(&k, d)
	}
	return d
}

// ask returns rs/cors's answer to r, a request with a well-formed origin.
func (c *CORS) ask(r *request, pre bool) (d decision) {
	st := c.states.Get().(*state)
	out := st.w.h
	st.req.Method = r.method
	st.origin[0] = r.origin
	if pre {
		st.acrm[0] = r.acrm
		st.acrh[0] = r.acrh
		if r.acrhList != nil {
			st.req.Header[hACRH] = r.acrhList
		}
		st.acrpn[0] = r.acrpn
	}
	c.rs.HandlerFunc(&st.w, &st.req)
	d.vary = strings.Join(out[hVary], ", ")
	if v := out[hACAO]; len(v) > 0 {
		d.allowOrigin = v[0]
		d.allowCreds = len(out[hACAC]) > 0
		if pre {
			d.allowMethods = first(out[hACAM])
			if v := out[hACAH]; len(v) == 1 {
				d.allowHeaders = v[0]
			} else if len(v) > 1 {
				d.allowHeadersList = r.acrhList
			}
			d.allowPrivateNet = len(out[hACAPN]) > 0
			d.maxAge = first(out[hACMA])
		} else {
			d.exposeHeaders = first(out[hACEH])
		}
	}
	clear(out)
	if r.acrhList != nil {
		st.req.Header[hACRH] = st.acrh[:]
	}
	st.origin[0], st.acrm[0], st.acrh[0], st.acrpn[0] = "", "", "", ""
	c.states.Put(st)
	return d
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// handlerError reports a handler error that the wrapper turns into a 500.
func (c *CORS) handlerError(ctx context.Context, err error) {
	if c.onError != nil {
		c.onError(ctx, err)
		return
	}
	slog.Default().ErrorContext(ctx, "cors: handler failed; answered 500 with CORS headers", "error", err)
}

// Headers returns the CORS headers for an actual (non-preflight) request
// with the given Origin and method, for code that builds its responses
// itself. The map always holds Vary, even when origin is empty (a request
// without Origin), and the Access-Control-* headers when the request is
// allowed. Add them to the response after its own headers (see [CORS] for
// how the wrappers merge).
func (c *CORS) Headers(origin, method string) map[string]string {
	r := request{method: method, origin: origin}
	var d decision
	if origin == "" {
		d = c.noOrigin(&r)
	} else {
		d = c.decide(&r)
	}
	m, _ := d.merge(nil, nil, toSingle)
	return m
}

// PreflightHeaders returns the headers that answer a preflight with the
// given Origin, Access-Control-Request-Method (method) and
// Access-Control-Request-Headers (requestHeaders, "" when absent), for code
// that answers preflights itself with [Options].OptionsSuccessStatus. It
// returns the headers for an actual OPTIONS request when method is empty
// (that is not a preflight). A refused preflight, and one without Origin,
// gets only Vary. Private Network Access preflights are answered by the
// wrappers only.
func (c *CORS) PreflightHeaders(origin, method, requestHeaders string) map[string]string {
	r := request{method: http.MethodOptions, origin: origin, acrm: method, acrh: requestHeaders}
	var d decision
	if origin == "" {
		d = c.noOrigin(&r)
	} else {
		d = c.decide(&r)
	}
	m, _ := d.merge(nil, nil, toSingle)
	return m
}

package redact

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// RequestIDKey is the attribute key under which a handler built with
// [WithRequestID] (and every [NewLogger]) writes the Lambda request ID, as
// Lambda's own JSON log format names it.
const RequestIDKey = "requestId"

// NewHandler returns a handler that scrubs every record before next sees it.
// It masks, with the mask of [WithMask]:
//
//   - every secret of the registry ([WithRegistry], by default [Default]),
//     looked up when each record is handled, so that a secret added after
//     the handler was built is still caught, also in attributes given to
//     WithAttrs earlier;
//   - every credential that an enabled [Detector] recognises;
//   - the whole value of an attribute whose key is one of [DefaultKeys] or
//     [WithKeys], and of every member, field or map entry with such a key
//     inside a value of kind Any, as DefaultKeys details.
//
// It looks at the message, at attribute keys, at string values, at the
// values of LogValuers (resolved once, here), inside groups, in the
// attributes and group names of WithAttrs and WithGroup, and at every value of
// kind Any: errors, fmt.Stringers, encoding.TextMarshalers, structs, maps,
// slices and []byte. An Any value is rendered once, here, the way next would
// render it, and next receives the scrubbed rendering: when next is a
// *slog.JSONHandler, a value is marshalled to JSON as it would do (errors
// give their Error text) and passed on as a json.RawMessage, so JSON output
// keeps its structure; for any other handler a value is passed on as the
// string that slog.TextHandler would print (the text of a TextMarshaler, else
// fmt's %+v, with the values of sensitive fields and map keys masked, and
// byte slices scrubbed before fmt prints them as numbers).
// Numbers, booleans, times and durations cannot hold a secret
// and pass through untouched, and a record that holds nothing to mask
// reaches next as it is, without copying.
//
// The handler keeps slog's semantics: Enabled is next's, levels and source
// are preserved, attributes keep their order, WithGroup("") and WithAttrs of
// nothing return the receiver, and WithAttrs owns the slice it receives. It
// is immutable and safe for concurrent use. It passes testing/slogtest.
//
// NewHandler panics if next is nil, as slog.New does.
func NewHandler(next slog.Handler, opts ...HandlerOption) slog.Handler {
	if next == nil {
		panic("redact: NewHandler called with a nil handler")
	}
	cfg := newConfig(handlerOptions(opts))
	_, cfg.jsonMode = next.(*slog.JSONHandler)
	return &handler{cfg: cfg, root: next}
}

// handler is one node of a chain of WithAttrs and WithGroup calls. The
// node without a parent wraps root. Each node keeps its attributes
// unscrubbed and derives the matching next handler lazily, for the current
// registry matcher and request ID, so that a secret added later is masked in
// them too.
type handler struct {
	cfg    *config
	root   slog.Handler
	parent *handler
	group  string      // the WithGroup name of this node, if any
	attrs  []slog.Attr // the WithAttrs attributes of this node, if any
	// grouped reports a WithGroup at this node or above it: attributes
	// are then not at the top level.
	grouped bool
	// masked reports a WithGroup with a sensitive name at this node or
	// above it: every attribute value below it is masked whole, as an
	// attribute's under a sensitive key is.
	masked bool
	cache  atomic.Pointer[derived]
}

// derived is next with this node's groups and scrubbed attributes applied.
type derived struct {
	m     *matcher
	reqID string
	next  slog.Handler
}

// Enabled reports whether the wrapped handler handles records at level; for
// a [NewLogger] logger, whether the logger's level, or its sampling of the
// invocation, lets them through.
func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	if lf := h.cfg.lambda; lf != nil {
		return lf.enabled(ctx, level)
	}
	return h.root.Enabled(ctx, level)
}

// WithAttrs returns a handler whose records carry attrs, scrubbed.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return &handler{cfg: h.cfg, root: h.root, parent: h, attrs: slices.Clip(slices.Clone(attrs)), grouped: h.grouped, masked: h.masked}
}

// WithGroup returns a handler that qualifies later attributes with name.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{cfg: h.cfg, root: h.root, parent: h, group: name, grouped: true,
		masked: h.masked || sensitiveKey(h.cfg, name)}
}

// Handle scrubs r and passes it to the wrapped handler.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if h.cfg.clock != nil {
		r.Time = h.cfg.clock()
	}
	m := h.cfg.reg.matcher()
	var lc *lambdacontext.LambdaContext
	if h.cfg.requestID {
		lc, _ = lambdacontext.FromContext(ctx)
	}
	next := h.next(ctx, m, lc)
	sc := scrubber{cfg: h.cfg, m: m, top: h.cfg.lambda != nil && !h.grouped, all: h.masked}
	msg, changed := sc.str(r.Message)
	// First pass: find the first attribute that changes, copying nothing.
	first, i := -1, 0
	var firstAttr slog.Attr
	r.Attrs(func(a slog.Attr) bool {
		if sc.topAttr(&a) {
			first, firstAttr = i, a
			return false
		}
		i++
		return true
	})
	if !changed && first < 0 {
		return next.Handle(ctx, r)
	}
	// Second pass: copy the record, scrubbing from the first change on, so
	// that no value is rendered twice.
	var stack [16]slog.Attr
	attrs := stack[:0]
	i = 0
	r.Attrs(func(a slog.Attr) bool {
		switch {
		case first < 0 || i < first:
		case i == first:
			a = firstAttr
		default:
			sc.topAttr(&a)
		}
		attrs = append(attrs, a)
		i++
		return true
	})
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	nr.AddAttrs(attrs...)
	return next.Handle(ctx, nr)
}

// next returns the wrapped handler with the groups and scrubbed attributes of
// h and its parents applied, and the request ID and other invocation fields
// of lc, for matcher m. ctx is the record's; it is read, with lc, only when
// the fields of a new invocation are derived.
func (h *handler) next(ctx context.Context, m *matcher, lc *lambdacontext.LambdaContext) slog.Handler {
	var reqID string
	if lc != nil {
		reqID = lc.AwsRequestID
	}
	if h.parent == nil && reqID == "" && h.cfg.lambda == nil {
		return h.root
	}
	if d := h.cache.Load(); d != nil && d.m == m && d.reqID == reqID {
		return d.next
	}
	var n slog.Handler
	sc := scrubber{cfg: h.cfg, m: m, top: h.cfg.lambda != nil && !h.grouped, all: h.masked}
	switch {
	case h.parent == nil:
		var attrs []slog.Attr
		if reqID != "" {
			attrs = append(attrs, slog.String(RequestIDKey, reqID))
		}
		if lf := h.cfg.lambda; lf != nil {
			attrs = lf.appendAttrs(attrs, ctx, lc)
		}
		for i := range attrs {
			sc.attr(&attrs[i])
		}
		n = h.root.WithAttrs(attrs)
	case h.group != "":
		name, _ := sc.str(h.group)
		n = h.parent.next(ctx, m, lc).WithGroup(name)
	default:
		attrs := make([]slog.Attr, len(h.attrs))
		for i, a := range h.attrs {
			attrs[i] = a
			sc.topAttr(&attrs[i])
		}
		n = h.parent.next(ctx, m, lc).WithAttrs(attrs)
	}
	h.cache.Store(&derived{m: m, reqID: reqID, next: n})
	return n
}

// scrubber scrubs attributes with one matcher.
type scrubber struct {
	cfg *config
	m   *matcher
	top bool // attributes are at the top level of a NewLogger record
	all bool // attributes are below a sensitive group name: mask every value
}

// topAttr scrubs *a, an attribute of a record or of WithAttrs, and reports
// whether it changed. At the top level of a [NewLogger] record it also
// renames a key that the record's own fields use.
func (sc scrubber) topAttr(a *slog.Attr) bool {
	ch := sc.attr(a)
	if sc.top {
		ch = renameReserved(a) || ch
	}
	return ch
}

// renameReserved prefixes with '_' the key of a, or of the attributes of
// a group with an empty key (which slog inlines), when it is one of the
// top-level field names of [NewLogger] records: slog's built-in time, level
// and msg, Lambda's timestamp and message, requestId and the other Lambda
// fields, whether or not this logger writes them. Otherwise a user attribute
// would be renamed with the built-in, or duplicate it, and could pass for it.
func renameReserved(a *slog.Attr) bool {
	if a.Key == "" {
		if a.Value.Kind() != slog.KindGroup {
			return false
		}
		g := a.Value.Group()
		var out []slog.Attr
		for i := range g {
			x := g[i]
			if renameReserved(&x) {
				if out == nil {
					out = slices.Clone(g)
				}
				out[i] = x
			}
		}
		if out == nil {
			return false
		}
		a.Value = slog.GroupValue(out...)
		return true
	}
	switch a.Key {
	case slog.TimeKey, slog.LevelKey, slog.MessageKey, "timestamp", "message", RequestIDKey,
		ColdStartKey, FunctionNameKey, FunctionMemorySizeKey, FunctionARNKey, XRayTraceIDKey, SamplingRateKey:
		a.Key = "_" + a.Key
		return true
	}
	return false
}

func (sc scrubber) str(s string) (string, bool) {
	return sc.m.scrubString(s, sc.cfg.mask, sc.cfg.det)
}

// sensitive reports whether key is one whose value is masked whole.
func (sc scrubber) sensitive(key string) bool { return sensitiveKey(sc.cfg, key) }

// attr scrubs *a in place and reports whether it changed.
func (sc scrubber) attr(a *slog.Attr) bool {
	if sc.all {
		return sc.maskAll(a)
	}
	if sc.sensitive(a.Key) {
		*a = slog.String(a.Key, sc.cfg.mask)
		return true
	}
	k, changed := sc.str(a.Key)
	if changed {
		a.Key = k
	}
	switch a.Value.Kind() {
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration, slog.KindTime:
		return changed // cannot hold a secret
	}
	if v, ch := sc.value(a.Value); ch {
		a.Value = v
		return true
	}
	return changed
}

// maskAll replaces the value of *a, an attribute below a sensitive group
// name, with the mask; it keeps empty attributes, which slog drops, and masks
// each attribute of a group with an empty key, which slog inlines.
func (sc scrubber) maskAll(a *slog.Attr) bool {
	if a.Key == "" {
		v := a.Value.Resolve()
		switch {
		case v.Kind() == slog.KindGroup:
			g := slices.Clone(v.Group())
			for i := range g {
				sc.maskAll(&g[i])
			}
			a.Value = slog.GroupValue(g...)
			return true
		case v.Kind() == slog.KindAny && v.Any() == nil:
			return false
		}
	}
	k, _ := sc.str(a.Key)
	*a = slog.String(k, sc.cfg.mask)
	return true
}

func (sc scrubber) value(v slog.Value) (slog.Value, bool) {
	changed := false
	if v.Kind() == slog.KindLogValuer {
		v, changed = v.Resolve(), true
	}
	switch v.Kind() {
	case slog.KindString:
		if s, ok := sc.str(v.String()); ok {
			return slog.StringValue(s), true
		}
	case slog.KindGroup:
		g := v.Group()
		var out []slog.Attr
		for i, a := range g {
			na := a
			ch := sc.attr(&na)
			if ch && out == nil {
				out = make([]slog.Attr, len(g))
				copy(out, g[:i])
			}
			if out != nil {
				out[i] = na
			}
		}
		if out != nil {
			return slog.GroupValue(out...), true
		}
	case slog.KindAny:
		if v.Any() == nil {
			break // an empty attribute, or nil: nothing to render
		}
		nv, ch := sc.any(v.Any())
		if ch {
			return nv, true
		}
	}
	return v, changed
}

// any renders x as the wrapped handler would, scrubs the rendering and
// returns it as the value to pass on. An unchanged []byte is passed on as it
// is, reported by false.
func (sc scrubber) any(x any) (v slog.Value, changed bool) {
	if b, ok := x.([]byte); ok {
		nb, ch := sc.m.scrubBytes(b, sc.cfg.mask, sc.cfg.det)
		return slog.AnyValue(nb), ch
	}
	defer func() {
		// A panicking method may have been about to print anything.
		if recover() != nil {
			v, changed = slog.StringValue("!ERROR:panic while rendering a log value"), true
		}
	}()
	if sc.cfg.jsonMode {
		return sc.jsonValue(x), true
	}
	if raw, ok := x.(json.RawMessage); ok {
		return sc.rawJSON(raw)
	}
	return sc.textValue(x), true
}

// errorValue is what slog prints for a value that fails to render.
func (sc scrubber) errorValue(err error) slog.Value {
	s, _ := sc.str(fmt.Sprintf("!ERROR:%v", err))
	return slog.StringValue(s)
}

var jsonEncoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// jsonValue renders x as slog.JSONHandler does.
func (sc scrubber) jsonValue(x any) slog.Value {
	if err, ok := x.(error); ok {
		if _, jm := x.(json.Marshaler); !jm {
			s, _ := sc.str(err.Error())
			return slog.StringValue(s)
		}
	}
	e := jsonEncoders.Get().(*jsonEncoder)
	defer func() {
		if e.buf.Cap() <= 16<<10 {
			e.buf.Reset()
			jsonEncoders.Put(e)
		}
	}()
	if err := e.enc.Encode(x); err != nil {
		return sc.errorValue(err)
	}
	b := bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))
	b, keyed := sc.maskJSONKeys(b) // a new slice if a key matched
	out, ch := sc.m.scrubBytes(b, sc.cfg.mask, sc.cfg.det)
	if !ch {
		if keyed {
			return slog.AnyValue(json.RawMessage(b))
		}
		return slog.AnyValue(json.RawMessage(bytes.Clone(b)))
	}
	if !json.Valid(out) {
		// A match straddled JSON syntax: keep the text, as a string.
		return slog.StringValue(string(out))
	}
	return slog.AnyValue(json.RawMessage(out))
}

// rawJSON scrubs a json.RawMessage for a handler other than JSONHandler,
// masking the values of its sensitive keys too.
func (sc scrubber) rawJSON(raw json.RawMessage) (slog.Value, bool) {
	b, keyed := sc.maskJSONKeys(raw)
	out, ch := sc.m.scrubBytes(b, sc.cfg.mask, sc.cfg.det)
	switch {
	case !keyed && !ch:
		return slog.AnyValue(raw), false
	case !json.Valid(out):
		return slog.StringValue(string(out)), true
	}
	return slog.AnyValue(json.RawMessage(out)), true
}

// textValue renders x as slog.TextHandler does.
func (sc scrubber) textValue(x any) slog.Value {
	if tm, ok := x.(encoding.TextMarshaler); ok {
		data, err := tm.MarshalText()
		if err != nil {
			return sc.errorValue(err)
		}
		s, _ := sc.str(string(data))
		return slog.StringValue(s)
	}
	if rv := reflect.ValueOf(x); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		b, _ := sc.m.scrubBytes(rv.Bytes(), sc.cfg.mask, sc.cfg.det)
		return slog.AnyValue(b)
	}
	s, ok := sc.textKeys(x)
	if !ok {
		s = fmt.Sprintf("%+v", x)
	}
	s, _ = sc.str(s)
	return slog.StringValue(s)
}

package redact

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"time"
)

// HandlerOption configures [NewHandler]. The options that apply to it are
// [WithRegistry], [WithMask], [WithoutDetectors], [WithKeys],
// [WithoutDefaultKeys] and [WithRequestID]; any other does not compile.
type HandlerOption interface{ applyHandler(*options) }

// LoggerOption configures [NewLogger]. The options that apply to it are
// [WithRegistry], [WithMask], [WithoutDetectors], [WithKeys],
// [WithoutDefaultKeys], [WithLevel], [WithSampling] and [WithClock]; any
// other does not compile.
type LoggerOption interface{ applyLogger(*options) }

// WriterOption configures [NewWriter]. The options that apply to it are
// [WithRegistry], [WithMask] and [WithoutDetectors]; any other (a Writer
// knows no keys and no levels) does not compile.
type WriterOption interface{ applyWriter(*options) }

// Option is an option of every constructor: it is a [HandlerOption], a
// [LoggerOption] and a [WriterOption].
type Option struct{ f func(*options) }

func (o Option) applyHandler(x *options) { o.apply(x) }
func (o Option) applyLogger(x *options)  { o.apply(x) }
func (o Option) applyWriter(x *options)  { o.apply(x) }

func (o Option) apply(x *options) {
	if o.f != nil {
		o.f(x)
	}
}

// SlogOption is an option of the slog handlers, [NewHandler] and
// [NewLogger]: it is a [HandlerOption] and a [LoggerOption], and not a
// [WriterOption].
type SlogOption struct{ f func(*options) }

func (o SlogOption) applyHandler(x *options) { Option(o).apply(x) }
func (o SlogOption) applyLogger(x *options)  { Option(o).apply(x) }

// handlerOption and loggerOption apply to one constructor only.
type (
	handlerOption func(*options)
	loggerOption  func(*options)
)

func (f handlerOption) applyHandler(x *options) { f(x) }
func (f loggerOption) applyLogger(x *options)   { f(x) }

// options is what the options fill in.
type options struct {
	reg           *Registry
	mask          string
	keys          []string
	noDefaultKeys bool
	det           Detector
	requestID     bool
	level         slog.Leveler
	sampling      float64
	clock         func() time.Time
}

// config is the immutable result of the options, shared by a handler and
// every handler derived from it.
type config struct {
	reg       *Registry
	mask      string
	keys      map[string]struct{} // normalised by normKey
	minKeyLen int                 // shortest key in keys, in bytes
	maxKeyLen int                 // longest key in keys, in bytes: longer keys are not looked up
	keyBloom  [16]uint64          // the keyEnds bit of every key
	maskJSON  []byte              // mask as a JSON string, quotes included
	det       Detector
	requestID bool
	jsonMode  bool // next is a *slog.JSONHandler: render values as it does
	// clock, set by NewLogger's WithClock, replaces the time of each
	// record; nil keeps the record's.
	clock func() time.Time
	// lambda is set by NewLogger: the Lambda fields of its records, and
	// top-level attributes with the names of the record's own fields are
	// renamed (see renameReserved).
	lambda *lambdaFields
}

func defaultOptions() options {
	return options{reg: Default(), mask: DefaultMask, det: AllDetectors}
}

func handlerOptions(opts []HandlerOption) options {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt.applyHandler(&o)
		}
	}
	return o
}

func loggerOptions(opts []LoggerOption) options {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt.applyLogger(&o)
		}
	}
	return o
}

func writerOptions(opts []WriterOption) options {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt.applyWriter(&o)
		}
	}
	return o
}

func newConfig(o options) *config {
	c := &config{reg: o.reg, mask: o.mask, det: o.det, requestID: o.requestID, keys: make(map[string]struct{})}
	c.maskJSON = jsonString(o.mask)
	var keys []string
	if !o.noDefaultKeys {
		keys = append(keys, DefaultKeys...)
	}
	for _, k := range append(keys, o.keys...) {
		n := string(normKey(nil, k))
		if n == "" {
			continue
		}
		c.keys[n] = struct{}{}
		if c.minKeyLen == 0 || len(n) < c.minKeyLen {
			c.minKeyLen = len(n)
		}
		c.maxKeyLen = max(c.maxKeyLen, len(n))
		h := keyEnds(n)
		c.keyBloom[h>>6] |= 1 << (h & 63)
	}
	return c
}

// WithRegistry scrubs the secrets of r instead of those of [Default]. A nil r
// means Default. It applies to every constructor.
func WithRegistry(r *Registry) Option {
	return Option{func(o *options) {
		if r == nil {
			r = Default()
		}
		o.reg = r
	}}
}

// WithMask replaces each secret with mask instead of [DefaultMask]. An empty
// mask means DefaultMask. For JSON output, choose a mask without quotes,
// backslashes or control characters so that a masked line stays valid JSON
// in every position. It applies to every constructor.
func WithMask(mask string) Option {
	return Option{func(o *options) {
		if mask == "" {
			mask = DefaultMask
		}
		o.mask = mask
	}}
}

// WithoutDetectors turns off the listed detectors, or every detector when none
// is listed. Registered secrets are masked regardless. It applies to every
// constructor.
func WithoutDetectors(ds ...Detector) Option {
	return Option{func(o *options) {
		if len(ds) == 0 {
			o.det = 0
		}
		for _, d := range ds {
			o.det &^= d
		}
	}}
}

// WithKeys adds attribute keys whose values a handler masks whole, to
// [DefaultKeys]. Keys are compared as DefaultKeys describes. It applies to
// [NewHandler] and [NewLogger]; a [Writer] knows no keys.
func WithKeys(keys ...string) SlogOption {
	keys = slices.Clone(keys)
	return SlogOption{func(o *options) { o.keys = append(o.keys, keys...) }}
}

// WithoutDefaultKeys drops [DefaultKeys], leaving only the keys given with
// [WithKeys]. Values under keys such as "password" are then only masked if
// they hold a registered secret or a detected pattern. It applies to
// [NewHandler] and [NewLogger].
func WithoutDefaultKeys() SlogOption {
	return SlogOption{func(o *options) { o.noDefaultKeys = true }}
}

// WithRequestID makes [NewHandler] add the Lambda request ID, as the
// top-level attribute requestId, to every record whose context carries a
// lambdacontext.LambdaContext. [NewLogger] always does this, and more (see
// there).
func WithRequestID() HandlerOption {
	return handlerOption(func(o *options) { o.requestID = true })
}

// WithLevel sets the minimum level of [NewLogger], overriding
// AWS_LAMBDA_LOG_LEVEL. A nil l means the environment's level. It applies
// to NewLogger only: a handler built with [NewHandler] delegates Enabled to
// the handler it wraps.
func WithLevel(l slog.Leveler) LoggerOption {
	return loggerOption(func(o *options) { o.level = l })
}

// WithSampling makes [NewLogger] log at DEBUG level, whatever its level, in
// a fraction rate of the invocations (0.1 is one in ten), as Powertools for
// AWS Lambda's sampling does, and adds the field sampling_rate to every
// record. The decision is a hash of the invocation's request ID, so that it
// is the same for every record of one invocation and every logger, and
// costs no lock; records without a Lambda context are never sampled. A rate
// of 0 or less turns sampling off, and 1 or more samples every invocation.
//
// Lambda itself drops JSON log lines below the function's application log
// level (AWS_LAMBDA_LOG_LEVEL) before they reach CloudWatch Logs, and the
// logger's level comes from that setting by default. For sampled DEBUG
// lines to be kept, set the function's application log level to DEBUG (or
// TRACE), and the logger's own level with [WithLevel], say to INFO: every
// invocation then logs from INFO, and the sampled ones from DEBUG. With the
// function's log level at INFO, Lambda drops the sampled DEBUG lines.
func WithSampling(rate float64) LoggerOption {
	return loggerOption(func(o *options) { o.sampling = rate })
}

// WithClock makes [NewLogger] stamp each record with the time clock
// returns instead of the time slog.Logger took, for tests and Examples
// whose output must not change. A nil clock means the record's own time
// (time.Now when it was logged). It applies to NewLogger only: a handler
// built with [NewHandler] passes the record's time on, and the wrapped
// handler decides what to do with it. clock must be safe for concurrent
// use.
func WithClock(clock func() time.Time) LoggerOption {
	return loggerOption(func(o *options) { o.clock = clock })
}

// jsonString returns s encoded as a JSON string.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

package redact

import (
	"bytes"
	"encoding/json"
	"log/slog"
)

// Option configures [NewHandler], [NewLogger] and [NewWriter]. Options that
// do not apply to a constructor are ignored by it, as each option says.
type Option func(*options)

// options is what the Option functions fill in.
type options struct {
	reg           *Registry
	mask          string
	keys          []string
	noDefaultKeys bool
	det           Detector
	requestID     bool
	level         slog.Leveler
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
	// lambdaKeys is set by NewLogger: top-level attributes with the names
	// of the record's own fields are renamed (see renameReserved).
	lambdaKeys bool
}

func buildOptions(opts []Option) options {
	o := options{reg: Default(), mask: DefaultMask, det: AllDetectors}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
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
// means Default.
func WithRegistry(r *Registry) Option {
	return func(o *options) {
		if r == nil {
			r = Default()
		}
		o.reg = r
	}
}

// WithMask replaces each secret with mask instead of [DefaultMask]. An empty
// mask means DefaultMask. For JSON output, choose a mask without quotes,
// backslashes or control characters so that a masked line stays valid JSON
// in every position.
func WithMask(mask string) Option {
	return func(o *options) {
		if mask == "" {
			mask = DefaultMask
		}
		o.mask = mask
	}
}

// WithKeys adds attribute keys whose values a handler masks whole, to
// [DefaultKeys]. Keys are compared as DefaultKeys describes. A [Writer] has no
// keys and ignores this option.
func WithKeys(keys ...string) Option {
	return func(o *options) { o.keys = append(o.keys, keys...) }
}

// WithoutDefaultKeys drops [DefaultKeys], leaving only the keys given with
// [WithKeys]. Values under keys such as "password" are then only masked if
// they hold a registered secret or a detected pattern.
func WithoutDefaultKeys() Option {
	return func(o *options) { o.noDefaultKeys = true }
}

// WithoutDetectors turns off the listed detectors, or every detector when none
// is listed. Registered secrets are masked regardless.
func WithoutDetectors(ds ...Detector) Option {
	return func(o *options) {
		if len(ds) == 0 {
			o.det = 0
		}
		for _, d := range ds {
			o.det &^= d
		}
	}
}

// WithRequestID makes a handler add the Lambda request ID, as the top-level
// attribute requestId, to every record whose context carries a
// lambdacontext.LambdaContext. [NewLogger] always does this; a [Writer]
// ignores it.
func WithRequestID() Option {
	return func(o *options) { o.requestID = true }
}

// WithLevel sets the minimum level of [NewLogger], overriding
// AWS_LAMBDA_LOG_LEVEL. [NewHandler] and [NewWriter] ignore it: a handler
// delegates Enabled to the handler it wraps.
func WithLevel(l slog.Leveler) Option {
	return func(o *options) { o.level = l }
}

// jsonString returns s encoded as a JSON string.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

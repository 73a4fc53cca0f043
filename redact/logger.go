package redact

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Lambda's application log levels beyond slog's four.
const (
	// LevelTrace is Lambda's TRACE, below slog.LevelDebug.
	LevelTrace = slog.LevelDebug - 4
	// LevelFatal is Lambda's FATAL, above slog.LevelError.
	LevelFatal = slog.LevelError + 4
)

// The field names of [NewLogger] records besides timestamp, level, message
// and [RequestIDKey]: those of Powertools for AWS Lambda's Logger, so that
// its users' queries and dashboards keep working.
const (
	// ColdStartKey is true in the records of the first invocation of the
	// process (the cold start's), false in those of later invocations.
	ColdStartKey = "cold_start"
	// FunctionNameKey is the function's name, from AWS_LAMBDA_FUNCTION_NAME.
	FunctionNameKey = "function_name"
	// FunctionMemorySizeKey is the function's memory in MB, from
	// AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
	FunctionMemorySizeKey = "function_memory_size"
	// FunctionARNKey is the ARN with which the function was invoked (with
	// its alias or version, if the caller named one).
	FunctionARNKey = "function_arn"
	// XRayTraceIDKey is the X-Ray trace ID of the invocation, the Root of its
	// trace header.
	XRayTraceIDKey = "xray_trace_id"
	// SamplingRateKey is the rate given to [WithSampling].
	SamplingRateKey = "sampling_rate"
)

// NewLogger returns a logger ready for AWS Lambda that writes to w (usually
// os.Stdout) through [NewHandler], with opts applied to it.
//
// It writes one JSON object per line when AWS_LAMBDA_LOG_FORMAT is JSON, and
// slog's key=value text otherwise. Its level comes from AWS_LAMBDA_LOG_LEVEL
// (TRACE, DEBUG, INFO, WARN, ERROR or FATAL, in any case, TRACE and FATAL
// being [LevelTrace] and [LevelFatal]; INFO when unset or unknown) unless
// [WithLevel] sets one, and [WithSampling] lowers it to DEBUG for a fraction
// of the invocations; [WithClock] sets the clock of its timestamps. The
// environment is read once, here.
//
// Records use the field names of Lambda's own JSON log format, so that
// Lambda's log-level filtering and CloudWatch Logs Insights understand them:
// timestamp (RFC 3339 in UTC, to the millisecond), level (TRACE, DEBUG, INFO,
// WARN, ERROR or FATAL), message, and requestId. After them come, under the
// names of Powertools for AWS Lambda's Logger, [ColdStartKey],
// [FunctionNameKey], [FunctionMemorySizeKey], [FunctionARNKey],
// [XRayTraceIDKey] and, with sampling, [SamplingRateKey]:
//
//	{"timestamp":"2025-06-01T12:00:00.123Z","level":"INFO","message":"order placed",
//	 "requestId":"8f5…","cold_start":true,"function_name":"orders","function_memory_size":512,
//	 "function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:orders",
//	 "xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","order":"o-1"}
//
// The request ID, cold_start, the ARN and the trace ID are written whenever
// the context passed to the logger (InfoContext and friends) carries a
// lambdacontext.LambdaContext, as lambda.Start's does; the trace ID is read
// from the trace header that lambda.Start puts in the context, or, failing
// that, from _X_AMZN_TRACE_ID. cold_start is true in the records of the
// first invocation that any NewLogger logger of the process logs for, which
// is the cold start's invocation when that invocation logs. A field whose
// value is unknown (no AWS_LAMBDA_FUNCTION_NAME, say) is left out. The
// function's name and memory are formatted once, here; the fields of an
// invocation once per invocation, not per record. Every field goes through
// the same scrubbing as the record's attributes.
//
// A top-level attribute of yours with one of these names, or time, msg or
// level, is written with a leading underscore (_message, _level,
// _cold_start, ...), so that it can neither pass for nor duplicate the
// record's own field.
//
// The logger is safe for concurrent use.
func NewLogger(w io.Writer, opts ...LoggerOption) *slog.Logger {
	o := loggerOptions(opts)
	o.requestID = true
	level := o.level
	if level == nil {
		level = parseLambdaLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	}
	lf := newLambdaFields(level, o.sampling)
	ho := &slog.HandlerOptions{Level: lf.floor(), ReplaceAttr: lambdaAttr}
	var next slog.Handler
	if strings.EqualFold(os.Getenv("AWS_LAMBDA_LOG_FORMAT"), "JSON") {
		next = slog.NewJSONHandler(w, ho)
	} else {
		next = slog.NewTextHandler(w, ho)
	}
	cfg := newConfig(o)
	_, cfg.jsonMode = next.(*slog.JSONHandler)
	cfg.lambda = lf
	cfg.clock = o.clock
	return slog.New(&handler{cfg: cfg, root: next})
}

// lambdaFields is what a NewLogger logger adds to its records, and its
// level and sampling.
type lambdaFields struct {
	level  slog.Leveler
	rate   float64
	sample uint64      // a request ID whose hash is below sample is sampled; 0: none
	all    bool        // every invocation is sampled
	static []slog.Attr // the function's name and memory, the sampling rate
}

func newLambdaFields(level slog.Leveler, rate float64) *lambdaFields {
	lf := &lambdaFields{level: level}
	if name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME"); name != "" {
		lf.static = append(lf.static, slog.String(FunctionNameKey, name))
	}
	if mb, err := strconv.Atoi(os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")); err == nil && mb > 0 {
		lf.static = append(lf.static, slog.Int(FunctionMemorySizeKey, mb))
	}
	switch {
	case rate >= 1:
		lf.rate, lf.all = 1, true
	case rate > 0:
		lf.rate, lf.sample = rate, uint64(rate*(1<<64))
	}
	if lf.rate > 0 {
		lf.static = append(lf.static, slog.Float64(SamplingRateKey, lf.rate))
	}
	return lf
}

// floor is the level of the handler that writes: the logger's, or DEBUG
// when sampling may lower it there. enabled decides for each record.
func (lf *lambdaFields) floor() slog.Leveler {
	if lf.rate == 0 {
		return lf.level
	}
	return floorLevel{lf.level}
}

// floorLevel is the lower of l and DEBUG.
type floorLevel struct{ l slog.Leveler }

func (f floorLevel) Level() slog.Level { return min(f.l.Level(), slog.LevelDebug) }

// enabled reports whether a record at level is logged in ctx: at the
// logger's level or above, or from DEBUG up in a sampled invocation.
func (lf *lambdaFields) enabled(ctx context.Context, level slog.Level) bool {
	if level >= lf.level.Level() {
		return true
	}
	if lf.rate == 0 || level < slog.LevelDebug {
		return false
	}
	lc, ok := lambdacontext.FromContext(ctx)
	return ok && lf.sampled(lc.AwsRequestID)
}

// sampled reports whether the invocation with request ID id is sampled: a
// hash of id (FNV-1a, then a 64-bit finaliser) below the rate's share of
// 2^64.
func (lf *lambdaFields) sampled(id string) bool {
	if lf.all {
		return true
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h < lf.sample
}

// firstRequest is the request ID of the first invocation that a NewLogger
// logger of this process logged for: the cold start's. It is set once.
var firstRequest atomic.Pointer[string]

// coldStart reports whether id is the first request ID that a NewLogger
// logger saw, claiming it if none was seen yet.
func coldStart(id string) bool {
	first := firstRequest.Load()
	if first == nil {
		firstRequest.CompareAndSwap(nil, &id)
		first = firstRequest.Load()
	}
	return *first == id
}

// appendAttrs appends to attrs the fields of the invocation of lc (nil
// when the record's context carries none) after the request ID, and the
// static fields.
func (lf *lambdaFields) appendAttrs(attrs []slog.Attr, ctx context.Context, lc *lambdacontext.LambdaContext) []slog.Attr {
	if lc == nil {
		return append(attrs, lf.static...)
	}
	attrs = append(attrs, slog.Bool(ColdStartKey, coldStart(lc.AwsRequestID)))
	attrs = append(attrs, lf.static...)
	if lc.InvokedFunctionArn != "" {
		attrs = append(attrs, slog.String(FunctionARNKey, lc.InvokedFunctionArn))
	}
	if id := traceID(ctx); id != "" {
		attrs = append(attrs, slog.String(XRayTraceIDKey, id))
	}
	return attrs
}

// traceHeaderKey is the context key under which lambda.Start passes the
// invocation's X-Ray trace header (a string key, as aws-lambda-go uses).
const traceHeaderKey = "x-amzn-trace-id"

// traceID returns the Root of the X-Ray trace header in ctx, or in
// _X_AMZN_TRACE_ID, which the runtime sets only when it runs one
// invocation at a time.
func traceID(ctx context.Context) string {
	h, _ := ctx.Value(traceHeaderKey).(string)
	if h == "" {
		h = os.Getenv("_X_AMZN_TRACE_ID")
	}
	for part := range strings.SplitSeq(h, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return v
		}
	}
	return ""
}

// parseLambdaLevel maps an AWS_LAMBDA_LOG_LEVEL value to a slog level.
func parseLambdaLevel(s string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE":
		return LevelTrace
	case "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR":
		return slog.LevelError
	case "FATAL":
		return LevelFatal
	}
	return slog.LevelInfo
}

// lambdaLevel names l as Lambda does.
func lambdaLevel(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	case l < LevelFatal:
		return "ERROR"
	}
	return "FATAL"
}

// lambdaAttr renames slog's built-in keys to Lambda's. The handler in
// front of it has already renamed user attributes with these keys (see
// renameReserved), so only the built-ins arrive here under them; the kind
// checks keep it that way if one ever did not.
func lambdaAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		if a.Value.Kind() == slog.KindTime {
			// Lambda's own format stops at the millisecond; the JSON
			// handler would write every nanosecond of a renamed time.
			return slog.Time("timestamp", a.Value.Time().UTC().Truncate(time.Millisecond))
		}
	case slog.MessageKey:
		if a.Value.Kind() == slog.KindString {
			a.Key = "message"
		}
	case slog.LevelKey:
		if l, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(lambdaLevel(l))
		}
	}
	return a
}

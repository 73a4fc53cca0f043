package redact

import (
	"io"
	"log/slog"
	"os"
	"strings"
)

// Lambda's application log levels beyond slog's four.
const (
	// LevelTrace is Lambda's TRACE, below slog.LevelDebug.
	LevelTrace = slog.LevelDebug - 4
	// LevelFatal is Lambda's FATAL, above slog.LevelError.
	LevelFatal = slog.LevelError + 4
)

// NewLogger returns a logger ready for AWS Lambda that writes to w (usually
// os.Stdout) through [NewHandler], with opts applied to it.
//
// It writes one JSON object per line when AWS_LAMBDA_LOG_FORMAT is JSON, and
// slog's key=value text otherwise. Its level comes from AWS_LAMBDA_LOG_LEVEL
// (TRACE, DEBUG, INFO, WARN, ERROR or FATAL, in any case; INFO when unset or
// unknown) unless [WithLevel] sets one. The environment is read once, here.
//
// Records use the field names of Lambda's own JSON log format, so that
// Lambda's log-level filtering and CloudWatch Logs Insights understand them:
// timestamp (RFC 3339 in UTC, with milliseconds), level (TRACE, DEBUG, INFO,
// WARN, ERROR or FATAL), message, and requestId, added at the top level
// whenever the context passed to the logger (InfoContext and friends) carries
// a lambdacontext.LambdaContext, as lambda.Start's does. A top-level
// attribute of yours with one of these names, or time, msg or level, is
// written with a leading underscore (_message, _level, ...), so that it
// can neither pass for nor duplicate the record's own field.
//
// The logger is safe for concurrent use.
func NewLogger(w io.Writer, opts ...Option) *slog.Logger {
	o := buildOptions(opts)
	o.requestID = true
	level := o.level
	if level == nil {
		level = parseLambdaLevel(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	}
	ho := &slog.HandlerOptions{Level: level, ReplaceAttr: lambdaAttr}
	var next slog.Handler
	if strings.EqualFold(os.Getenv("AWS_LAMBDA_LOG_FORMAT"), "JSON") {
		next = slog.NewJSONHandler(w, ho)
	} else {
		next = slog.NewTextHandler(w, ho)
	}
	cfg := newConfig(o)
	_, cfg.jsonMode = next.(*slog.JSONHandler)
	cfg.lambdaKeys = true
	return slog.New(&handler{cfg: cfg, root: next})
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
			return slog.Time("timestamp", a.Value.Time().UTC())
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

package secenv

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"strconv"
	"sync"

	"github.com/seclambda/seclambda/redact"
)

// collector gathers the values one Load registers with the redact registry,
// and the fields whose values are too short to register.
type collector struct {
	mu     sync.Mutex
	values []string
	short  []*field
}

// add records secret and the forms it is likely to leak in, plus verbatim
// strings such as the ciphertext it came from.
func (c *collector) add(f *field, secret string, verbatim ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range verbatim {
		if len(v) >= redact.MinSecretLen {
			c.values = append(c.values, v)
		}
	}
	if len(secret) < redact.MinSecretLen {
		c.short = append(c.short, f)
		return
	}
	c.values = appendLeakForms(c.values, secret)
}

// flush registers everything collected with o's registry and logs a warning
// for each value too short to register.
func (c *collector) flush(ctx context.Context, o *options) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.values) > 0 {
		// Every value is at least MinSecretLen bytes, so Add cannot
		// refuse any of them.
		_ = o.registry.Add(c.values...)
	}
	if o.logger == nil {
		return
	}
	for _, f := range c.short {
		o.logger.LogAttrs(ctx, slog.LevelWarn, "secenv: secret value is too short to be redacted from logs",
			slog.String("var", f.name), slog.String("field", f.path),
			slog.Int("min_len", redact.MinSecretLen))
	}
}

// appendLeakForms appends v and the encodings in which it is likely to
// appear in a log line: JSON- and Go-quoted (without the quotes, with and
// without HTML escaping), base64 in the standard and URL alphabets with and
// without padding, and URL query and path escaping. Forms equal to v or
// shorter than redact.MinSecretLen are skipped.
func appendLeakForms(dst []string, v string) []string {
	start := len(dst)
	dst = append(dst, v)
	addForm := func(s string) {
		if len(s) < redact.MinSecretLen {
			return
		}
		for _, have := range dst[start:] {
			if have == s {
				return
			}
		}
		dst = append(dst, s)
	}
	if b, err := json.Marshal(v); err == nil && len(b) >= 2 {
		addForm(string(b[1 : len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if len(b) >= 2 {
			addForm(string(b[1 : len(b)-1]))
		}
	}
	if q := strconv.Quote(v); len(q) >= 2 {
		addForm(q[1 : len(q)-1])
	}
	raw := []byte(v)
	addForm(base64.StdEncoding.EncodeToString(raw))
	addForm(base64.RawStdEncoding.EncodeToString(raw))
	addForm(base64.URLEncoding.EncodeToString(raw))
	addForm(base64.RawURLEncoding.EncodeToString(raw))
	addForm(url.QueryEscape(v))
	addForm(url.PathEscape(v))
	return dst
}

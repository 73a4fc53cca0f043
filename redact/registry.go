package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// MinSecretLen is the length, in bytes, below which [Registry.Add] refuses a
// value with [ErrTooShort].
const MinSecretLen = 4

// DefaultMask replaces every secret that is scrubbed.
const DefaultMask = "[REDACTED]"

// Registry is a set of secret values to keep out of logs. It is safe for
// concurrent use: values may be added while other goroutines scrub, and a
// scrub sees either the set before an Add or the set after it, never a mix.
//
// Each Add publishes, atomically, a new multi-pattern matcher that shares
// all it can with the previous one, so that adding one value costs about the
// same however many are registered; scrubbing takes no lock and costs about
// the same for one secret as for a thousand. Besides each value as it is,
// the matcher looks for the forms in which a value reaches a log when
// something encodes it:
//
//   - escaped for a JSON string by log/slog or encoding/json (with or
//     without HTML escaping of <, > and &), once or twice in any
//     combination, as when a json.Marshal'ed body is logged as a string by
//     a JSON handler; quoted by strconv or fmt's %q and %+q; and URL
//     query-escaped;
//   - base64, standard and URL alphabets, padded or not: the encoding of the
//     value alone, and, for a value of 8 bytes or more, the part of its
//     encoding that does not depend on what surrounds it (the whole 3-byte
//     groups of the input that hold only bytes of the value, at least 6
//     bytes of it, which any offset leaves to a value of 8 bytes), so that
//     the value is also caught when it was encoded inside a longer input. A
//     value of 6 or 7 bytes is caught there only at some offsets, and a
//     shorter one never. The one or two characters at each edge of such an
//     embedded encoding, which mix in neighbouring bytes, stay visible.
//     HTTP Basic credentials are masked whole, whatever their length, by
//     [DetectBasic].
//
// The zero Registry is empty and ready to use.
type Registry struct {
	mu      sync.Mutex          // serialises Add
	secrets map[string]struct{} // guarded by mu; only Add reads it
	snap    atomic.Pointer[snapshot]
}

// snapshot is an immutable view of the registry, replaced whole on Add.
type snapshot struct {
	n int // registered values
	m *matcher
}

var defaultRegistry Registry

// Default returns the process-wide registry. secenv registers every value it
// decrypts here, and loggers built without [WithRegistry] scrub with it.
// Besides the request ID of the cold start's invocation, which [NewLogger]
// loggers share, it is the package's only global state.
func Default() *Registry { return &defaultRegistry }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Add registers values as secrets. Values shorter than [MinSecretLen] bytes
// are skipped and reported with an error that wraps [ErrTooShort], counts
// them and never contains a value; the other values are registered
// regardless. Adding a value twice is harmless.
//
// Loggers, handlers and writers built before the call see the new values
// from their next record or write on. The cost of an Add is about linear in
// the number and length of the values it adds, not in those already
// registered.
func (r *Registry) Add(values ...string) error {
	var short int
	r.mu.Lock()
	defer r.mu.Unlock()
	var pats []string
	added := 0
	for _, v := range values {
		if len(v) < MinSecretLen {
			short++
			continue
		}
		if _, ok := r.secrets[v]; ok {
			continue
		}
		if r.secrets == nil {
			r.secrets = make(map[string]struct{})
		}
		r.secrets[v] = struct{}{}
		pats = appendForms(pats, v)
		added++
	}
	if added > 0 {
		old := r.snap.Load()
		m, n := baseMatcher(), 0
		if old != nil {
			m, n = old.m, old.n
		}
		r.snap.Store(&snapshot{n: n + added, m: m.with(pats)})
	}
	if short > 0 {
		return fmt.Errorf("%w (%d value(s))", ErrTooShort, short)
	}
	return nil
}

// Len returns the number of registered secrets.
func (r *Registry) Len() int {
	if s := r.snap.Load(); s != nil {
		return s.n
	}
	return 0
}

// matcher returns the current matcher; an empty registry matches only the
// detector triggers.
func (r *Registry) matcher() *matcher {
	if s := r.snap.Load(); s != nil {
		return s.m
	}
	return baseMatcher()
}

// Scrub returns s with every registered secret, in any of the forms listed on
// [Registry], replaced by [DefaultMask]. Occurrences that overlap are masked
// as one. It returns s itself, without allocating, when s holds no secret.
// Scrub applies no detectors; handlers and writers do.
func (r *Registry) Scrub(s string) string {
	out, _ := r.matcher().scrubString(s, DefaultMask, 0)
	return out
}

// ScrubBytes is like [Registry.Scrub] for a byte slice. It returns b itself
// when b holds no secret, and a new slice otherwise; b is never modified.
func (r *Registry) ScrubBytes(b []byte) []byte {
	out, _ := r.matcher().scrubBytes(b, DefaultMask, 0)
	return out
}

// appendForms appends to pats the secret v and the encoded forms of it that
// the matcher looks for.
func appendForms(pats []string, v string) []string {
	first := len(pats)
	add := func(f string) {
		if len(f) >= MinSecretLen && !slices.Contains(pats[first:], f) {
			pats = append(pats, f)
		}
	}
	add(v)
	// Every JSON form, once or twice: log/slog's, and encoding/json's with
	// and without HTML escaping, in any combination (a json.Marshal'ed body
	// logged by slog's JSONHandler, json.Marshal of json.Marshal, ...).
	for _, e1 := range jsonEscapers {
		j := e1(v)
		add(j)
		for _, e2 := range jsonEscapers {
			add(e2(j))
		}
	}
	add(unquote(strconv.Quote(v)))
	add(unquote(strconv.QuoteToASCII(v)))
	add(url.QueryEscape(v))
	add(base64.StdEncoding.EncodeToString([]byte(v)))
	add(base64.URLEncoding.EncodeToString([]byte(v)))
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(v)))
		// The value at byte offset 0, 2 or 1 of a 3-byte group: encode
		// the whole groups it fills.
		for skip := range 3 {
			if n := (len(v) - skip) / 3 * 3; n >= 6 {
				add(enc.EncodeToString([]byte(v[skip : skip+n])))
			}
		}
	}
	return pats
}

func unquote(q string) string { return q[1 : len(q)-1] }

// jsonEscapers are the ways a value is escaped into a JSON string.
var jsonEscapers = []func(string) string{
	slogEscape,
	func(v string) string { return jsonEscape(v, true) },
	func(v string) string { return jsonEscape(v, false) },
}

// jsonEscape returns v as encoding/json writes it inside a string, with or
// without HTML escaping.
func jsonEscape(v string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(v); err != nil {
		return v
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

// slogEscape returns v as log/slog's JSONHandler writes it inside a string.
func slogEscape(v string) string {
	const hex = "0123456789abcdef"
	var b []byte
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\' || c == '"':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, `\n`...)
			case c == '\r':
				b = append(b, `\r`...)
			case c == '\t':
				b = append(b, `\t`...)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xF])
		default:
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

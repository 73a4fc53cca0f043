package secenv

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"

	"github.com/seclambda/seclambda/redact"
)

// Secret holds a sensitive value, such as a decrypted KMS ciphertext or a
// Secrets Manager secret. [Secret.Reveal] is the only way to read it as a
// string, and [Secret.RevealBytes] as bytes; every other path (fmt with every
// verb and flag, encoding/json, encoding (text) and log/slog) prints
// [redact.DefaultMask].
//
// The zero Secret is empty and not set: [Secret.IsSet] reports false and
// [Secret.Reveal] returns "". A Secret is immutable and safe for concurrent
// use; copying it copies a reference to the same value.
//
// Security: String, GoString, Format, MarshalJSON, MarshalText and LogValue
// all return the mask, so %v, %+v, %#v, %s, %q, %x, json.Marshal, slog and
// log.Printf never show the value, including when the Secret is an exported
// field of a struct being printed. The value sits behind an unexported
// pointer, so reflection-based printers that walk unexported fields (fmt
// does so for unexported struct fields) see only an address. GobEncode
// refuses to encode a Secret. None of this stops code that calls Reveal and
// then logs the result; for that, secenv registers every value it loads
// with a redact registry.
type Secret struct {
	// p points to the value. Keeping the string behind a pointer to a
	// non-composite type means that fmt, when it walks unexported fields by
	// reflection or reports a bad verb, prints an address and never the
	// value.
	p *string
}

// NewSecret returns a Secret that holds v. It is for tests and for values
// that come from somewhere other than [Load]; the value is not registered
// with any redact registry.
func NewSecret(v string) Secret { return Secret{p: &v} }

// Reveal returns the secret value, or "" for the zero Secret. Keep the
// result out of logs, errors and responses.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// RevealBytes returns a new copy of the secret value as bytes, or nil for
// the zero Secret. The caller may overwrite the copy when done with it.
func (s Secret) RevealBytes() []byte {
	if s.p == nil {
		return nil
	}
	return []byte(*s.p)
}

// IsSet reports whether s holds a value, even an empty one. It is false for
// the zero Secret, which is what [Load] leaves in an optional field whose
// variable is not set.
func (s Secret) IsSet() bool { return s.p != nil }

// Len returns the length of the value in bytes. The length is not secret in
// most uses, but treat it with care for short values such as PINs.
func (s Secret) Len() int {
	if s.p == nil {
		return 0
	}
	return len(*s.p)
}

// Equal reports whether the secret equals v, in time that depends on neither
// the content nor the length of either value (both are hashed with SHA-256
// first). The zero Secret equals nothing, not even "", so that an unset
// secret never authenticates anything.
func (s Secret) Equal(v string) bool {
	if s.p == nil {
		return false
	}
	a := sha256.Sum256([]byte(*s.p))
	b := sha256.Sum256([]byte(v))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// String returns [redact.DefaultMask].
func (Secret) String() string { return redact.DefaultMask }

// GoString returns [redact.DefaultMask], so %#v does not show the value.
func (Secret) GoString() string { return redact.DefaultMask }

// Format writes [redact.DefaultMask] for every verb and flag.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redact.DefaultMask)) }

// MarshalJSON returns [redact.DefaultMask] as a JSON string.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redact.DefaultMask + `"`), nil }

// MarshalText returns [redact.DefaultMask].
func (Secret) MarshalText() ([]byte, error) { return []byte(redact.DefaultMask), nil }

// LogValue implements [slog.LogValuer] and returns [redact.DefaultMask].
func (Secret) LogValue() slog.Value { return slog.StringValue(redact.DefaultMask) }

// GobEncode refuses to encode a Secret and returns [ErrNotEncodable]:
// a Secret must not travel over gob, and a masked encoding would decode
// into a wrong value without notice.
func (Secret) GobEncode() ([]byte, error) { return nil, ErrNotEncodable }

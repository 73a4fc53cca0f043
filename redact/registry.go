package redact

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
// The zero Registry is empty and ready to use.
type Registry struct {
	mu   sync.Mutex // serialises Add
	snap atomic.Pointer[snapshot]
}

// snapshot is an immutable view of the registry, replaced whole on Add.
type snapshot struct {
	values []string // sorted, longest first, no duplicates
	r      *strings.Replacer
}

var defaultRegistry Registry

// Default returns the process-wide registry. secenv registers every value it
// decrypts here, and loggers built without [WithRegistry] scrub with it. It
// is the package's only global state.
func Default() *Registry { return &defaultRegistry }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Add registers values as secrets. Values shorter than [MinSecretLen] bytes
// are skipped and reported with an error that wraps [ErrTooShort] and never
// contains the value; the other values are registered regardless. Adding a
// value twice is harmless.
func (r *Registry) Add(values ...string) error {
	var short int
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snap.Load()
	var next []string
	if old != nil {
		next = slices.Clone(old.values)
	}
	added := false
	for _, v := range values {
		if len(v) < MinSecretLen {
			short++
			continue
		}
		if !slices.Contains(next, v) {
			next = append(next, v)
			added = true
		}
	}
	if added {
		// Longest first, so that a secret that contains another is
		// masked whole rather than around the shorter one.
		slices.SortFunc(next, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
		})
		pairs := make([]string, 0, 2*len(next))
		for _, v := range next {
			pairs = append(pairs, v, DefaultMask)
		}
		r.snap.Store(&snapshot{values: next, r: strings.NewReplacer(pairs...)})
	}
	if short > 0 {
		return fmt.Errorf("%w (%d value(s))", ErrTooShort, short)
	}
	return nil
}

// Len returns the number of registered secrets.
func (r *Registry) Len() int {
	if s := r.snap.Load(); s != nil {
		return len(s.values)
	}
	return 0
}

// Scrub returns s with every registered secret replaced by [DefaultMask].
func (r *Registry) Scrub(s string) string {
	snap := r.snap.Load()
	if snap == nil {
		return s
	}
	return snap.r.Replace(s)
}

// ScrubBytes is like [Registry.Scrub] for a byte slice. It returns b itself
// when b holds no secret.
func (r *Registry) ScrubBytes(b []byte) []byte {
	snap := r.snap.Load()
	if snap == nil {
		return b
	}
	s := string(b)
	out := snap.r.Replace(s)
	if out == s {
		return b
	}
	return []byte(out)
}

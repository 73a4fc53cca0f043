package redact

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// The matcher finds every occurrence of a set of patterns (registered
// secrets and their encoded forms) and the trigger positions of the
// detectors, in one pass over the input.
//
// It is a hashed 4-gram filter in the style of Rabin–Karp and Wu–Manber:
// every pattern is at least MinSecretLen (4) bytes long, so at each position
// the next four bytes are hashed into a 2^16-bit filter that fits in L1
// cache. Only a hit costs a table lookup and a comparison. The cost per byte
// is therefore the same for 1 or 1000 patterns; only the false-hit rate of
// the filter (about one position in 80 at 100 secrets) grows. A matcher is
// immutable once built and is shared by all goroutines.
//
// Adding patterns builds a new matcher that shares all but a few parts with
// the old one, so that adding one secret costs about the same however many
// are registered: the filter is copied (8 KiB), and so is the top level of
// each table (8 KiB each), but only the leaves and buckets that the new
// patterns touch are copied below it. A bucket keeps its patterns in a few
// sorted runs that are merged like the digits of a binary counter, so that
// even a 4-gram that every secret shares ("secr") costs logarithmic time
// per Add.

const (
	filterBits  = 16
	filterWords = 1 << filterBits / 64
	tableBits   = 10
)

// matcher is an immutable multi-pattern matcher.
type matcher struct {
	filter  [filterWords]uint64
	buckets *table[bucket]
	// prefix holds every 1–3 byte prefix of a pattern or detector trigger,
	// packed by pack; a Writer holds back a tail found here.
	prefix *table[struct{}]
	maxLen int
}

// bucket lists what starts with one 4-byte sequence.
type bucket struct {
	// runs hold the patterns, each run sorted longest first, the runs by
	// decreasing size (each at least as long as the next one's double
	// would be, before a merge). Runs are never modified once built.
	runs [][]string
	det  Detector // detectors triggered here
}

// table is a persistent map from uint32 keys to values: an array of leaves
// indexed by the key's hash, each a slice sorted by key. A published table
// and its leaves are never modified; a tableBuilder copies what it changes.
type table[V any] struct {
	leaves [1 << tableBits]*leaf[V]
}

type leaf[V any] struct{ ents []entry[V] }

type entry[V any] struct {
	k uint32
	v V
}

func slot(k uint32) uint32 { return filterIndex(k) >> (filterBits - tableBits) }

func (e entry[V]) cmp(k uint32) int { return cmp.Compare(e.k, k) }

// get returns the value of k, or nil.
func (t *table[V]) get(k uint32) *V {
	l := t.leaves[slot(k)]
	if l == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(l.ents, k, entry[V].cmp)
	if !ok {
		return nil
	}
	return &l.ents[i].v
}

// tableBuilder builds a new table from an old one, copying each leaf it
// changes once.
type tableBuilder[V any] struct {
	t     *table[V]
	fresh [1 << tableBits / 64]uint64 // leaves already copied
}

func newTableBuilder[V any](old *table[V]) *tableBuilder[V] {
	b := &tableBuilder[V]{t: new(table[V])}
	if old != nil {
		*b.t = *old
	}
	return b
}

// set sets k to f of its current value (and whether it had one).
func (b *tableBuilder[V]) set(k uint32, f func(v V, ok bool) V) {
	s := slot(k)
	if b.fresh[s>>6]&(1<<(s&63)) == 0 {
		l := &leaf[V]{}
		if old := b.t.leaves[s]; old != nil {
			l.ents = slices.Clone(old.ents)
		}
		b.t.leaves[s] = l
		b.fresh[s>>6] |= 1 << (s & 63)
	}
	l := b.t.leaves[s]
	i, ok := slices.BinarySearchFunc(l.ents, k, entry[V].cmp)
	if ok {
		l.ents[i].v = f(l.ents[i].v, true)
		return
	}
	var zero V
	l.ents = slices.Insert(l.ents, i, entry[V]{k, f(zero, false)})
}

// span is the half-open byte range [start, end) to mask.
type span struct{ start, end int }

func load32[T ~string | ~[]byte](s T, i int) uint32 {
	b := s[i : i+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func filterIndex(k uint32) uint32 { return (k * 0x9E3779B1) >> (32 - filterBits) }

// pack packs a 1–3 byte string and its length into a uint32.
func pack[T ~string | ~[]byte](s T) uint32 {
	k := uint32(len(s)) << 24
	for i := 0; i < len(s); i++ {
		k |= uint32(s[i]) << (8 * i)
	}
	return k
}

// longestFirst orders patterns by decreasing length, then bytes.
func longestFirst(x, y string) int {
	return cmp.Or(cmp.Compare(len(y), len(x)), strings.Compare(x, y))
}

// with returns a matcher that also finds pats (each at least 4 bytes); m
// may be nil. It shares what it does not change with m.
func (m *matcher) with(pats []string) *matcher {
	nm := &matcher{}
	var oldB *table[bucket]
	var oldP *table[struct{}]
	if m != nil {
		nm.filter, nm.maxLen, oldB, oldP = m.filter, m.maxLen, m.buckets, m.prefix
	}
	bb, pb := newTableBuilder(oldB), newTableBuilder(oldP)
	byGram := make(map[uint32][]string)
	for _, p := range pats {
		if len(p) < MinSecretLen {
			continue
		}
		k := load32(p, 0)
		byGram[k] = append(byGram[k], p)
		nm.maxLen = max(nm.maxLen, len(p))
		for n := 1; n <= 3 && n < len(p); n++ {
			if k := pack(p[:n]); oldP == nil || oldP.get(k) == nil {
				pb.set(k, func(struct{}, bool) struct{} { return struct{}{} })
			}
		}
	}
	for k, run := range byGram {
		slices.SortFunc(run, longestFirst)
		run = slices.Clip(slices.Compact(run))
		bb.set(k, func(b bucket, _ bool) bucket {
			b.runs = addRun(b.runs, run)
			return b
		})
		h := filterIndex(k)
		nm.filter[h>>6] |= 1 << (h & 63)
	}
	nm.buckets, nm.prefix = bb.t, pb.t
	return nm
}

// addRun returns runs with run added, merging the last runs while the one
// before is not longer than the last, as a binary counter carries. runs is
// not modified.
func addRun(runs [][]string, run []string) [][]string {
	out := append(slices.Clip(runs), run)
	for n := len(out); n >= 2 && len(out[n-2]) <= len(out[n-1]); n = len(out) {
		out = append(out[:n-2], mergeRuns(out[n-2], out[n-1]))
	}
	return out
}

// mergeRuns merges two sorted runs into a new one, without duplicates.
func mergeRuns(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	for len(a) > 0 || len(b) > 0 {
		var c int
		switch {
		case len(a) == 0:
			c = 1
		case len(b) == 0:
			c = -1
		default:
			c = longestFirst(a[0], b[0])
		}
		switch {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return out
}

// baseMatcher matches the detector triggers only; it serves an empty
// registry, and every other matcher is built on it.
var baseMatcher = sync.OnceValue(func() *matcher {
	m := (*matcher)(nil).with(nil)
	bb, pb := newTableBuilder(m.buckets), newTableBuilder(m.prefix)
	for _, t := range triggers() {
		k := load32(t.gram, 0)
		bb.set(k, func(b bucket, _ bool) bucket {
			b.det |= t.det
			return b
		})
		h := filterIndex(k)
		m.filter[h>>6] |= 1 << (h & 63)
		for n := 1; n <= 3; n++ {
			pb.set(pack(t.gram[:n]), func(struct{}, bool) struct{} { return struct{}{} })
		}
	}
	m.buckets, m.prefix = bb.t, pb.t
	return m
})

// scan returns the merged, sorted ranges of s to mask, appended to spans.
// With final false, it also returns the smallest index from which a match
// could continue past the end of s (len(s) if none): a Writer holds that
// tail back until more bytes or Flush arrive.
func scan[T ~string | ~[]byte](m *matcher, s T, det Detector, final bool, spans []span) ([]span, int) {
	n := len(s)
	pending := n
	first := len(spans)
	// Triggers before jwtTo lie in a base64url run already measured, and
	// triggers before pemTo in text that pemBlocks already walked: running
	// the detector again could find nothing new, and would make a run of
	// hostile triggers cost quadratic time.
	jwtTo, pemTo := 0, 0
	for i := 0; i+4 <= n; i++ {
		k := load32(s, i)
		h := filterIndex(k)
		if m.filter[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		b := m.buckets.get(k)
		if b == nil {
			continue
		}
		// The longest pattern that matches at i, the longest of each run.
		best := 0
		for _, run := range b.runs {
			for _, p := range run {
				if len(p) <= best {
					break
				}
				if len(p) <= n-i {
					if hasPrefix(s[i:], p) {
						best = len(p)
						break
					}
				} else if !final && i < pending && hasPrefix(p, s[i:]) {
					pending = i
				}
			}
		}
		if best > 0 {
			spans = append(spans, span{i, i + best})
		}
		d := b.det & det
		switch {
		case d == 0:
		case d&DetectJWT != 0:
			if i < jwtTo {
				break
			}
			sp, ok, open, to := detectJWT(s, i, final)
			jwtTo = to
			if ok {
				spans = append(spans, sp)
			}
			if open {
				pending = min(pending, i)
			}
		case d&DetectPEMPrivateKey != 0:
			if i < pemTo {
				break
			}
			var p int
			spans, p = pemBlocks(s, i, final, spans, nil)
			pending = min(pending, p)
			pemTo = n
		default:
			sp, ok, open := detectAt(s, i, d, final)
			if ok {
				spans = append(spans, sp)
			}
			if open {
				pending = min(pending, i)
			}
		}
	}
	if det&DetectAWSSecretKey != 0 {
		var p int
		spans, p = awsSecretKeys(s, final, spans)
		pending = min(pending, p)
	}
	if !final {
		for j := max(0, n-3); j < n && j < pending; j++ {
			if m.prefix.get(pack(s[j:])) != nil {
				pending = j
				break
			}
		}
	}
	return mergeSpans(spans, first), pending
}

// tail returns the smallest index i of s such that s[i:] is a proper prefix
// of a pattern (or of a detector trigger), or len(s) if there is none. It
// looks at the last maxLen-1 bytes of s only.
func (m *matcher) tail(s []byte) int {
	n := len(s)
	for i := max(0, n-max(m.maxLen-1, 3)); i < n; i++ {
		if n-i < 4 {
			if m.prefix.get(pack(s[i:])) != nil {
				return i
			}
			continue
		}
		if b := m.buckets.get(load32(s, i)); b != nil {
			for _, run := range b.runs {
				for _, p := range run {
					if len(p) > n-i && hasPrefix(p, s[i:]) {
						return i
					}
				}
			}
		}
	}
	return n
}

// mergeSpans sorts spans[first:] and merges the ranges that overlap.
func mergeSpans(spans []span, first int) []span {
	sp := spans[first:]
	if len(sp) < 2 {
		return spans
	}
	slices.SortFunc(sp, func(a, b span) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end)) })
	out := sp[:1]
	for _, x := range sp[1:] {
		last := &out[len(out)-1]
		if x.start < last.end {
			last.end = max(last.end, x.end)
			continue
		}
		out = append(out, x)
	}
	return spans[:first+len(out)]
}

// hasPrefix reports whether s starts with p.
func hasPrefix[T, P ~string | ~[]byte](s T, p P) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if s[i] != p[i] {
			return false
		}
	}
	return true
}

// clean reports whether s certainly holds nothing to mask: no position of s
// passes the filter, and s is too short to hold an AWS secret key. It is the
// fast path for the short, clean strings that make up most log records.
func clean[T ~string | ~[]byte](m *matcher, s T, det Detector) bool {
	if det&DetectAWSSecretKey != 0 && len(s) >= 40 {
		return false
	}
	f := &m.filter
	bit := func(h uint32) uint64 { return f[h>>6] >> (h & 63) }
	// Four positions per 8-byte load.
	for ; len(s) >= 8; s = s[4:] {
		b := s[:8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if (bit(filterIndex(uint32(w)))|bit(filterIndex(uint32(w>>8)))|
			bit(filterIndex(uint32(w>>16)))|bit(filterIndex(uint32(w>>24))))&1 != 0 {
			return false
		}
	}
	for ; len(s) >= 4; s = s[1:] {
		h := filterIndex(uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24)
		if m.filter[h>>6]&(1<<(h&63)) != 0 {
			return false
		}
	}
	return true
}

// scrubString masks the ranges that scan finds in s. It returns s itself and
// false when there is nothing to mask.
func (m *matcher) scrubString(s, mask string, det Detector) (string, bool) {
	if len(s) < MinSecretLen || clean(m, s, det) {
		return s, false
	}
	var buf [8]span
	spans, _ := scan(m, s, det, true, buf[:0])
	if len(spans) == 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s) + len(spans)*len(mask))
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp.start])
		b.WriteString(mask)
		at = sp.end
	}
	b.WriteString(s[at:])
	return b.String(), true
}

// scrubBytes is scrubString for a byte slice; it returns a new slice when
// something was masked, and b itself otherwise.
func (m *matcher) scrubBytes(b []byte, mask string, det Detector) ([]byte, bool) {
	if len(b) < MinSecretLen || clean(m, b, det) {
		return b, false
	}
	var buf [8]span
	spans, _ := scan(m, b, det, true, buf[:0])
	if len(spans) == 0 {
		return b, false
	}
	return appendMasked(make([]byte, 0, len(b)+len(spans)*len(mask)), b, spans, mask), true
}

// appendMasked appends b to dst with every span replaced by mask.
func appendMasked(dst, b []byte, spans []span, mask string) []byte {
	at := 0
	for _, sp := range spans {
		dst = append(dst, b[at:sp.start]...)
		dst = append(dst, mask...)
		at = sp.end
	}
	return append(dst, b[at:]...)
}

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

const (
	filterBits  = 16
	filterWords = 1 << filterBits / 64
)

// matcher is an immutable multi-pattern matcher.
type matcher struct {
	filter  [filterWords]uint64
	buckets map[uint32]bucket
	// prefix holds every 1–3 byte prefix of a pattern or detector trigger,
	// packed by pack; a Writer holds back a tail found here.
	prefix map[uint32]struct{}
	maxLen int
}

// bucket lists what starts with one 4-byte sequence.
type bucket struct {
	pats []string // longest first
	det  Detector // detectors triggered here
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

// newMatcher builds a matcher for pats (each at least 4 bytes) plus the
// detector triggers.
func newMatcher(pats []string) *matcher {
	m := &matcher{buckets: make(map[uint32]bucket), prefix: make(map[uint32]struct{})}
	addPrefixes := func(p string) {
		for n := 1; n <= 3 && n < len(p); n++ {
			m.prefix[pack(p[:n])] = struct{}{}
		}
	}
	for _, p := range pats {
		if len(p) < MinSecretLen {
			continue
		}
		k := load32(p, 0)
		b := m.buckets[k]
		if slices.Contains(b.pats, p) {
			continue
		}
		b.pats = append(b.pats, p)
		m.buckets[k] = b
		m.maxLen = max(m.maxLen, len(p))
		addPrefixes(p)
	}
	for k, b := range m.buckets {
		slices.SortFunc(b.pats, func(x, y string) int {
			return cmp.Or(cmp.Compare(len(y), len(x)), strings.Compare(x, y))
		})
		m.buckets[k] = b
	}
	for _, t := range triggers() {
		k := load32(t.gram, 0)
		b := m.buckets[k]
		b.det |= t.det
		m.buckets[k] = b
		addPrefixes(t.gram)
	}
	for k := range m.buckets {
		h := filterIndex(k)
		m.filter[h>>6] |= 1 << (h & 63)
	}
	return m
}

// baseMatcher matches the detector triggers only; it serves an empty
// registry.
var baseMatcher = sync.OnceValue(func() *matcher { return newMatcher(nil) })

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
		b, ok := m.buckets[k]
		if !ok {
			continue
		}
		for _, p := range b.pats {
			if len(p) <= n-i {
				if hasPrefix(s[i:], p) {
					spans = append(spans, span{i, i + len(p)})
					break
				}
			} else if !final && i < pending && hasPrefix(p, s[i:]) {
				pending = i
			}
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
			if _, ok := m.prefix[pack(s[j:])]; ok {
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
			if _, ok := m.prefix[pack(s[i:])]; ok {
				return i
			}
			continue
		}
		for _, p := range m.buckets[load32(s, i)].pats {
			if len(p) > n-i && hasPrefix(p, s[i:]) {
				return i
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

package redact

import (
	"bytes"
	"io"
	"sync"
)

// maxHold bounds the bytes a Writer holds back waiting for the rest of a
// possible detector match. A longer candidate is judged as it stands (a PEM
// block without its END line is masked to the end: the Writer fails closed),
// except for a tail that could still begin a registered value, which is
// held.
const maxHold = 64 << 10

// A Writer stops rescanning the held tail on every Write once it holds
// deferHold bytes: it waits until the tail has grown by a quarter, or until
// a Write brings a newline, so that line-oriented output is not delayed.
// Inside an open private key block of deferHoldPEM bytes or more (longer
// than any real key), newlines do not count. Each byte is then scanned a
// bounded number of times however small the writes.
const (
	deferHold    = 1 << 10
	deferHoldPEM = 8 << 10
)

// Writer scrubs raw bytes on their way to another writer. Use it for output
// that does not go through slog: the standard log package (log.SetOutput),
// fmt.Fprint to a shared stream, or a child process's output.
//
// Writer masks registered secrets (in every form listed on [Registry]) and
// the credentials of the enabled detectors; it does not know attribute keys.
// A secret may be split across Write calls: Write passes on at once
// everything that cannot be the start of a secret, and holds back only the
// tail that could be, usually nothing for writes that end in a newline, as
// log.Logger's do. The held tail goes out with the next Write that resolves
// it, or with Flush or Close. While it holds 1 KiB or more, a Writer
// rescans the tail only when a Write brings a newline or the tail has grown
// by a quarter, so that even one-byte writes cost linear time. Call Close (or Flush) before the process or the
// Lambda invocation ends, so that the last bytes are not lost.
//
// A Writer is safe for concurrent use; each Write is scrubbed and passed on
// whole, under a lock, so concurrent writes do not interleave.
type Writer struct {
	cfg     *config
	mu      sync.Mutex
	w       io.Writer
	pending []byte // held-back tail
	// masked is how many bytes at the start of pending a match already
	// written out (as the mask) covers: they are masked again, without a
	// second mask, whatever the next scan finds.
	masked int
	// unscanned counts the bytes at the end of pending that Write appended
	// without scanning (see deferHold).
	unscanned int
	// pemEnds lists the END lines of private key blocks whose body was
	// masked to the end of what was written out (past the hold limit, or
	// at Flush): everything up to and including them is swallowed.
	pemEnds []string
	buf     []byte // scratch for the scrubbed output
	spans   []span
	closed  bool
}

// NewWriter returns a [Writer] that scrubs what it passes on to w, with the
// options [WithRegistry], [WithMask] and [WithoutDetectors].
func NewWriter(w io.Writer, opts ...WriterOption) *Writer {
	return &Writer{cfg: newConfig(writerOptions(opts)), w: w}
}

// Write scrubs p and passes on to the underlying writer every byte that can
// no longer be part of a secret. It returns len(p) once the underlying write
// succeeded, even if it held back a tail; on an underlying error it returns
// 0 and the error, and drops nothing that was held before.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	held := len(w.pending)
	if held >= deferHold && len(w.pemEnds) == 0 && 4*(w.unscanned+len(p)) < held &&
		(bytes.IndexByte(p, '\n') < 0 || held >= deferHoldPEM && bytes.HasPrefix(w.pending, []byte(pemBegin))) {
		// Holding more is always safe: the next scan sees these bytes as
		// if they had come with it.
		w.pending = append(w.pending, p...)
		w.unscanned += len(p)
		return len(p), nil
	}
	w.unscanned = 0
	in := p
	if held > 0 {
		in = append(w.pending, p...)
	}
	oldEnds := w.pemEnds
	if len(w.pemEnds) > 0 {
		at, done := w.skipPEM(in)
		if !done {
			// Still inside the key: keep only what may start its END line.
			w.pending = append(w.pending[:0], in[at:]...)
			return len(p), nil
		}
		in = in[at:]
	}
	m := w.cfg.reg.matcher()
	spans, cut := scan(m, in, w.cfg.det, false, w.spans[:0])
	forced := len(in)-cut > maxHold
	var ends []string
	if forced {
		// Judge the candidates as they stand, but keep back the tail that
		// a registered value (or a detector's trigger) could still
		// continue: it is shorter than the longest pattern, and releasing
		// it would let the value out in two parts. A private key masked to
		// the end swallows everything up to its END line instead.
		spans, _ = scan(m, in, w.cfg.det, true, spans[:0])
		ends = w.openPEM(in)
		cut = len(in)
		if len(ends) == 0 {
			cut = m.tail(in)
		}
	}
	spans, cont := w.carry(spans)
	// Emit what ends before cut. A range that straddles cut is cut in two:
	// its first part goes out masked now, and the held bytes it covers are
	// remembered as masked, so they are never rescanned as candidates of
	// their own and never leak.
	masked := 0
	for i, sp := range spans {
		if sp.end > cut {
			if sp.start < cut {
				masked = sp.end - cut
				spans[i].end = cut
				i++
			}
			spans = spans[:i]
			break
		}
	}
	w.buf = appendMaskedCont(w.buf[:0], in[:cut], spans, w.cfg.mask, cont)
	w.spans = spans[:0]
	if len(w.buf) > 0 {
		if _, err := w.w.Write(w.buf); err != nil {
			w.pending = w.pending[:held]
			w.pemEnds = oldEnds
			return 0, err
		}
	}
	w.masked = masked
	w.pending = append(w.pending[:0], in[cut:]...)
	if forced {
		w.pemEnds = ends
	}
	return len(p), nil
}

// openPEM returns the END lines of the private key blocks left open at the
// end of in, which a final scan masked to the end.
func (w *Writer) openPEM(in []byte) []string {
	if w.cfg.det&DetectPEMPrivateKey == 0 {
		return nil
	}
	var ends []string
	pemBlocks(in, 0, true, nil, &ends)
	return ends
}

// skipPEM looks in in for the END lines of w.pemEnds, drops those it finds,
// and returns the index after the last one found. done is false while a
// block is still open; at is then where a possible partial END line begins.
func (w *Writer) skipPEM(in []byte) (at int, done bool) {
	var rest []string
	longest := 0
	for _, e := range w.pemEnds {
		if k := bytes.Index(in, []byte(e)); k >= 0 {
			at = max(at, k+len(e))
			continue
		}
		rest = append(rest, e)
		longest = max(longest, len(e))
	}
	w.pemEnds = rest
	if len(rest) == 0 {
		return at, true
	}
	return max(at, len(in)-(longest-1)), false
}

// carry adds to spans the range of held bytes that an earlier write already
// masked, and reports whether the first span continues that mask.
func (w *Writer) carry(spans []span) ([]span, bool) {
	if w.masked == 0 {
		return spans, false
	}
	spans = append(spans, span{0, w.masked})
	return mergeSpans(spans, 0), true
}

// appendMaskedCont is appendMasked, except that with cont a first span at
// offset 0 continues a mask already written and adds no second one.
func appendMaskedCont(dst, b []byte, spans []span, mask string, cont bool) []byte {
	if cont && len(spans) > 0 && spans[0].start == 0 {
		at := spans[0].end
		return appendMasked(dst, b[at:], shift(spans[1:], at), mask)
	}
	return appendMasked(dst, b, spans, mask)
}

// shift moves spans, in place, d bytes to the left.
func shift(spans []span, d int) []span {
	for i := range spans {
		spans[i].start -= d
		spans[i].end -= d
	}
	return spans
}

// Flush scrubs and passes on the held-back tail, treating it as the end of
// the stream: a partial candidate is judged as it stands.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.flush()
}

func (w *Writer) flush() error {
	if len(w.pemEnds) > 0 {
		// The held bytes are key material; later writes stay masked up
		// to the END line.
		w.pending = w.pending[:0]
		return nil
	}
	if len(w.pending) == 0 {
		return nil
	}
	spans, _ := scan(w.cfg.reg.matcher(), w.pending, w.cfg.det, true, w.spans[:0])
	spans, cont := w.carry(spans)
	w.buf = appendMaskedCont(w.buf[:0], w.pending, spans, w.cfg.mask, cont)
	w.spans = spans[:0]
	if len(w.buf) > 0 {
		if _, err := w.w.Write(w.buf); err != nil {
			return err
		}
	}
	w.pemEnds = w.openPEM(w.pending)
	w.pending = w.pending[:0]
	w.masked = 0
	w.unscanned = 0
	return nil
}

// Close flushes the held-back tail and makes later writes fail with
// [ErrClosed]. It does not close the underlying writer, which is often
// os.Stdout or os.Stderr. Closing twice returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	err := w.flush()
	w.closed = true
	return err
}

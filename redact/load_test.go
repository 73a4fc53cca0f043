package redact_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/seclambda/seclambda/redact"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// TestRegistryGrowthLoad is the load goal of issue 14: 8 goroutines log
// through shared JSON and text handlers, loggers derived before any secret
// was registered, and a shared Writer, while the registry grows one Add at a
// time. Each record notes how many Adds had returned before it was written;
// none of those values may appear in it, in any form the registry lists.
// Values added later may appear. Run it with -race.
func TestRegistryGrowthLoad(t *testing.T) {
	const (
		goroutines = 8
		records    = 120 // per goroutine and path
		nSecrets   = 240
	)
	secrets := make([]string, nSecrets)
	for i := range secrets {
		switch i % 3 {
		case 0:
			secrets[i] = fmt.Sprintf("load-%03d-%08x", i, uint32(i)*2654435761)
		case 1:
			secrets[i] = fmt.Sprintf("Sup3r&<%03d>\"pw\"", i) // escaped by every JSON encoder
		default:
			secrets[i] = fmt.Sprintf("tok%03d-%x", i, i*7919)
		}
	}
	reg := redact.NewRegistry()
	var jsonOut, textOut, rawOut lockedBuffer
	jsonLog := slog.New(redact.NewHandler(slog.NewJSONHandler(&jsonOut, nil), redact.WithRegistry(reg)))
	textLog := slog.New(redact.NewHandler(slog.NewTextHandler(&textOut, nil), redact.WithRegistry(reg)))
	raw := redact.NewWriter(&rawOut, redact.WithRegistry(reg))

	var added, logged atomic.Int64
	addedAt := make([][]int64, goroutines) // per goroutine and sequence number
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, s := range secrets {
			// Pace the Adds by the records written, so that they interleave.
			for logged.Load() < int64(4*i) {
				select {
				case <-done:
				default:
					runtime.Gosched()
					continue
				}
				break
			}
			if err := reg.Add(s); err != nil {
				t.Error(err)
			}
			added.Store(int64(i + 1))
		}
	}()
	var lw sync.WaitGroup
	for g := range goroutines {
		// Derived before any secret is registered, holding secrets that
		// will be: their WithAttrs must be masked once those are added.
		child := jsonLog.With("pre", secrets[g]).WithGroup("grp").With("pre2", secrets[g+goroutines])
		textChild := textLog.With("pre", secrets[g])
		addedAt[g] = make([]int64, records)
		lw.Add(1)
		go func() {
			defer lw.Done()
			for seq := range records {
				a := added.Load()
				addedAt[g][seq] = a
				// The newest value added and the next one, which may or may
				// not be registered yet.
				s, next := secrets[max(a-1, 0)], secrets[min(a, nSecrets-1)]
				body, _ := json.Marshal(map[string]string{"p": s, "q": next})
				jsonLog.Info("rec "+s, "g", g, "seq", seq, "v", s, "next", next, "err", errors.New("bad "+s),
					"body", string(body), "raw", []byte(s), "cfg", struct{ User, Pass string }{"bob", s})
				child.Info("child", "g", g, "seq", seq, "v", next)
				textLog.Info("rec", "g", g, "seq", seq, "v", s, "cfg", struct {
					User    string
					Payload []byte
				}{"bob", body})
				textChild.Info("child", "g", g, "seq", seq, "v", next)
				fmt.Fprintf(raw, "g=%d seq=%d v=%s body=%s next=%s\n", g, seq, s, body, next)
				logged.Add(1)
			}
		}()
	}
	lw.Wait()
	close(done)
	wg.Wait()
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	if added.Load() < nSecrets/2 {
		t.Logf("only %d of %d values were added while logging", added.Load(), nSecrets)
	}

	keyed := regexp.MustCompile(`\bg=(\d+) seq=(\d+)\b`)
	forms := make([][]string, nSecrets)
	for i, s := range secrets {
		forms[i] = encodedForms(s)
	}
	check := func(path, line string, g, seq int) {
		t.Helper()
		for i, s := range secrets[:addedAt[g][seq]] {
			for _, f := range forms[i] {
				if strings.Contains(line, f) {
					t.Fatalf("%s: record %d/%d, written after %d Adds, holds %q (a form of %q):\n%s", path, g, seq, addedAt[g][seq], f, s, line)
				}
			}
		}
	}
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(jsonOut.buf.String()), "\n") {
		var rec struct{ G, Seq int }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("invalid JSON line (%v): %s", err, line)
		}
		// The child's records hold g and seq inside its group.
		var m map[string]any
		_ = json.Unmarshal([]byte(line), &m)
		if grp, ok := m["grp"].(map[string]any); ok {
			rec.G, rec.Seq = int(grp["g"].(float64)), int(grp["seq"].(float64))
		}
		check("JSON handler", line, rec.G, rec.Seq)
		lines++
	}
	for path, out := range map[string]string{"text handler": textOut.buf.String(), "Writer": rawOut.buf.String()} {
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			m := keyed.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s: line without g and seq: %s", path, line)
			}
			g, _ := strconv.Atoi(m[1])
			seq, _ := strconv.Atoi(m[2])
			check(path, line, g, seq)
			lines++
		}
	}
	if want := goroutines * records * 5; lines != want {
		t.Fatalf("checked %d lines, want %d", lines, want)
	}
}

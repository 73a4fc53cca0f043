package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/seclambda/seclambda/redact"
)

// kvHandler is a third-party-style handler: it collects attributes into a map
// and prints it with encoding/json, the way many small slog handlers do, so
// values reach encoding/json with their Go types.
type kvHandler struct {
	mu     *sync.Mutex
	w      *bytes.Buffer
	attrs  []slog.Attr
	groups []string
}

func newKVHandler(w *bytes.Buffer) *kvHandler { return &kvHandler{mu: new(sync.Mutex), w: w} }

func (h *kvHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *kvHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(slices.Clip(h.attrs), nest(h.groups, as)...)
	return &c
}

func (h *kvHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.groups = append(slices.Clip(h.groups), name)
	return &c
}

// nest wraps as in the open groups.
func nest(groups []string, as []slog.Attr) []slog.Attr {
	for i := len(groups) - 1; i >= 0; i-- {
		as = []slog.Attr{{Key: groups[i], Value: slog.GroupValue(as...)}}
	}
	return as
}

func (h *kvHandler) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message, "level": r.Level.String()}
	var rec []slog.Attr
	r.Attrs(func(a slog.Attr) bool { rec = append(rec, a); return true })
	for _, a := range append(slices.Clip(h.attrs), nest(h.groups, rec)...) {
		put(m, a)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.w.Write(append(b, '\n'))
	return nil
}

func put(m map[string]any, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		sub := map[string]any{}
		for _, g := range v.Group() {
			put(sub, g)
		}
		m[a.Key] = sub
		return
	}
	m[a.Key] = v.Any()
}

// assertNoLeak fails if out contains secret.
func assertNoLeak(t *testing.T, out, secret string) {
	t.Helper()
	if strings.Contains(out, secret) {
		t.Fatalf("output leaks the secret %q:\n%s", secret, out)
	}
}

// jsonLines checks that every line of out is a JSON object and returns them.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line is not valid JSON (%v):\n%s", err, line)
		}
		objs = append(objs, m)
	}
	return objs
}

func newReg(t testing.TB, secrets ...string) *redact.Registry {
	t.Helper()
	r := redact.NewRegistry()
	if err := r.Add(secrets...); err != nil {
		t.Fatal(err)
	}
	return r
}

// freshColdStart forgets the first request ID that a NewLogger logger saw,
// now and when t ends: t starts from a cold start and leaves no request ID
// claimed, so that the Examples, which run after the tests, see the
// process's cold start wherever they run.
func freshColdStart(t testing.TB) {
	t.Helper()
	redact.ResetColdStart()
	t.Cleanup(redact.ResetColdStart)
}

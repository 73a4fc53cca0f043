package stack_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seclambda/seclambda/examples/local/stack"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// shared is the one stack that this package's tests use; TestMain stops
// it and scans the functions' complete output.
var shared struct {
	once sync.Once
	s    *stack.Stack
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if s := shared.s; s != nil {
		s.StopFunctions()
		if n, where := s.LeakCount(); n > 0 {
			fmt.Printf("FAIL: decrypted secret found in the functions' complete output %d times (in %v)\n", n, where)
			code = 1
		}
		s.Close()
	}
	os.Exit(code)
}

// start returns the shared stack, starting it on first use. A missing peer
// fails the test when peers are required, and skips it otherwise.
func start(t *testing.T) *stack.Stack {
	t.Helper()
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		shared.s, shared.err = stack.Start(ctx, stack.Options{})
	})
	if errors.Is(shared.err, testpeer.ErrPeerMissing) {
		if testpeer.Required() {
			t.Fatal(shared.err)
		}
		t.Skip(shared.err)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.s
}

// TestScenario runs make demo's scenario: every row must be as expected,
// and no decrypted value may appear in any function's output.
func TestScenario(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows := s.Scenario(ctx)
	var table strings.Builder
	ok := stack.PrintTable(&table, rows)
	if !ok {
		t.Fatalf("scenario rows not as expected:\n%s", table.String())
	}
	t.Logf("\n%s", table.String())
	want := []string{
		"no token", "tampered token", "valid token without the required group", "valid token, CORS headers",
		"preflight from the allowed origin", "preflight from another origin", "missing API key", "exceeded quota",
		"revoked client certificate", "good client certificate", "federated (identity pool) caller",
		"credential rotation during calls", "api uses the rotated credential", "old version is AWSPREVIOUS",
		"raw scan of the notes table", "bob cannot list alice's notes", "bob cannot read alice's note",
		"alice's note moved into bob's partition", "the moved note is not listed",
	}
	have := map[string]bool{}
	for _, r := range rows {
		have[r.Check] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("scenario has no %q row", w)
		}
	}
	if s.UpstreamNotified() == 0 {
		t.Error("the api never reached upstream with its Secrets Manager credential")
	}
	// Log lines reach the buffers asynchronously; TestMain repeats the scan
	// on the complete output.
	if n, where := s.LeakCount(); n > 0 {
		t.Errorf("decrypted secret found in logs %d times (in %v)", n, where)
	}
}

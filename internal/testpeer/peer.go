package testpeer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// installHint is appended to every "peer missing" message.
const installHint = "run `make peers` from the repository root (make test does it for you), " +
	"or set SECLAMBDA_BIN to a directory that holds the peers"

// shared holds the peers that live for the whole test binary. It is the
// harness's only package state and is guarded by mu.
var shared struct {
	mu      sync.Mutex
	main    bool
	kms     *KMS
	cognito *Cognito
	dynamo  *Dynamo
	procs   []*process
}

// startShared returns the peer in *slot, launching it on first use and
// recording its process for [Main] to stop. name is the calling Start
// function, for the error when TestMain does not call Main.
func startShared[P any](tb testing.TB, name string, slot **P, launch func() (*P, *process, error)) *P {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if *slot != nil {
		return *slot
	}
	if !shared.main {
		tb.Fatal("testpeer: " + name + " needs TestMain to call testpeer.Main(m)")
	}
	peer, p, err := launch()
	skipIfMissing(tb, err)
	if err != nil {
		tb.Fatal(err)
	}
	shared.procs = append(shared.procs, p)
	*slot = peer
	return peer
}

// Main runs the tests of m and then stops every shared peer, by PID, before
// the binary exits. Call it from TestMain in every package that uses
// [StartKMS], [StartCognito] or [StartDynamo].
func Main(m *testing.M) {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()
	code := m.Run()
	stopShared()
	os.Exit(code)
}

func stopShared() {
	shared.mu.Lock()
	procs := shared.procs
	shared.procs, shared.kms, shared.cognito, shared.dynamo = nil, nil, nil, nil
	shared.mu.Unlock()
	for _, p := range procs {
		p.stop()
	}
}

// Required reports whether a missing peer must fail the test rather than skip
// it: when CI is set, or SECLAMBDA_REQUIRE_PEERS=1.
func Required() bool {
	return truthy(os.Getenv("CI")) || truthy(os.Getenv("SECLAMBDA_REQUIRE_PEERS"))
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// missing fails or skips tb, as [Required] decides, naming the peer and how
// to install it.
func missing(tb testing.TB, peer, why string) {
	tb.Helper()
	msg := fmt.Sprintf("testpeer: %s is not available (%s); %s", peer, why, installHint)
	if Required() {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// BinDir returns the directory that holds the installed peers: $SECLAMBDA_BIN
// if set, otherwise the first .bin directory found walking up from the
// working directory. It returns "" when there is none.
func BinDir() string {
	if d := os.Getenv("SECLAMBDA_BIN"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(dir, ".bin")
		if fi, err := os.Stat(cand); err == nil && fi.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// lookBin finds an executable peer in [BinDir], then on PATH.
func lookBin(name string) (string, error) {
	if d := BinDir(); d != "" {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found in .bin or on PATH", name)
	}
	return p, nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. Use it
// only for programs that cannot report the port they bound; there is a small
// window in which another process may take it.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testpeer: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is one running peer with its combined output captured.
type process struct {
	name  string
	cmd   *exec.Cmd
	out   *logBuffer
	done  chan struct{}
	err   error  // set before done is closed
	after func() // runs once the process has stopped
}

// start launches bin with args in dir, adding env to the current environment.
func start(name, dir string, env []string, bin string, args ...string) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testpeer: start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitFor waits until the output matches re, returning the first submatch (or
// the whole match), or fails when the process exits or the timeout passes.
func (p *process) waitFor(re *regexp.Regexp, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := re.FindStringSubmatch(p.out.String()); m != nil {
			return m[len(m)-1], nil
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("testpeer: %s exited early (%v); output:\n%s", p.name, p.err, p.out.String())
		case <-deadline.C:
			return "", fmt.Errorf("testpeer: %s not ready after %v; output:\n%s", p.name, timeout, p.out.String())
		case <-tick.C:
		}
	}
}

// waitDial waits until addr accepts TCP connections.
func (p *process) waitDial(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("testpeer: %s exited early (%v); output:\n%s", p.name, p.err, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testpeer: %s not listening on %s after %v; output:\n%s", p.name, addr, timeout, p.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop sends SIGTERM to the peer's PID, then SIGKILL if it has not exited
// within five seconds, and waits for it.
func (p *process) stop() {
	if p.after != nil {
		defer p.after()
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// logBuffer is an io.Writer that keeps everything written to it, safe for
// concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	b.mu.Unlock()
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

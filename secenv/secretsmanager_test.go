package secenv_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

type dbSecrets struct {
	User     secenv.Secret `env:"DB_USER,secretsmanager"`
	Password secenv.Secret `env:"DB_PASS,secretsmanager,required"`
	Port     secenv.Secret `env:"DB_PORT,secretsmanager"`
}

func TestLoadSecretsManager(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	arn, _ := sm.PutString("prod/db", `{"username":"admin","password":"Pa55-w0rd\"<&>","port":5432,"nested":{"a":1},"nothing":null}`)
	sm.PutString("prod/plain", "plain-secret-string")
	sm.PutBinary("prod/bin", []byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01})
	sm.PutBinary("prod/binjson", []byte(`{"k":"from-binary-json"}`))
	tests := []struct {
		name    string
		vars    env
		want    [3]string // User, Password, Port
		wantErr map[string]error
	}{
		{name: "JSON keys by name", vars: env{"DB_USER": "prod/db#username", "DB_PASS": "prod/db#password", "DB_PORT": "prod/db#port"}, want: [3]string{"admin", `Pa55-w0rd"<&>`, "5432"}},
		{name: "JSON key by ARN", vars: env{"DB_PASS": arn + "#password"}, want: [3]string{"", `Pa55-w0rd"<&>`, ""}},
		{name: "JSON object value", vars: env{"DB_PASS": "prod/db#nested"}, want: [3]string{"", `{"a":1}`, ""}},
		{name: "whole string", vars: env{"DB_PASS": "prod/plain"}, want: [3]string{"", "plain-secret-string", ""}},
		{name: "binary", vars: env{"DB_PASS": "prod/bin"}, want: [3]string{"", "\xde\xad\xbe\xef\x00\x01", ""}},
		{name: "binary JSON key", vars: env{"DB_PASS": "prod/binjson#k"}, want: [3]string{"", "from-binary-json", ""}},
		{name: "every failure at once", vars: env{"DB_USER": "prod/db#missing", "DB_PASS": "prod/nope", "DB_PORT": "prod/plain#k"},
			wantErr: map[string]error{"DB_USER": secenv.ErrSecretKey, "DB_PASS": secenv.ErrSecretNotFound, "DB_PORT": secenv.ErrSecretKey}},
		{name: "null key", vars: env{"DB_PASS": "prod/db#nothing"}, wantErr: map[string]error{"DB_PASS": secenv.ErrSecretKey}},
		{name: "bad reference", vars: env{"DB_USER": "#k", "DB_PASS": "prod/db#"}, wantErr: map[string]error{"DB_USER": secenv.ErrInvalid, "DB_PASS": secenv.ErrInvalid}},
		{name: "required", vars: env{}, wantErr: map[string]error{"DB_PASS": secenv.ErrMissing}},
	}
	client := smClient(sm)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := redact.NewRegistry()
			var c dbSecrets
			err := secenv.Load(context.Background(), &c, secenvaws.WithSecretsManager(client), secenv.WithLookup(tt.vars.lookup),
				secenv.WithRegistry(reg), secenv.WithCache(secenv.NewCache()), secenv.WithLogger(nil))
			if tt.wantErr != nil {
				checkFieldErrors(t, err, tt.wantErr)
				for _, leak := range []string{"admin", "Pa55", "plain-secret", "5432"} {
					if strings.Contains(err.Error(), leak) {
						t.Errorf("error %q leaks %q", err, leak)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := [3]string{c.User.Reveal(), c.Password.Reveal(), c.Port.Reveal()}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if len(tt.want[1]) >= redact.MinSecretLen && reg.Scrub(tt.want[1]) != "[REDACTED]" {
				t.Errorf("value not registered")
			}
		})
	}
}

// clock is an injectable clock for cache tests.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }
func newClock() *clock {
	c := &clock{}
	c.now.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func TestSecretsManagerCache(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/cfg", `{"user":"u-one","password":"p-one"}`)
	client := smClient(sm)
	cache := secenv.NewCache()
	clk := newClock()
	vars := env{"DB_USER": "app/cfg#user", "DB_PASS": "app/cfg#password"}
	load := func(t *testing.T, opts ...secenv.Option) dbSecrets {
		t.Helper()
		var c dbSecrets
		opts = append([]secenv.Option{secenvaws.WithSecretsManager(client), secenv.WithLookup(vars.lookup), secenv.WithCache(cache),
			secenv.WithClock(clk.Now), secenv.WithRegistry(redact.NewRegistry())}, opts...)
		if err := secenv.Load(context.Background(), &c, opts...); err != nil {
			t.Fatalf("Load: %v", err)
		}
		return c
	}
	steps := []struct {
		name      string
		advance   time.Duration
		rotate    string
		opts      []secenv.Option
		wantCalls int
		wantPass  string
	}{
		{name: "cold: two keys of one secret, one call", wantCalls: 1, wantPass: "p-one"},
		{name: "warm: cache hit", advance: time.Minute, wantCalls: 1, wantPass: "p-one"},
		{name: "rotated but still fresh", advance: 3 * time.Minute, rotate: `{"user":"u-two","password":"p-two"}`, wantCalls: 1, wantPass: "p-one"},
		{name: "TTL expired: fetched again", advance: time.Minute + time.Second, wantCalls: 2, wantPass: "p-two"},
		{name: "shorter TTL of this call", advance: 2 * time.Minute, opts: []secenv.Option{secenv.WithCacheTTL(time.Minute)}, wantCalls: 3, wantPass: "p-two"},
		{name: "TTL zero means the default", opts: []secenv.Option{secenv.WithCacheTTL(0)}, wantCalls: 3, wantPass: "p-two"},
		// Both keys of one secret share one read per Load, cache or not.
		{name: "no cache", opts: []secenv.Option{secenv.WithCache(nil)}, wantCalls: 4, wantPass: "p-two"},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		if st.rotate != "" {
			sm.PutString("app/cfg", st.rotate)
		}
		c := load(t, st.opts...)
		if got := sm.CallsFor("app/cfg"); got != st.wantCalls {
			t.Errorf("%s: calls = %d, want %d", st.name, got, st.wantCalls)
		}
		if c.Password.Reveal() != st.wantPass {
			t.Errorf("%s: wrong password", st.name)
		}
	}
	if cache.Len() != 1 {
		t.Errorf("cache.Len = %d, want 1", cache.Len())
	}
	cache.Purge()
	load(t)
	if got := sm.CallsFor("app/cfg"); got != 5 {
		t.Errorf("after Purge: calls = %d, want 5", got)
	}
}

func TestSecretsManagerSingleFlight(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("hot", "hot-secret-value")
	sm.SetLatency(20 * time.Millisecond)
	client := smClient(sm)
	cache := secenv.NewCache()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c struct {
				S secenv.Secret `env:"S,secretsmanager"`
			}
			errs[i] = secenv.Load(context.Background(), &c, secenvaws.WithSecretsManager(client), secenv.WithCache(cache),
				secenv.WithLookup(env{"S": "hot"}.lookup), secenv.WithRegistry(redact.NewRegistry()))
			if errs[i] == nil && c.S.Reveal() != "hot-secret-value" {
				errs[i] = errors.New("wrong value")
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := sm.CallsFor("hot"); got != 1 {
		t.Fatalf("8 concurrent loads made %d calls, want 1", got)
	}
}

// TestSecretsManagerCacheBounded checks, against the Secrets Manager peer,
// that a function that builds a client per invocation does not grow the
// cache without bound (it keeps MaxCacheSources clients), that a reused
// client still hits the cache, and that an expired entry is not kept after
// a failed refresh.
func TestSecretsManagerCacheBounded(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("s", "bounded-secret")
	cache := secenv.NewCache()
	clk := newClock()
	reused, last := smClient(sm), (*secretsmanager.Client)(nil)
	perCall := func() *secretsmanager.Client { last = smClient(sm); return last }
	load := func(client *secretsmanager.Client) error {
		var c struct {
			S secenv.Secret `env:"S,secretsmanager"`
		}
		return secenv.Load(context.Background(), &c, secenvaws.WithSecretsManager(client), secenv.WithCache(cache),
			secenv.WithClock(clk.Now), secenv.WithLookup(env{"S": "s"}.lookup), secenv.WithRegistry(redact.NewRegistry()))
	}
	tests := []struct {
		name      string
		client    func() *secretsmanager.Client
		loads     int
		advance   time.Duration
		fault     bool
		wantCalls int // calls made by this step
		wantLen   int
		wantErr   error
	}{
		{name: "reused client: one call", client: func() *secretsmanager.Client { return reused }, loads: 5, wantCalls: 1, wantLen: 1},
		{name: "client per invocation: bounded", client: perCall, loads: 3 * secenv.MaxCacheSources,
			wantCalls: 3 * secenv.MaxCacheSources, wantLen: secenv.MaxCacheSources},
		{name: "expired, refresh fails, entry dropped", client: func() *secretsmanager.Client { return last }, loads: 1,
			advance: secenv.DefaultCacheTTL, fault: true, wantCalls: 3, wantLen: secenv.MaxCacheSources - 1, wantErr: secenv.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Advance(tt.advance)
			if tt.fault {
				sm.Inject(3, testpeer.ThrottlingFault())
			}
			before := sm.CallsFor("s")
			for range tt.loads {
				err := load(tt.client())
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Load: %v, want %v", err, tt.wantErr)
				}
			}
			if got := sm.CallsFor("s") - before; got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			if got := cache.Len(); got > tt.wantLen {
				t.Errorf("cache.Len = %d, want at most %d", got, tt.wantLen)
			}
		})
	}
}

func TestSecretsManagerFaults(t *testing.T) {
	tests := []struct {
		name      string
		fault     testpeer.Fault
		n         int
		wantCalls int
		wantErr   []error
	}{
		{name: "throttling then success", fault: testpeer.ThrottlingFault(), n: 2, wantCalls: 3},
		{name: "5xx then success", fault: testpeer.InternalFault("InternalServiceError"), n: 1, wantCalls: 2},
		{name: "throttled throughout", fault: testpeer.ThrottlingFault(), n: 3, wantCalls: 3, wantErr: []error{secenv.ErrSecretsManager, secenv.ErrUnavailable}},
		{name: "access denied", fault: testpeer.Fault{Status: 400, Code: "AccessDeniedException", Message: "not authorized"}, n: 1, wantCalls: 1, wantErr: []error{secenv.ErrSecretsManager, secenv.ErrSecretNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := testpeer.StartSecretsManager(t)
			sm.PutString("s", "fault-secret")
			sm.Inject(tt.n, tt.fault)
			var c struct {
				S secenv.Secret `env:"S,secretsmanager"`
			}
			err := secenv.Load(context.Background(), &c, secenvaws.WithSecretsManager(smClient(sm)), secenv.WithCache(secenv.NewCache()),
				secenv.WithLookup(env{"S": "s"}.lookup), secenv.WithRegistry(redact.NewRegistry()))
			if got := sm.CallsFor("s"); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Load error = %v, want %v", err, want)
				}
			}
			if tt.wantErr == nil && (err != nil || c.S.Reveal() != "fault-secret") {
				t.Fatalf("Load = %v", err)
			}
		})
	}
}

func TestSecretsExtension(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("ext/db", `{"password":"via-extension"}`)
	base := sm.StartExtension(t, "session-token-1")
	closed := closedURL(t)
	tests := []struct {
		name      string
		ext       secenv.Extension
		vars      env
		withSDK   bool
		wantErr   []error
		wantCalls int
	}{
		{name: "through the extension", ext: secenv.Extension{Endpoint: base}, vars: env{"AWS_SESSION_TOKEN": "session-token-1"}, wantCalls: 1},
		{name: "port from env", vars: env{"AWS_SESSION_TOKEN": "session-token-1", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": portOf(t, base)}, wantCalls: 1},
		{name: "wrong token", ext: secenv.Extension{Endpoint: base}, vars: env{"AWS_SESSION_TOKEN": "stolen"}, wantErr: []error{secenv.ErrSecretsManager}, wantCalls: 0},
		{name: "not running, falls back to the SDK", ext: secenv.Extension{Endpoint: closed}, withSDK: true, wantCalls: 1},
		{name: "not running, no fallback", ext: secenv.Extension{Endpoint: closed, NoFallback: true}, withSDK: true, wantErr: []error{secenv.ErrSecretsManager, secenv.ErrUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sm.CallsFor("ext/db")
			tt.vars = mergeEnv(tt.vars, env{"DB_PASS": "ext/db#password"})
			opts := []secenv.Option{secenv.WithSecretsExtension(tt.ext), secenv.WithLookup(tt.vars.lookup),
				secenv.WithCache(secenv.NewCache()), secenv.WithRegistry(redact.NewRegistry())}
			if tt.withSDK {
				opts = append(opts, secenvaws.WithSecretsManager(smClient(sm)))
			}
			var c struct {
				Pass secenv.Secret `env:"DB_PASS,secretsmanager,required"`
			}
			err := secenv.Load(context.Background(), &c, opts...)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Load error = %v, want %v", err, want)
				}
			}
			if err != nil && strings.Contains(err.Error(), "session-token") {
				t.Errorf("error %q leaks the session token", err)
			}
			if tt.wantErr == nil && (err != nil || c.Pass.Reveal() != "via-extension") {
				t.Fatalf("Load = %v", err)
			}
			if got := sm.CallsFor("ext/db") - before; got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

func mergeEnv(a, b env) env {
	out := env{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// closedURL returns a loopback URL on which nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func portOf(t *testing.T, base string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

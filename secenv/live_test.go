package secenv_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/seclambda/seclambda/internal/testpeer"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
	"github.com/seclambda/seclambda/secenv/secenvssm"
)

func ssmVia(sm *testpeer.SecretsManager) *ssm.Client {
	return sm.NewSSMClient(func(o *ssm.Options) { o.Retryer = noWait() })
}

// calls counts the server's operations since the last snapshot.
type calls struct {
	sm                 *testpeer.SecretsManager
	describe, getValue int
}

func (c *calls) delta() (describe, getValue int) {
	d, g := c.sm.OpCalls("DescribeSecret"), c.sm.OpCalls("GetSecretValue")
	describe, getValue = d-c.describe, g-c.getValue
	c.describe, c.getValue = d, g
	return describe, getValue
}

// TestLiveRotation reads a Live secretsmanager field across a rotation:
// the first Get fetches, warm reads make no call, a refresh that finds the
// version unchanged costs one DescribeSecret and no GetSecretValue, and a
// rotated value is seen once the TTL has run out.
func TestLiveRotation(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/db", `{"username":"app","password":"first-password"}`)
	clk := newClock()
	var cfg struct {
		Pass secenv.Live `env:"DB,secretsmanager,required"`
	}
	reg := redact.NewRegistry()
	err := secenv.Load(context.Background(), &cfg, secenvaws.WithSecretsManager(smClient(sm)),
		secenv.WithLookup(env{"DB": "app/db#password"}.lookup), secenv.WithRegistry(reg),
		secenv.WithCache(secenv.NewCache()), secenv.WithClock(clk.Now), secenv.WithCacheTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c := &calls{sm: sm}
	if d, g := c.delta(); d != 0 || g != 0 {
		t.Fatalf("Load fetched a Live value (%d DescribeSecret, %d GetSecretValue): it must wait for first use", d, g)
	}
	ctx := context.Background()
	get := func(want string) {
		t.Helper()
		s, err := cfg.Pass.Get(ctx)
		if err != nil || s.Reveal() != want {
			t.Fatalf("Get = %v, want the %s value", err, want)
		}
	}
	tests := []struct {
		name            string
		advance         time.Duration
		rotate          string
		want            string
		describe, value int
	}{
		{name: "first use", want: "first-password", value: 1},
		{name: "warm read", advance: 20 * time.Second, want: "first-password"},
		{name: "rotated but fresh", rotate: "second-password", want: "first-password"},
		{name: "due: new version", advance: 61 * time.Second, want: "second-password", describe: 1, value: 1},
		{name: "due: unchanged", advance: 61 * time.Second, want: "second-password", describe: 1},
		{name: "warm again", want: "second-password"},
	}
	for _, tt := range tests {
		clk.Advance(tt.advance)
		if tt.rotate != "" {
			sm.PutString("app/db", `{"username":"app","password":"`+tt.rotate+`"}`)
		}
		get(tt.want)
		if d, g := c.delta(); d != tt.describe || g != tt.value {
			t.Errorf("%s: %d DescribeSecret and %d GetSecretValue, want %d and %d", tt.name, d, g, tt.describe, tt.value)
		}
	}
	for _, v := range []string{"first-password", "second-password"} {
		if reg.Scrub("x "+v) != "x [REDACTED]" {
			t.Errorf("a fetched value is not registered with redact")
		}
	}
	b, _ := cfg.Pass.MarshalJSON()
	for _, s := range []string{cfg.Pass.String(), fmt.Sprintf("%v %+v %#v", cfg.Pass, cfg, cfg), string(b)} {
		if strings.Contains(s, "password") || !strings.Contains(s, redact.DefaultMask) {
			t.Errorf("a Live prints %q", s)
		}
	}
}

// TestLiveStaleOnError checks that a failed refresh serves the value it
// has, backs off, reports the error through OnError, and gives up after
// MaxStale; and that a value never fetched is an error.
func TestLiveStaleOnError(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/key", "stale-but-good")
	clk := newClock()
	var hooked []string
	var mu sync.Mutex
	cache, err := secenv.NewCacheFrom(secenv.CacheConfig{
		MaxStale: 10 * time.Minute, MaxBackoff: 8 * time.Second,
		OnError: func(_ context.Context, id string, err error) {
			mu.Lock()
			hooked = append(hooked, id)
			mu.Unlock()
			if !errors.Is(err, secenv.ErrUnavailable) && !errors.Is(err, secenv.ErrSecretNotFound) {
				t.Errorf("OnError got %v", err)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Key     secenv.Live `env:"KEY,secretsmanager"`
		Missing secenv.Live `env:"MISSING,secretsmanager"`
		Unset   secenv.Live `env:"UNSET,secretsmanager"`
	}
	if err := secenv.Load(context.Background(), &cfg, secenvaws.WithSecretsManager(smClient(sm)),
		secenv.WithLookup(env{"KEY": "app/key", "MISSING": "app/missing"}.lookup), secenv.WithRegistry(redact.NewRegistry()),
		secenv.WithCache(cache), secenv.WithClock(clk.Now), secenv.WithCacheTTL(time.Minute)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cfg.Unset.Get(ctx); !errors.Is(err, secenv.ErrNotLoaded) || cfg.Unset.IsSet() {
		t.Fatalf("Get of an unset Live = %v, want ErrNotLoaded", err)
	}
	s, err := cfg.Missing.Get(ctx)
	var fe *secenv.FieldError
	if !errors.Is(err, secenv.ErrSecretNotFound) || s.IsSet() || !errors.As(err, &fe) || fe.Var != "MISSING" {
		t.Fatalf("Get of a secret that does not exist = %v, want ErrSecretNotFound naming MISSING and no value", err)
	}
	if _, err := cfg.Key.Get(ctx); err != nil {
		t.Fatal(err)
	}

	c := &calls{sm: sm}
	c.delta()
	clk.Advance(2 * time.Minute)
	sm.Inject(3, testpeer.InternalFault("InternalServiceError")) // the SDK's three attempts
	s, err = cfg.Key.Get(ctx)
	if err != nil || s.Reveal() != "stale-but-good" {
		t.Fatalf("Get during an outage = %v, want the stale value", err)
	}
	if len(hooked) != 2 || hooked[0] != "app/missing" || hooked[1] != "app/key" {
		t.Fatalf("OnError calls %v, want app/missing (never fetched) then app/key", hooked)
	}
	// Backing off: the next reads within a second make no call.
	c.delta()
	clk.Advance(500 * time.Millisecond)
	if s, err := cfg.Key.Get(ctx); err != nil || s.Reveal() != "stale-but-good" {
		t.Fatalf("Get while backing off = %v", err)
	}
	if d, g := c.delta(); d+g != 0 {
		t.Errorf("a read while backing off made %d calls", d+g)
	}
	// The outage outlasts MaxStale: the value is no longer served.
	for range 12 {
		clk.Advance(time.Minute)
		sm.Inject(3, testpeer.InternalFault("InternalServiceError"))
		_, err = cfg.Key.Get(ctx)
		if err != nil {
			break
		}
	}
	if !errors.Is(err, secenv.ErrUnavailable) {
		t.Fatalf("Get past MaxStale = %v, want ErrUnavailable", err)
	}
	// Recovery.
	clk.Advance(time.Minute)
	if s, err := cfg.Key.Get(ctx); err != nil || s.Reveal() != "stale-but-good" {
		t.Fatalf("Get after the outage = %v", err)
	}
}

// TestLiveRefused checks the refresh-on-authentication-failure helper: a
// refused credential is refreshed at once, at most once per interval, and
// Do retries once with the new value.
func TestLiveRefused(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/token", "token-one-1111")
	clk := newClock()
	var cfg struct {
		Token secenv.Live `env:"TOKEN,secretsmanager"`
	}
	if err := secenv.Load(context.Background(), &cfg, secenvaws.WithSecretsManager(smClient(sm)),
		secenv.WithLookup(env{"TOKEN": "app/token"}.lookup), secenv.WithRegistry(redact.NewRegistry()),
		secenv.WithCache(secenv.NewCache()), secenv.WithClock(clk.Now), secenv.WithCacheTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cfg.Token.Get(ctx); err != nil {
		t.Fatal(err)
	}
	sm.PutString("app/token", "token-two-2222") // rotated: the upstream now wants the new one
	errRefused := errors.New("401")
	upstream := func(s secenv.Secret) error {
		if s.Reveal() != "token-two-2222" {
			return errRefused
		}
		return nil
	}
	c := &calls{sm: sm}
	c.delta()
	if err := cfg.Token.Do(ctx, func(err error) bool { return errors.Is(err, errRefused) }, upstream); err != nil {
		t.Fatalf("Do across a rotation = %v, want success after one refresh", err)
	}
	if d, g := c.delta(); d != 1 || g != 1 {
		t.Errorf("the refresh made %d DescribeSecret and %d GetSecretValue calls, want 1 and 1", d, g)
	}
	// Rate limit: a second refusal within the interval makes no call.
	if s, err := cfg.Token.Refused(ctx); err != nil || s.Reveal() != "token-two-2222" {
		t.Fatal(err)
	}
	if d, g := c.delta(); d+g != 0 {
		t.Errorf("a refusal within RefusedInterval made %d calls", d+g)
	}
	clk.Advance(secenv.DefaultRefusedInterval)
	if _, err := cfg.Token.Refused(ctx); err != nil {
		t.Fatal(err)
	}
	if d, g := c.delta(); d != 1 || g != 0 {
		t.Errorf("a refusal after the interval made %d DescribeSecret and %d GetSecretValue, want 1 and 0", d, g)
	}
	// RefreshNow always asks.
	if _, err := cfg.Token.RefreshNow(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.delta(); d != 1 {
		t.Errorf("RefreshNow made %d DescribeSecret calls, want 1", d)
	}
}

// TestVersionStages reads AWSPREVIOUS and a version ID, in the tag and
// through a Live, directly and through the extension.
func TestVersionStages(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	_, v1 := sm.PutString("app/cred", "version-one-value")
	arn, _ := sm.PutString("app/cred", "version-two-value")
	sm.PutString("app/other", "x")
	ext := sm.StartExtension(t, "session-token")
	for _, via := range []string{"client", "extension"} {
		t.Run(via, func(t *testing.T) {
			opts := []secenv.Option{secenv.WithLookup(env{"CRED": "app/cred", "AWS_SESSION_TOKEN": "session-token"}.lookup),
				secenv.WithRegistry(redact.NewRegistry()), secenv.WithCache(secenv.NewCache())}
			if via == "client" {
				opts = append(opts, secenvaws.WithSecretsManager(smClient(sm)))
			} else {
				opts = append(opts, secenv.WithSecretsExtension(secenv.Extension{Endpoint: ext, NoFallback: true}))
			}
			var c struct {
				Current  secenv.Secret `env:"CRED,secretsmanager"`
				Previous secenv.Secret `env:"CRED,secretsmanager" envVersionStage:"AWSPREVIOUS"`
				LivePrev secenv.Live   `env:"CRED,secretsmanager" envVersionStage:"AWSPREVIOUS"`
			}
			if err := secenv.Load(context.Background(), &c, opts...); err != nil {
				t.Fatal(err)
			}
			lp, err := c.LivePrev.Get(context.Background())
			if err != nil || c.Current.Reveal() != "version-two-value" || c.Previous.Reveal() != "version-one-value" || lp.Reveal() != "version-one-value" {
				t.Fatalf("current %q previous %q live previous %q (%v)", c.Current.Reveal(), c.Previous.Reveal(), lp.Reveal(), err)
			}
			// In code: a version ID, which never needs a refresh.
			l, err := secenv.NewLive(secenv.SecretRef{ID: arn, VersionID: v1}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := l.Get(context.Background()); err != nil || s.Reveal() != "version-one-value" {
				t.Fatalf("NewLive by version ID = %v", err)
			}
		})
	}
	for _, bad := range []secenv.SecretRef{{ID: ""}, {ID: "a#b"}, {ID: "a", VersionID: "v", VersionStage: "AWSCURRENT"}} {
		if _, err := secenv.NewLive(bad, secenvaws.WithSecretsManager(smClient(sm))); err == nil {
			t.Errorf("NewLive(%+v) succeeded", bad)
		}
	}
	if _, err := secenv.NewLive(secenv.SecretRef{ID: "a"}); !errors.Is(err, secenv.ErrConfig) {
		t.Errorf("NewLive without a client = %v, want ErrConfig", err)
	}
}

// TestSSM reads SSM parameters into Secret, string, int and Live fields,
// directly and through the extension, and refuses a SecureString in a
// field that prints.
func TestSSM(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutParameter("/app/api-key", "ssm-secure-value", true)
	sm.PutParameter("/app/table", "notes-table", false)
	sm.PutParameter("/app/limit", "42", false)
	ext := sm.StartExtension(t, "session-token")
	vars := env{"KEY": "/app/api-key", "TABLE": "/app/table", "LIMIT": "/app/limit", "AWS_SESSION_TOKEN": "session-token"}
	for _, via := range []string{"client", "extension"} {
		t.Run(via, func(t *testing.T) {
			reg := redact.NewRegistry()
			clk := newClock()
			opts := []secenv.Option{secenv.WithLookup(vars.lookup), secenv.WithRegistry(reg), secenv.WithCache(secenv.NewCache()),
				secenv.WithClock(clk.Now), secenv.WithCacheTTL(time.Minute)}
			if via == "client" {
				opts = append(opts, secenvssm.WithClient(ssmVia(sm)))
			} else {
				opts = append(opts, secenv.WithSecretsExtension(secenv.Extension{Endpoint: ext, NoFallback: true}))
			}
			var c struct {
				Key   secenv.Secret `env:"KEY,ssm,required"`
				Table string        `env:"TABLE,ssm"`
				Limit int           `env:"LIMIT,ssm"`
				Live  secenv.Live   `env:"KEY,ssm"`
			}
			if err := secenv.Load(context.Background(), &c, opts...); err != nil {
				t.Fatal(err)
			}
			if c.Key.Reveal() != "ssm-secure-value" || c.Table != "notes-table" || c.Limit != 42 {
				t.Fatalf("got %q %q %d", c.Key.Reveal(), c.Table, c.Limit)
			}
			if reg.Scrub("ssm-secure-value") != "[REDACTED]" {
				t.Error("the SecureString value is not registered")
			}
			before := sm.ParamCalls("/app/api-key")
			for range 3 {
				if s, err := c.Live.Get(context.Background()); err != nil || s.Reveal() != "ssm-secure-value" {
					t.Fatalf("Live ssm = %v", err)
				}
			}
			if n := sm.ParamCalls("/app/api-key") - before; n != 1 {
				t.Errorf("three Gets of a Live ssm value made %d calls, want 1", n)
			}
			var bad struct {
				Key string `env:"KEY,ssm"`
			}
			err := secenv.Load(context.Background(), &bad, opts...)
			if !errors.Is(err, secenv.ErrConfig) || strings.Contains(err.Error(), "ssm-secure-value") {
				t.Fatalf("a SecureString into a string = %v, want ErrConfig without the value", err)
			}
			var none struct {
				Key secenv.Secret `env:"KEY,ssm"`
			}
			if err := secenv.Load(context.Background(), &none, secenv.WithLookup(env{"KEY": "/app/none"}.lookup),
				secenvssm.WithClient(ssmVia(sm)), secenv.WithCache(nil)); !errors.Is(err, secenv.ErrSSM) || !errors.Is(err, secenv.ErrSecretNotFound) {
				t.Fatalf("an unknown parameter = %v, want ErrSSM and ErrSecretNotFound", err)
			}
		})
	}
	var noClient struct {
		Key secenv.Secret `env:"KEY,ssm"`
	}
	if err := secenv.Load(context.Background(), &noClient, secenv.WithLookup(vars.lookup)); !errors.Is(err, secenv.ErrConfig) {
		t.Fatalf("an ssm field without a client = %v, want ErrConfig", err)
	}
}

// TestSecretStruct fills an RDS-style secret into typed fields from one
// variable, the password as a Secret.
func TestSecretStruct(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("rds/app", `{"engine":"postgres","host":"db.internal","port":5432,"username":"app_user","password":"rds-pass-\"quoted\"","dbname":"notes","extra":"ignored"}`)
	sm.PutString("rds/bad", `{"port":"not-a-number","password":"rds-bad-password"}`)
	sm.PutString("rds/strport", `{"host":"h","port":"6543","username":"u","password":"rds-string-port"}`)
	reg := redact.NewRegistry()
	var c struct {
		DB secenv.RDSSecret `env:"DB,secretsmanager,required"`
	}
	opts := []secenv.Option{secenvaws.WithSecretsManager(smClient(sm)), secenv.WithRegistry(reg), secenv.WithCache(secenv.NewCache())}
	if err := secenv.Load(context.Background(), &c, append(opts, secenv.WithLookup(env{"DB": "rds/app"}.lookup))...); err != nil {
		t.Fatal(err)
	}
	if c.DB.Engine != "postgres" || c.DB.Host != "db.internal" || c.DB.Port != 5432 || c.DB.Username != "app_user" ||
		c.DB.DBName != "notes" || c.DB.Password.Reveal() != `rds-pass-"quoted"` {
		t.Fatalf("got %+v", c.DB)
	}
	if reg.Scrub(`rds-pass-"quoted"`) != "[REDACTED]" {
		t.Error("the password is not registered")
	}
	if err := secenv.Load(context.Background(), &c, append(opts, secenv.WithLookup(env{"DB": "rds/strport"}.lookup))...); err != nil || c.DB.Port != 6543 {
		t.Fatalf("a port held as a string = %d, %v", c.DB.Port, err)
	}
	err := secenv.Load(context.Background(), &c, append(opts, secenv.WithLookup(env{"DB": "rds/bad"}.lookup))...)
	if !errors.Is(err, secenv.ErrInvalid) || strings.Contains(err.Error(), "not-a-number") || strings.Contains(err.Error(), "rds-bad") {
		t.Fatalf("a bad port = %v, want ErrInvalid without the value", err)
	}
}

// TestCacheTransformAndBinary checks the Transform hook on a binary secret
// read through a Live.
func TestCacheTransformAndBinary(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutBinary("app/bin", []byte{0x01, 0x02, 0x03, 0x04, 0xff})
	cache, err := secenv.NewCacheFrom(secenv.CacheConfig{Transform: func(id string, v []byte) ([]byte, error) {
		if len(v) == 0 {
			return nil, errors.New("empty")
		}
		return append([]byte("t:"), v...), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Bin secenv.Live `env:"BIN,secretsmanager"`
	}
	if err := secenv.Load(context.Background(), &c, secenvaws.WithSecretsManager(smClient(sm)), secenv.WithCache(cache),
		secenv.WithLookup(env{"BIN": "app/bin"}.lookup), secenv.WithRegistry(redact.NewRegistry())); err != nil {
		t.Fatal(err)
	}
	s, err := c.Bin.Get(context.Background())
	if err != nil || string(s.RevealBytes()) != "t:\x01\x02\x03\x04\xff" {
		t.Fatalf("Get = %q, %v", s.RevealBytes(), err)
	}
	for _, bad := range []secenv.CacheConfig{{MaxBackoff: -1}, {RefusedInterval: -1}} {
		if _, err := secenv.NewCacheFrom(bad); !errors.Is(err, secenv.ErrConfig) {
			t.Errorf("NewCacheFrom(%+v) = %v, want ErrConfig", bad, err)
		}
	}
}

// TestLiveKMS decrypts a kms Live once: later reads make no KMS call.
func TestLiveKMS(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, _ := k.CreateKey(t)
	p := testpeer.StartProxy(t, k.Endpoint)
	blob := k.Encrypt(t, keyID, []byte("kms-live-value"), nil)
	var c struct {
		Key secenv.Live `env:"KEY,kms,required"`
	}
	if err := secenv.Load(context.Background(), &c, secenvaws.WithKMS(kmsVia(k, p.URL)), secenv.WithEncryptionContext(nil),
		secenv.WithLookup(env{"KEY": blob}.lookup), secenv.WithRegistry(redact.NewRegistry())); err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 0 {
		t.Fatalf("Load decrypted a Live value")
	}
	for range 3 {
		if s, err := c.Key.Get(context.Background()); err != nil || s.Reveal() != "kms-live-value" {
			t.Fatalf("Get = %v", err)
		}
	}
	if p.Requests() != 1 {
		t.Errorf("three Gets made %d KMS calls, want 1", p.Requests())
	}
	var bad struct {
		Key secenv.Live `env:"KEY,kms"`
	}
	if err := secenv.Load(context.Background(), &bad, secenvaws.WithKMS(kmsVia(k, "")), secenv.WithLookup(env{"KEY": "!!"}.lookup)); !errors.Is(err, secenv.ErrCiphertext) {
		t.Fatalf("a bad ciphertext in a Live = %v, want ErrCiphertext at Load", err)
	}
}

// TestLiveConcurrentRotation reads one Live from many goroutines while the
// secret rotates and the clock moves: every read returns one of the two
// values, and the race detector sees no race.
func TestLiveConcurrentRotation(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("app/conc", "value-before-rotation")
	clk := newClock()
	var cfg struct {
		V secenv.Live `env:"V,secretsmanager"`
	}
	if err := secenv.Load(context.Background(), &cfg, secenvaws.WithSecretsManager(smClient(sm)),
		secenv.WithLookup(env{"V": "app/conc"}.lookup), secenv.WithRegistry(redact.NewRegistry()),
		secenv.WithCache(secenv.NewCache()), secenv.WithClock(clk.Now), secenv.WithCacheTTL(time.Second)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if g == 0 && i == 25 {
					sm.PutString("app/conc", "value-after-rotation")
				}
				if g == 1 {
					clk.Advance(100 * time.Millisecond)
				}
				s, err := cfg.V.Get(context.Background())
				if err != nil || (s.Reveal() != "value-before-rotation" && s.Reveal() != "value-after-rotation") {
					errs <- errors.New("a read failed or returned another value")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Second)
	if s, err := cfg.V.Get(context.Background()); err != nil || s.Reveal() != "value-after-rotation" {
		t.Fatalf("after the TTL: %v", err)
	}
}

// TestLiveRotationWindow covers the window of a single-user rotation
// between setSecret (the upstream wants the new password) and finishSecret
// (AWSCURRENT moves): Do falls back on the AWSPENDING value, fetched once,
// which becomes the current value without another fetch.
func TestLiveRotationWindow(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	arn, v1 := sm.PutString("app/window", "password-one-1111")
	clk := newClock()
	var cfg struct {
		Cred secenv.Live `env:"CRED,secretsmanager"`
	}
	if err := secenv.Load(context.Background(), &cfg, secenvaws.WithSecretsManager(smClient(sm)),
		secenv.WithLookup(env{"CRED": "app/window"}.lookup), secenv.WithRegistry(redact.NewRegistry()),
		secenv.WithCache(secenv.NewCache()), secenv.WithClock(clk.Now), secenv.WithCacheTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cfg.Cred.Get(ctx); err != nil {
		t.Fatal(err)
	}
	errRefused := errors.New("401")
	want := "password-one-1111" // what the upstream accepts
	upstream := func(s secenv.Secret) error {
		if s.Reveal() != want {
			return errRefused
		}
		return nil
	}
	refused := func(err error) bool { return errors.Is(err, errRefused) }
	c := &calls{sm: sm}
	c.delta()

	// createSecret and setSecret have run: AWSPENDING holds the new
	// password, which the upstream now wants; AWSCURRENT has not moved.
	client := smClient(sm)
	const token = "rotation-token-0001"
	if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn),
		ClientRequestToken: aws.String(token), SecretString: aws.String("password-two-2222"),
		VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Fatal(err)
	}
	want = "password-two-2222"
	c.delta()
	steps := []struct {
		name            string
		advance         time.Duration
		finish          bool
		describe, value int
	}{
		{name: "first refusal: describe, fetch AWSPENDING once", describe: 1, value: 1},
		{name: "again within RefusedInterval: no call", describe: 0, value: 0},
		{name: "after finishSecret: describe, the pending value is reused", advance: secenv.DefaultRefusedInterval, finish: true, describe: 1, value: 0},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		if st.finish {
			if _, err := client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn),
				VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(token), RemoveFromVersionId: aws.String(v1)}); err != nil {
				t.Fatal(err)
			}
			c.delta()
		}
		if err := cfg.Cred.Do(ctx, refused, upstream); err != nil {
			t.Fatalf("%s: Do = %v", st.name, err)
		}
		if d, g := c.delta(); d != st.describe || g != st.value {
			t.Errorf("%s: %d DescribeSecret and %d GetSecretValue, want %d and %d", st.name, d, g, st.describe, st.value)
		}
	}
	if s, err := cfg.Cred.Get(ctx); err != nil || s.Reveal() != "password-two-2222" {
		t.Fatalf("after the rotation, Get = %v", err)
	}
	if d, g := c.delta(); d+g != 0 {
		t.Errorf("a warm Get after the rotation made %d calls", d+g)
	}

	// A rotation whose pending value is refused too fails the call.
	want = "neither-value"
	clk.Advance(secenv.DefaultRefusedInterval)
	if err := cfg.Cred.Do(ctx, refused, upstream); !errors.Is(err, errRefused) {
		t.Fatalf("Do with every value refused = %v, want the refusal", err)
	}
}

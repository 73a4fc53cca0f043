package secenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seclambda/seclambda/redact"
)

// extraOptions holds the settings of rotation-aware values and SSM.
type extraOptions struct {
	ssm SSMClient
}

// Live is a field type for a secret that may change while the function is
// warm, such as a rotated credential. [Load] does not fetch it: it checks
// the variable and binds the field to the clients, the cache and the TTL of
// that Load; the value is fetched by the first [Live.Get] and refreshed
// through the [Cache] after that:
//
//	type Config struct {
//		DB    secenv.Live `env:"DB_SECRET,secretsmanager,required"` // "prod/db#password"
//		Token secenv.Live `env:"TOKEN_PARAM,ssm"`                   // an SSM SecureString
//		Key   secenv.Live `env:"API_KEY,kms"`                       // decrypted once, at first use
//	}
//	...
//	pw, err := cfg.DB.Get(ctx) // a Secret; no network call while fresh
//
// A secretsmanager value is refreshed at a random time between half the TTL
// and the TTL ([WithCacheTTL]) after it was fetched, so a handler that
// reads it on each invocation sees a rotated value within the TTL. With a
// client that implements [SecretDescriber] (secenvaws' clients do), a
// refresh first calls DescribeSecret and fetches the value only when
// another version has the label; with envVersionID, the value never
// changes and is never refreshed. When a refresh fails, the value it has is
// served for up to [CacheConfig.MaxStale] past its refresh time, refreshes
// back off exponentially up to [CacheConfig.MaxBackoff], and the error goes
// to [CacheConfig.OnError]; a value that was never fetched is an error. A
// kms value is decrypted once: its ciphertext is in the environment, which
// does not change while the function is warm, so no warm read calls KMS.
// An ssm value is read again at each refresh (SSM has no version check).
// With [WithCacheTTL] of zero or less, every Get refreshes.
//
// Every value fetched is registered with the redact registry of its Load,
// as Load's own values are. A Live prints as [redact.DefaultMask].
//
// The zero Live is not set: Get returns [ErrNotLoaded]. A Live is safe for
// concurrent use; copies share their state.
type Live struct {
	b *liveBinding
}

// liveValue is what a Live hands out until next.
type liveValue struct {
	secret  Secret
	next    time.Time
	forever bool           // kms: never refreshed
	payload *secretPayload // identity of the cached version
}

// liveBinding is the state behind a Live.
type liveBinding struct {
	f     *field
	o     *options
	key   string // #jsonKey, or ""
	cache *Cache
	ckey  cacheKey
	lf    liveFetch
	cur   atomic.Pointer[liveValue]
	pend  atomic.Pointer[liveValue] // the AWSPENDING value, while a rotation is in progress
	mu    sync.Mutex                // kms: one decrypt at a time
	raw   string                    // kms: the ciphertext
}

// bindLive checks f's variable and returns the Live bound to o.
func (o *options) bindLive(f *field, raw string) (Live, error) {
	b := &liveBinding{f: f, o: o}
	switch {
	case f.kms:
		if _, err := decodeCiphertext(raw); err != nil {
			return Live{}, err
		}
		b.raw = raw
		return Live{b: b}, nil
	case f.ssm:
		name := strings.TrimSpace(raw)
		if name == "" {
			return Live{}, detail("empty parameter name", ErrInvalid)
		}
		src, fetch := o.paramSource(name)
		b.lf = liveFetch{id: name, get: func(ctx context.Context, _ string) (secretPayload, error) { return fetch(ctx) }}
		b.cache, b.ckey = o.liveCache(src, ssmCachePrefix+name)
		return Live{b: b}, nil
	}
	id, key, err := parseSecretRef(raw)
	if err != nil {
		return Live{}, err
	}
	b.key = key
	sel := f.sel
	var src any = o.sm
	get := func(ctx context.Context, version string) (secretPayload, error) {
		s := sel
		if version != "" {
			s = versionSel{id: version}
		}
		p, err := getSecretVersion(ctx, o.sm, id, s)
		if p.version == "" {
			p.version = version
		}
		return p, err
	}
	var check func(ctx context.Context) (versionCheck, bool, error)
	if o.ext != nil {
		base := o.ext.endpoint(o.lookup)
		token, _ := o.lookup("AWS_SESSION_TOKEN")
		src = base
		get = func(ctx context.Context, _ string) (secretPayload, error) {
			p, err := getSecretExtension(ctx, o.ext.HTTPClient, base, token, id, sel)
			if err != nil && errors.Is(err, errExtensionDown) && !o.ext.NoFallback && o.sm != nil {
				return getSecretVersion(ctx, o.sm, id, sel)
			}
			return p, err
		}
	} else {
		check = func(ctx context.Context) (versionCheck, bool, error) { return currentVersion(ctx, o.sm, id, sel) }
	}
	if sel.id != "" {
		check = nil
	}
	b.lf = liveFetch{id: id, check: check, get: get}
	b.cache, b.ckey = o.liveCache(src, sel.cacheID(id))
	return Live{b: b}, nil
}

// liveCache returns the cache and key of a live value from src: o's cache
// when it can key src, otherwise a private one.
func (o *options) liveCache(src any, id string) (*Cache, cacheKey) {
	if o.cache != nil {
		if k := o.cache.sourceKey(src); k != "" {
			return o.cache, cacheKey{src: k, id: id}
		}
	}
	return NewCache(), cacheKey{src: "private", id: id}
}

// IsSet reports whether a Load bound l to a variable.
func (l Live) IsSet() bool { return l.b != nil }

// Get returns the value, fetching it on first use and when it is due for a
// refresh (see [Live]). A warm read of a fresh value makes no network call
// and does not allocate. Errors name the variable and wrap the sentinels of
// Load ([ErrSecretsManager], [ErrSSM], [ErrDecrypt], ...); the zero Live
// returns [ErrNotLoaded].
func (l Live) Get(ctx context.Context) (Secret, error) {
	b := l.b
	if b == nil {
		return Secret{}, ErrNotLoaded
	}
	if v := b.cur.Load(); v != nil && (v.forever || b.o.now().Before(v.next)) {
		return v.secret, nil
	}
	return b.read(ctx, refreshDue)
}

// Refused is the refresh-on-authentication-failure helper: call it when
// the credential from [Live.Get] was refused (HTTP 401, a database's
// authentication error). It refreshes the value at once, rather than at
// the end of the TTL, and returns it; with a [SecretDescriber] client the
// refresh costs one DescribeSecret when the version has not changed. It
// starts at most one refresh per secret per [CacheConfig.RefusedInterval],
// so that a caller whose requests keep failing cannot hammer Secrets
// Manager: within that interval it returns the value it has. A kms value
// cannot change and is returned as it is.
//
// [Live.Do] wraps the pattern.
func (l Live) Refused(ctx context.Context) (Secret, error) {
	if l.b == nil {
		return Secret{}, ErrNotLoaded
	}
	return l.b.read(ctx, refreshRefused)
}

// RefreshNow fetches the value again at once, whatever its age, as
// aws-secretsmanager-caching-go's RefreshNow does, and returns it.
// Concurrent calls share one fetch.
func (l Live) RefreshNow(ctx context.Context) (Secret, error) {
	if l.b == nil {
		return Secret{}, ErrNotLoaded
	}
	return l.b.read(ctx, refreshNow)
}

// Do calls fn with the value and, when fn's error is one that refused
// reports as an authentication failure, refreshes the value through
// [Live.Refused] and, if it changed, calls fn once more with the new value.
// It returns fn's last error, or the error of Get. With the single-user
// rotation strategy, the first request after a rotation is refused with
// the old password; Do turns that refusal into one retry with the new
// value instead of failures until the TTL runs out.
//
// When the value did not change but a rotation is in progress (a version
// has AWSPENDING and not AWSCURRENT), Do calls fn once more with the
// AWSPENDING value: between the rotation's setSecret and finishSecret
// steps, the upstream already wants it. That value is fetched once per
// rotation (by version ID), and becomes the current value without another
// fetch when the rotation finishes. Only a Live that reads AWSCURRENT with
// a [SecretDescriber] client does this.
func (l Live) Do(ctx context.Context, refused func(error) bool, fn func(Secret) error) error {
	s, err := l.Get(ctx)
	if err != nil {
		return err
	}
	err = fn(s)
	if err == nil || refused == nil || !refused(err) {
		return err
	}
	s2, rerr := l.Refused(ctx)
	if rerr != nil {
		return err
	}
	if s2.p != s.p {
		return fn(s2)
	}
	// AWSCURRENT has not changed. If a rotation is in progress, the
	// upstream may already want its AWSPENDING value (the single-user
	// strategy between setSecret and finishSecret): try that once.
	p, perr := l.b.pendingSecret(ctx)
	if perr != nil || !p.IsSet() {
		return err
	}
	return fn(p)
}

// pendingSecret returns the value of the AWSPENDING version of a rotation
// in progress, as the last refresh saw it, or the zero Secret.
func (b *liveBinding) pendingSecret(ctx context.Context) (Secret, error) {
	if b.lf.check == nil {
		return Secret{}, nil
	}
	p, err := b.cache.livePending(ctx, b.ckey, b.lf)
	if err != nil || p == nil {
		return Secret{}, err
	}
	if cur := b.pend.Load(); cur != nil && cur.payload == p {
		return cur.secret, nil
	}
	var reg collector
	whole := p.raw()
	v, err := p.pick(b.key)
	if err != nil {
		reg.add(b.f, whole)
		reg.flush(ctx, b.o)
		return Secret{}, err
	}
	if b.key != "" && whole != v {
		reg.add(b.f, whole)
	}
	reg.add(b.f, v)
	reg.flush(ctx, b.o)
	s := NewSecret(v)
	b.pend.Store(&liveValue{secret: s, payload: p})
	return s, nil
}

// String returns [redact.DefaultMask].
func (Live) String() string { return redact.DefaultMask }

// GoString returns [redact.DefaultMask].
func (Live) GoString() string { return redact.DefaultMask }

// Format writes [redact.DefaultMask] for every verb and flag.
func (Live) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redact.DefaultMask)) }

// MarshalJSON returns [redact.DefaultMask] as a JSON string.
func (Live) MarshalJSON() ([]byte, error) { return []byte(`"` + redact.DefaultMask + `"`), nil }

// MarshalText returns [redact.DefaultMask].
func (Live) MarshalText() ([]byte, error) { return []byte(redact.DefaultMask), nil }

// LogValue implements [slog.LogValuer] and returns [redact.DefaultMask].
func (Live) LogValue() slog.Value { return slog.StringValue(redact.DefaultMask) }

// GobEncode refuses to encode a Live and returns [ErrNotEncodable].
func (Live) GobEncode() ([]byte, error) { return nil, ErrNotEncodable }

// read goes to the cache (or, for kms, decrypts) and updates b.cur.
func (b *liveBinding) read(ctx context.Context, mode refreshMode) (Secret, error) {
	f := b.f
	if f.kms {
		b.mu.Lock()
		defer b.mu.Unlock()
		if v := b.cur.Load(); v != nil {
			return v.secret, nil
		}
		val, err := b.o.decrypt(ctx, b.o.kms, b.raw)
		if err != nil {
			return Secret{}, &FieldError{Field: f.path, Var: f.name, Err: err}
		}
		var reg collector
		reg.add(f, val, b.raw)
		reg.flush(ctx, b.o)
		s := NewSecret(val)
		b.cur.Store(&liveValue{secret: s, forever: true})
		return s, nil
	}
	p, next, err := b.cache.liveGet(ctx, b.ckey, b.o.ttl, b.o.now, mode, b.lf)
	if err != nil {
		return Secret{}, &FieldError{Field: f.path, Var: f.name, Err: err}
	}
	if cur := b.cur.Load(); cur != nil && cur.payload == p {
		if !cur.next.Equal(next) {
			b.cur.Store(&liveValue{secret: cur.secret, next: next, payload: p})
		}
		return cur.secret, nil
	}
	var reg collector
	whole := p.raw()
	v, err := p.pick(b.key)
	if err != nil {
		reg.add(f, whole)
		reg.flush(ctx, b.o)
		return Secret{}, &FieldError{Field: f.path, Var: f.name, Err: err}
	}
	if b.key != "" && whole != v {
		reg.add(f, whole)
	}
	reg.add(f, v)
	reg.flush(ctx, b.o)
	s := NewSecret(v)
	b.cur.Store(&liveValue{secret: s, next: next, payload: p})
	return s, nil
}

// paramSource returns the cache source of SSM reads and the fetch of
// parameter name: through the extension when one is set (falling back to
// the client when it is down), otherwise with the client.
func (o *options) paramSource(name string) (any, func(context.Context) (secretPayload, error)) {
	if o.ext != nil {
		base := o.ext.endpoint(o.lookup)
		token, _ := o.lookup("AWS_SESSION_TOKEN")
		return base, func(ctx context.Context) (secretPayload, error) {
			p, err := getParameterExtension(ctx, o.ext.HTTPClient, base, token, name)
			if err != nil && errors.Is(err, errExtensionDown) && !o.ext.NoFallback && o.x.ssm != nil {
				return getParameterClient(ctx, o.x.ssm, name)
			}
			return p, err
		}
	}
	return o.x.ssm, func(ctx context.Context) (secretPayload, error) { return getParameterClient(ctx, o.x.ssm, name) }
}

// resolveParam reads the SSM parameter of an ssm field through the cache.
// A SecureString loads only into a Secret.
func (o *options) resolveParam(ctx context.Context, f *field, j *job, reg *collector) error {
	name := strings.TrimSpace(j.raw)
	if name == "" {
		return detail("empty parameter name", ErrInvalid)
	}
	src, fetch := o.paramSource(name)
	ck, p, ok := o.cache.lookup(src, ssmCachePrefix+name, o.ttl, o.now)
	if !ok {
		var err error
		if p, err = o.cache.fill(ctx, ck, o.ttl, o.now, fetch); err != nil {
			return err
		}
	}
	if f.kind == kindSecret {
		j.val = p.str
		reg.add(f, p.str)
		return nil
	}
	if p.secure {
		reg.add(f, p.str)
		return fmt.Errorf("%w: a SecureString parameter loads only into a Secret or a Live field, not %s", ErrConfig, f.typ)
	}
	v := reflect.New(f.rtype).Elem()
	if err := setValue(v, f, p.str); err != nil {
		return err
	}
	j.setv = v
	return nil
}

// SecretRef names a Secrets Manager secret, and optionally one key of its
// JSON object and one version, for [NewLive].
type SecretRef struct {
	// ID is the secret's name or ARN.
	ID string
	// Key, when not empty, picks one top-level key of the JSON secret.
	Key string
	// VersionStage selects a version by staging label, such as
	// [StagePrevious]; empty means AWSCURRENT.
	VersionStage string
	// VersionID selects a version by ID; it excludes VersionStage.
	VersionID string
}

// NewLive returns a [Live] for ref, as Load binds a field with the
// secretsmanager option, with the clients, cache, TTL, clock and registry
// of opts (the options of Load). It makes no call: the value is fetched by
// the first Get. Errors wrap [ErrConfig] (no client, both a stage and a
// version ID, a malformed label) or [ErrInvalid] (an empty ID).
func NewLive(ref SecretRef, opts ...Option) (Live, error) {
	if err := checkVersionTag(ref.VersionStage, ref.VersionID, ref.VersionStage != "", ref.VersionID != ""); err != nil {
		return Live{}, err
	}
	if ref.ID == "" || strings.Contains(ref.ID, "#") {
		return Live{}, detail("the secret ID is empty or holds #", ErrInvalid)
	}
	o := newOptions(opts)
	if err := o.check(); err != nil {
		return Live{}, err
	}
	f := &field{path: "Live", name: ref.ID, kind: kindLive, sm: true, sel: versionSel{id: ref.VersionID, stage: ref.VersionStage}}
	if err := o.missingClient(f); err != nil {
		return Live{}, err
	}
	raw := ref.ID
	if ref.Key != "" {
		raw += "#" + ref.Key
	}
	return o.bindLive(f, raw)
}

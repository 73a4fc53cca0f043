package secenv

import (
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/seclambda/seclambda/redact"
)

// DefaultConcurrency is how many KMS and Secrets Manager calls one [Load]
// runs at once unless [WithConcurrency] says otherwise. It is high enough
// that a typical function's encrypted variables cost one round trip, and low
// enough to stay well inside the KMS and Secrets Manager request quotas.
const DefaultConcurrency = 32

// DefaultCacheTTL is how long a Secrets Manager value stays in the cache
// before it is fetched again, unless [WithCacheTTL] says otherwise. It
// matches the AWS Parameters and Secrets Lambda Extension's default.
const DefaultCacheTTL = 5 * time.Minute

// Option configures [Load].
type Option func(*options)

// options is the resolved configuration of one Load call.
type options struct {
	kms       KMSClient
	sm        SecretsManagerClient
	lookup    func(string) (string, bool)
	encCtx    map[string]string
	encCtxSet bool
	registry  *redact.Registry
	fallback  bool
	keyID     string
	keyIDSet  bool // WithKMSKeyID was given, possibly with ""
	anyKey    bool // InsecureAllowAnyKMSKey was given
	limit     int
	cache     *Cache
	ttl       time.Duration
	ttlSet    bool
	now       func() time.Time
	logger    *slog.Logger
	loggerSet bool
	ext       *Extension
	bad       []string     // options given values that cannot be meant, for check
	x         extraOptions // the options of rotation-aware values (live.go)
}

func newOptions(opts []Option) *options {
	o := &options{
		lookup:   os.LookupEnv,
		registry: redact.Default(),
		limit:    DefaultConcurrency,
		cache:    defaultCache,
		ttl:      DefaultCacheTTL,
		now:      time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			o.bad = append(o.bad, "a nil Option")
			continue
		}
		opt(o)
	}
	if o.cache == nil && o.ttlSet {
		o.bad = append(o.bad, "WithCacheTTL together with WithCache(nil), which turns the cache off")
	}
	if !o.loggerSet {
		o.logger = slog.Default()
	}
	return o
}

// check reports the options that contradict each other or cannot be
// meant, as [ErrConfig] errors.
func (o *options) check() error {
	switch {
	case o.keyIDSet && o.keyID == "":
		return fmt.Errorf("%w: WithKMSKeyID with an empty key ID "+
			"(is its variable unset?): pass the key, or InsecureAllowAnyKMSKey() to accept any key", ErrConfig)
	case o.keyIDSet && o.anyKey:
		return fmt.Errorf("%w: WithKMSKeyID and InsecureAllowAnyKMSKey are exclusive", ErrConfig)
	case len(o.bad) > 0:
		return fmt.Errorf("%w: %s", ErrConfig, strings.Join(o.bad, "; "))
	}
	return nil
}

// WithLookup sets the source of variables, os.LookupEnv by default. It also
// supplies AWS_LAMBDA_FUNCTION_NAME for the default encryption context and
// AWS_SESSION_TOKEN for [WithSecretsExtension]. A nil f keeps the default.
func WithLookup(f func(string) (string, bool)) Option {
	return func(o *options) {
		if f != nil {
			o.lookup = f
		}
	}
}

// WithEncryptionContext sets the encryption context for every KMS decrypt,
// replacing the default {"LambdaFunctionName": $AWS_LAMBDA_FUNCTION_NAME},
// which is what the Lambda console's encryption helpers use. An empty or nil
// map means no context at all, the form that `aws kms encrypt` produces
// without --encryption-context. The map is copied.
func WithEncryptionContext(ec map[string]string) Option {
	c := maps.Clone(ec)
	return func(o *options) {
		o.encCtx, o.encCtxSet = c, true
	}
}

// WithRegistry sets the redact registry that every loaded secret value is
// registered with, [redact.Default] by default. A nil r keeps the default.
func WithRegistry(r *redact.Registry) Option {
	return func(o *options) {
		if r != nil {
			o.registry = r
		}
	}
}

// InsecureAllowNoContext lets kms fields decrypt without an encryption
// context, for values encrypted with the AWS CLI without
// --encryption-context: a decrypt that fails with the encryption context
// (InvalidCiphertextException) is tried once more with no context, and when
// AWS_LAMBDA_FUNCTION_NAME is unset and no [WithEncryptionContext] is given,
// values are decrypted with no context directly.
//
// WARNING: an encryption context binds a ciphertext to this function, so that
// a ciphertext copied from another function's configuration does not decrypt
// here. This option gives that up for every kms field. Prefer re-encrypting
// the values with the context.
func InsecureAllowNoContext() Option { return func(o *options) { o.fallback = true } }

// WithKMSKeyID pins the KMS key that every kms field must be encrypted
// under: a key ID, key ARN, alias name ("alias/…") or alias ARN. It is sent
// as the KeyId of each Decrypt, so KMS itself refuses a ciphertext under
// another key, and when it is a key ID or key ARN, Load also checks the key
// that KMS reports, failing closed when a response names none. Strongly
// advised: without it, any key the function may use is accepted.
//
// An empty (or only white space) keyID, such as os.Getenv of a variable
// that is not set, makes Load fail with an [ErrConfig] error instead of
// silently pinning nothing; say "no pin" with [InsecureAllowAnyKMSKey].
func WithKMSKeyID(keyID string) Option {
	keyID = strings.TrimSpace(keyID)
	return func(o *options) { o.keyID, o.keyIDSet = keyID, true }
}

// InsecureAllowAnyKMSKey says that kms fields may be encrypted under any
// KMS key the function's role may use: no key is pinned. This is what Load
// does when neither option is given; the option makes the choice explicit
// in code and reviews, and gives code that reads the key from a variable a
// way to say "none" that an unset variable cannot say by accident:
//
//	pin := secenv.InsecureAllowAnyKMSKey()
//	if id := os.Getenv("KMS_KEY_ARN"); id != "" {
//		pin = secenv.WithKMSKeyID(id)
//	}
//
// WARNING: without a pinned key, a ciphertext made under another key that
// the role may decrypt with (and, with [InsecureAllowNoContext], from
// another function) is accepted. Passing it together with [WithKMSKeyID]
// is an [ErrConfig] error.
func InsecureAllowAnyKMSKey() Option { return func(o *options) { o.anyKey = true } }

// WithConcurrency bounds how many KMS and Secrets Manager calls one Load
// runs at once. The default is [DefaultConcurrency]; n < 1 is an
// [ErrConfig] error.
func WithConcurrency(n int) Option {
	return func(o *options) {
		if n < 1 {
			o.bad = append(o.bad, "WithConcurrency below 1")
			return
		}
		o.limit = n
	}
}

// WithCache sets the cache of Secrets Manager values. By default Load uses
// one cache per process, shared by every Load call and so by every warm
// invocation. A separate cache isolates tests or tenants. A nil c disables
// caching (single-flight within the Load call still applies).
func WithCache(c *Cache) Option { return func(o *options) { o.cache = c } }

// WithCacheTTL sets how long a cached value is served before it is fetched
// again. As every TTL in seclambda: zero means the default,
// [DefaultCacheTTL], and a negative d is an [ErrConfig] error. To read
// every secret afresh, turn the cache off with WithCache(nil); WithCacheTTL
// together with it is an [ErrConfig] error, since it would do nothing.
func WithCacheTTL(d time.Duration) Option {
	return func(o *options) {
		o.ttlSet = true
		switch {
		case d < 0:
			o.bad = append(o.bad, "WithCacheTTL below zero")
		case d > 0:
			o.ttl = d
		}
	}
}

// WithClock sets the clock that ages cache entries, time.Now by default.
// It is meant for tests. A nil clock is an [ErrConfig] error.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now == nil {
			o.bad = append(o.bad, "WithClock(nil)")
			return
		}
		o.now = now
	}
}

// WithLogger sets the logger that receives warnings, such as a loaded value
// too short for the redact registry to mask (under redact.MinSecretLen
// bytes). Warnings name the variable, never the value. The default is
// slog.Default() at the time of the call; nil silences warnings.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger, o.loggerSet = l, true }
}

// WithSecretsExtension makes secretsmanager fields read through the AWS Parameters
// and Secrets Lambda Extension rather than calling Secrets Manager directly.
// See [Extension] for the endpoint, the token and the fallback when the
// extension is not running.
func WithSecretsExtension(e Extension) Option {
	return func(o *options) { o.ext = &e }
}

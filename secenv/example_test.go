package secenv_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// HandlerConfig is a typical Lambda handler's configuration.
type HandlerConfig struct {
	Table        string        `env:"TABLE_NAME,required"`
	Timeout      time.Duration `env:"TIMEOUT" envDefault:"3s"`
	AllowOrigins []string      `env:"ALLOW_ORIGINS"`
	APIKey       secenv.Secret `env:"PARTNER_API_KEY,required"`
	DB           struct {
		Host string `env:"HOST,required"`
		Port int    `env:"PORT" envDefault:"5432"`
	} `envPrefix:"DB_"`
}

// A handler's configuration loaded once, at cold start. The local variables
// stand in for the function's environment; in Lambda, leave out WithLookup.
func ExampleLoad() {
	vars := map[string]string{
		"TABLE_NAME":      "orders",
		"ALLOW_ORIGINS":   "https://shop.example.com, https://admin.example.com",
		"PARTNER_API_KEY": "pk_live_0123456789",
		"DB_HOST":         "db.internal",
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }

	var cfg HandlerConfig
	if err := secenv.Load(context.Background(), &cfg, secenv.WithLookup(lookup), secenv.WithRegistry(redact.NewRegistry())); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Table, cfg.Timeout, cfg.AllowOrigins, cfg.DB.Host, cfg.DB.Port)
	fmt.Printf("%+v\n", cfg.APIKey)
	fmt.Println(cfg.APIKey.Equal("pk_live_0123456789"))
	// Output:
	// orders 3s [https://shop.example.com https://admin.example.com] db.internal 5432
	// [REDACTED]
	// true
}

// Lists, maps, optional values and JSON. The local variables stand in for
// the function's environment.
func ExampleLoad_types() {
	type Config struct {
		Ports    []int             `env:"PORTS"`
		Backoff  []time.Duration   `env:"BACKOFF"`
		Weights  map[string]int    `env:"WEIGHTS"`
		Headers  map[string]string `env:"HEADERS" envSeparator:";" envKeyValSeparator:"="`
		MaxItems *int              `env:"MAX_ITEMS"` // nil when unset
		Deadline *time.Duration    `env:"DEADLINE"`
		Routing  struct {
			Default string   `json:"default"`
			Canary  []string `json:"canary"`
		} `env:"ROUTING,json"`
	}
	vars := map[string]string{
		"PORTS":     "8080, 8443",
		"BACKOFF":   "100ms,1s,5s",
		"WEIGHTS":   "blue:90,green:10",
		"HEADERS":   "X-Team=core;X-Env=prod",
		"MAX_ITEMS": "25",
		"ROUTING":   `{"default":"blue","canary":["green"]}`,
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }

	var cfg Config
	if err := secenv.Load(context.Background(), &cfg, secenv.WithLookup(lookup)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Ports, cfg.Backoff, cfg.Weights, cfg.Headers)
	fmt.Println(*cfg.MaxItems, cfg.Deadline == nil, cfg.Routing.Default, cfg.Routing.Canary)
	// Output:
	// [8080 8443] [100ms 1s 5s] map[blue:90 green:10] map[X-Env:prod X-Team:core]
	// 25 true blue [green]
}

// Every problem is reported at once, by variable, and testable with
// errors.Is and errors.As.
func ExampleLoad_errors() {
	vars := map[string]string{"TIMEOUT": "soon", "DB_PORT": "99999999999999999999"}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }

	var cfg HandlerConfig
	err := secenv.Load(context.Background(), &cfg, secenv.WithLookup(lookup))
	fmt.Println(err)
	var fe *secenv.FieldError
	fmt.Println(errors.Is(err, secenv.ErrMissing), errors.As(err, &fe), fe.Var)
	// Output:
	// secenv: TABLE_NAME (field Table): required variable is not set
	// secenv: TIMEOUT (field Timeout): invalid value: want a duration such as 1.5s or 300ms
	// secenv: PARTNER_API_KEY (field APIKey): required variable is not set
	// secenv: DB_HOST (field DB.Host): required variable is not set
	// secenv: DB_PORT (field DB.Port): invalid value: out of range for int
	// true true TABLE_NAME
}

// A Secret prints as a mask everywhere, also inside structs and in logs.
func ExampleSecret() {
	s := secenv.NewSecret("hunter22")
	type login struct {
		User     string
		Password secenv.Secret
	}
	fmt.Printf("%v %s %q %#v\n", s, s, s, s)
	fmt.Printf("%+v\n", login{User: "alice", Password: s})
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("login", "password", s)
	// Output:
	// [REDACTED] [REDACTED] [REDACTED] [REDACTED]
	// {User:alice Password:[REDACTED]}
	// level=INFO msg=login password=[REDACTED]
}

// KMS and Secrets Manager together: API_KEY holds a base64 KMS ciphertext
// (encrypted in the Lambda console, so with the function name as encryption
// context) and DB_SECRET names a JSON secret and the key to pick. Both are
// fetched concurrently; the Secrets Manager value is cached for warm
// invocations, read through the Parameters and Secrets Lambda Extension when
// the layer is installed, and the KMS key is pinned.
func ExampleLoad_kmsAndSecretsManager() {
	type Config struct {
		APIKey   secenv.Secret `env:"API_KEY,kms,required"`
		DBPass   secenv.Secret `env:"DB_SECRET,secretsmanager" envDefault:"prod/orders-db#password"`
		LogLevel string        `env:"LOG_LEVEL" envDefault:"info"`
	}
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" {
		return // needs the function's environment and AWS credentials
	}
	var cfg Config
	err := secenv.Load(context.Background(), &cfg,
		secenvaws.Default(),
		secenv.WithKMSKeyID(os.Getenv("KMS_KEY_ARN")),
		secenv.WithSecretsExtension(secenv.Extension{}),
		secenv.WithCacheTTL(10*time.Minute),
	)
	if err != nil {
		slog.Error("configuration", "err", err) // never shows a value
		os.Exit(1)
	}
	slog.Info("configured", "api_key", cfg.APIKey, "db_password", cfg.DBPass) // masked
}

// A credential that rotates while the function is warm: Live fetches it at
// first use and refreshes it through the cache, and Do retries once with a
// fresh value when the upstream refuses the old one (the single-user
// rotation strategy changes the password before the TTL runs out).
func ExampleLive_Do() {
	type Config struct {
		Upstream secenv.Live `env:"UPSTREAM_SECRET_ARN,secretsmanager,required"`
	}
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" {
		return // needs the function's environment and AWS credentials
	}
	ctx := context.Background()
	var cfg Config
	if err := secenv.Load(ctx, &cfg, secenvaws.Default()); err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(1)
	}
	errUnauthorized := errors.New("upstream: 401")
	call := func(cred secenv.Secret) error {
		_ = cred.Reveal() // sent as the upstream's credential
		return nil
	}
	err := cfg.Upstream.Do(ctx, func(err error) bool { return errors.Is(err, errUnauthorized) }, call)
	if err != nil {
		slog.Error("upstream", "err", err)
	}
}

// A cache with its own limits: values served stale for at most ten minutes
// of failed refreshes, every failure reported, and a negative duration
// refused.
func ExampleNewCacheFrom() {
	cache, err := secenv.NewCacheFrom(secenv.CacheConfig{
		MaxStale:   10 * time.Minute,
		MaxBackoff: time.Minute,
		OnError: func(ctx context.Context, id string, err error) {
			slog.WarnContext(ctx, "secret refresh failed; serving the cached value", "secret", id, "err", err)
		},
	})
	fmt.Println(cache.Len(), err)

	_, err = secenv.NewCacheFrom(secenv.CacheConfig{MaxBackoff: -time.Second})
	fmt.Println(errors.Is(err, secenv.ErrConfig))
	// Output:
	// 0 <nil>
	// true
}

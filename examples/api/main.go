// Command api is the notes API of the examples: an HTTP API (payload 2.0)
// function behind a JWT authorizer, with create, list, get and delete routes
// scoped to the caller.
//
// It shows the whole library at work:
//
//   - secenv loads its configuration from environment variables, with the
//     AWS SDK clients of secenvaws.Default(): the KMS-encrypted SIGNING_KEY
//     (decrypted with the encryption context LambdaFunctionName=<this
//     function>, and only under the pinned KMS_KEY_ARN) and the Secrets
//     Manager secret UPSTREAM_SECRET_ARN;
//   - every decrypted value is registered with redact.Default(), and the
//     function logs through redact.NewLogger, so no decrypted value reaches
//     CloudWatch, even by mistake;
//   - cors.WrapHTTPAPI puts the CORS headers on every response, errors
//     included;
//   - authorizer.ClaimsFromEvent reads the caller from the JWT
//     authorizer's claims, and a request without them is refused.
//
// Notes live in DynamoDB (NOTES_TABLE), one partition per owner: the
// partition key is the caller's subject, so no request can name another
// owner's item, and a create is conditional, so it never overwrites. Each
// note's text is encrypted before it reaches DynamoDB with the AWS
// Encryption SDK and the AWS KMS Hierarchical keyring (package
// examples/datatier): the branch key BRANCH_KEY_ID in the key store
// KEY_STORE_TABLE, wrapped by KMS_KEY_ARN and cached for five minutes, so a
// warm function makes no KMS call per note. The encryption context table/owner/note binds
// each ciphertext to its item: one copied into another owner's partition
// does not decrypt, and the API answers not found. Decrypted texts are
// secenv.Secret values until the response is built, and are masked in this
// invocation's logs.
//
// handler_test.go tests the configuration and the handler without AWS: the
// pattern for a function of yours.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seclambda/seclambda/cors"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

func main() {
	log := redact.NewLogger(os.Stdout)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	cfg, err := loadConfig(ctx, os.LookupEnv, secenvaws.Default())
	cancel()
	if err != nil {
		// Lambda reports the failed init and retries it on the next
		// invocation. The error names variables, never values.
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	// Secrets print as [REDACTED]; the log shows that config loaded.
	log.Info("config loaded", "config", cfg)

	ctx, cancel = context.WithTimeout(context.Background(), 8*time.Second)
	store, err := newDynamoStore(ctx, os.LookupEnv)
	cancel()
	if err != nil {
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	h, err := newHandler(cfg, store, log, &http.Client{Timeout: 2 * time.Second})
	if err != nil {
		log.Error("init failed", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// newHandler returns the function's handler: the notes API on store, with
// the CORS headers for cfg.AllowedOrigin on every response. client sends
// the upstream notifications.
func newHandler(cfg config, store Store, log *slog.Logger, client *http.Client) (cors.HTTPAPIHandler, error) {
	c, err := cors.New(cors.Options{
		AllowedOrigins: []string{cfg.AllowedOrigin},
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"ETag"},
		MaxAge:         600,
	})
	if err != nil {
		return nil, err
	}
	api := &notesAPI{cfg: cfg, store: store, log: log, client: client}
	return c.WrapHTTPAPI(api.handle), nil
}

// config is the function's configuration, all of it from the environment.
type config struct {
	AllowedOrigin string        `env:"ALLOWED_ORIGIN,required"`
	SigningKey    secenv.Secret `env:"SIGNING_KEY,kms,required"`
	// Upstream is fetched at first use and refreshed through secenv's
	// cache, so that a rotation reaches the function while it is warm.
	Upstream secenv.Live `env:"UPSTREAM_SECRET_ARN,secretsmanager,required"`
	// UpstreamURL, when set, receives a notification for each new note,
	// authenticated with the Upstream credential.
	UpstreamURL string `env:"UPSTREAM_URL"`
}

// loadConfig reads the configuration with lookup (os.LookupEnv in Lambda)
// and clients, the KMS and Secrets Manager clients (secenvaws.Default() in
// Lambda, secenvtest's in unit tests). It reads KMS_KEY_ARN first, so that
// SIGNING_KEY decrypts only under that key.
func loadConfig(ctx context.Context, lookup func(string) (string, bool), clients secenv.Option) (config, error) {
	opts := []secenv.Option{clients, secenv.WithLookup(lookup)}
	if key, ok := lookup("KMS_KEY_ARN"); ok && key != "" {
		opts = append(opts, secenv.WithKMSKeyID(key))
	}
	var cfg config
	if err := secenv.Load(ctx, &cfg, opts...); err != nil {
		return cfg, err
	}
	// Fetch the upstream credential now, so that a function that cannot
	// read it fails its cold start rather than its first request.
	if _, err := cfg.Upstream.Get(ctx); err != nil {
		return cfg, err
	}
	return cfg, nil
}

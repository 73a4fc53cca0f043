package secenvaws

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/seclambda/seclambda/secenv"
)

// Default returns a [secenv.Option] that resolves kms and secretsmanager
// fields with the process's default clients: a *kms.Client and a
// *secretsmanager.Client built from config.LoadDefaultConfig (in Lambda,
// the function's role and region). Each client is built on first need, by
// the first Load with a field that is set, and kept for the life of the
// process, so that warm invocations reuse its connections and the secenv
// cache keeps hitting. A failure to load the config is reported for each
// field (with the code DefaultConfigError) and tried again by the next
// Load.
//
// Options after Default override it: secenv.Load(ctx, &cfg,
// secenvaws.Default(), secenvaws.WithKMS(myClient)).
func Default() secenv.Option { return secenv.WithClients(defaultKMS{}, defaultSM{}) }

// DefaultConfig returns the AWS config that Default's clients are built
// from, config.LoadDefaultConfig's, loaded on the first call and kept for
// the life of the process; a failure is tried again by the next call. It
// lets other packages, such as secenv/secenvssm, build their clients from
// the same config without loading it twice. It is safe for concurrent use.
func DefaultConfig(ctx context.Context) (aws.Config, error) {
	defaults.mu.Lock()
	defer defaults.mu.Unlock()
	return defaultConfig(ctx)
}

// defaults holds the clients that Default builds.
var defaults struct {
	mu  sync.Mutex
	cfg *aws.Config
	kms *kms.Client
	sm  *secretsmanager.Client
}

// defaultConfig returns the default AWS config, loading it once it loads
// without error. defaults.mu must be held.
func defaultConfig(ctx context.Context) (aws.Config, error) {
	if defaults.cfg != nil {
		return *defaults.cfg, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, &codedError{code: "DefaultConfigError", err: err}
	}
	defaults.cfg = &cfg
	return cfg, nil
}

// defaultKMS is the KMS client of Default. It is an empty struct, so every
// Default() sets an equal client.
type defaultKMS struct{}

func (defaultKMS) Decrypt(ctx context.Context, in *secenv.DecryptInput) (*secenv.DecryptOutput, error) {
	defaults.mu.Lock()
	c := defaults.kms
	if c == nil {
		cfg, err := defaultConfig(ctx)
		if err != nil {
			defaults.mu.Unlock()
			return nil, err
		}
		c = kms.NewFromConfig(cfg)
		defaults.kms = c
	}
	defaults.mu.Unlock()
	return decrypt(ctx, c, in)
}

// defaultSM is the Secrets Manager client of Default.
type defaultSM struct{}

func (d defaultSM) GetSecretValue(ctx context.Context, id string) (*secenv.SecretValue, error) {
	c, err := d.client(ctx)
	if err != nil {
		return nil, err
	}
	return getSecretValue(ctx, c, id)
}

// client returns the default Secrets Manager client, building it on first
// need.
func (defaultSM) client(ctx context.Context) (*secretsmanager.Client, error) {
	defaults.mu.Lock()
	defer defaults.mu.Unlock()
	if defaults.sm == nil {
		cfg, err := defaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		defaults.sm = secretsmanager.NewFromConfig(cfg)
	}
	return defaults.sm, nil
}

package secenv

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// defaultClients holds the SDK clients that Load builds when none is given.
// They are built on first need, kept for the life of the process (so warm
// invocations reuse their connections and the Secrets Manager cache keeps
// hitting), and built again after a failure.
var defaultClients struct {
	mu  sync.Mutex
	cfg *aws.Config
	kms *kms.Client
	sm  *secretsmanager.Client
}

func defaultConfig(ctx context.Context) (aws.Config, error) {
	if defaultClients.cfg != nil {
		return *defaultClients.cfg, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	defaultClients.cfg = &cfg
	return cfg, nil
}

// defaultKMS returns the process's KMS client, building it on first use.
func defaultKMS(ctx context.Context) (KMSClient, error) {
	defaultClients.mu.Lock()
	defer defaultClients.mu.Unlock()
	if defaultClients.kms == nil {
		cfg, err := defaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		defaultClients.kms = kms.NewFromConfig(cfg)
	}
	return defaultClients.kms, nil
}

// defaultSecretsManager returns the process's Secrets Manager client,
// building it on first use.
func defaultSecretsManager(ctx context.Context) (SecretsManagerClient, error) {
	defaultClients.mu.Lock()
	defer defaultClients.mu.Unlock()
	if defaultClients.sm == nil {
		cfg, err := defaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		defaultClients.sm = secretsmanager.NewFromConfig(cfg)
	}
	return defaultClients.sm, nil
}

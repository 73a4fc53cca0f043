package secenv_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

// env is a variable source for WithLookup.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// noWait is the SDK's standard retryer with its retry classification
// unchanged and no wait between attempts, so that tests do not sleep.
func noWait() aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// kmsVia returns a local-kms client whose requests go through proxy URL
// (or straight to local-kms when url is ""), with the no-wait retryer.
func kmsVia(k *testpeer.KMS, url string) *kms.Client {
	return k.NewClient(func(o *kms.Options) {
		if url != "" {
			o.BaseEndpoint = aws.String(url)
		}
		o.Retryer = noWait()
	})
}

// smClient returns a client for sm with the no-wait retryer.
func smClient(sm *testpeer.SecretsManager) *secretsmanager.Client {
	return smVia(sm, "")
}

// smVia returns a client for sm whose requests go through proxy URL (or
// straight to sm when url is ""), with the no-wait retryer.
func smVia(sm *testpeer.SecretsManager, url string) *secretsmanager.Client {
	return sm.NewClient(func(o *secretsmanager.Options) {
		if url != "" {
			o.BaseEndpoint = aws.String(url)
		}
		o.Retryer = noWait()
	})
}

package secenvssm

import (
	"context"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvaws"
)

// API is the part of the SSM API that secenv uses. *ssm.Client satisfies
// it.
type API interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Default returns a [secenv.Option] that reads ssm fields with the
// process's default SSM client, built on first need from
// secenvaws.DefaultConfig and kept for the life of the process. A failure
// to load the config is reported for each field (code DefaultConfigError)
// and tried again by the next Load.
func Default() secenv.Option { return secenv.WithSSM(defaultClient{}) }

// WithClient returns a [secenv.Option] that reads ssm fields with c, such
// as an *ssm.Client built from your own aws.Config. Build c once per cold
// start: the secenv cache keeps values per client. A nil c sets nothing.
func WithClient(c API) secenv.Option {
	if c == nil {
		return secenv.WithSSM(nil)
	}
	return secenv.WithSSM(client{api: c})
}

// client adapts an API; it is comparable when the client is.
type client struct{ api API }

func (c client) GetParameter(ctx context.Context, name string) (*secenv.Parameter, error) {
	return getParameter(ctx, c.api, name)
}

func getParameter(ctx context.Context, api API, name string) (*secenv.Parameter, error) {
	out, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if out == nil || out.Parameter == nil {
		return nil, errEmptyResponse
	}
	p := out.Parameter
	return &secenv.Parameter{Value: aws.ToString(p.Value), Type: string(p.Type), Version: p.Version}, nil
}

// defaults holds the client that Default builds.
var defaults struct {
	mu  sync.Mutex
	ssm *ssm.Client
}

// defaultClient is the SSM client of Default. It is an empty struct, so
// every Default() sets an equal client.
type defaultClient struct{}

func (defaultClient) GetParameter(ctx context.Context, name string) (*secenv.Parameter, error) {
	defaults.mu.Lock()
	c := defaults.ssm
	if c == nil {
		cfg, err := secenvaws.DefaultConfig(ctx)
		if err != nil {
			defaults.mu.Unlock()
			return nil, err
		}
		c = ssm.NewFromConfig(cfg)
		defaults.ssm = c
	}
	defaults.mu.Unlock()
	return getParameter(ctx, c, name)
}

// errEmptyResponse is returned for an SDK call that returned neither a
// result nor an error.
var errEmptyResponse = &codedError{code: "EmptyResponse", err: errors.New("secenvssm: the SDK returned no result and no error")}

// codedError gives an error that is not an AWS API error a code for secenv
// to report.
type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string     { return e.code + ": " + e.err.Error() }
func (e *codedError) Unwrap() error     { return e.err }
func (e *codedError) ErrorCode() string { return e.code }

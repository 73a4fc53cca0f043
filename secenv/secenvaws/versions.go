package secenvaws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/seclambda/seclambda/secenv"
)

// SecretsManagerDescribeAPI is the DescribeSecret call of the Secrets
// Manager API. When the client given to [WithSecretsManager] has it, as
// *secretsmanager.Client does, a refresh of a [secenv.Live] value first
// asks which version is current and fetches the value only when it
// changed.
type SecretsManagerDescribeAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
}

// SSMAPI is the part of the SSM API that secenv uses. *ssm.Client
// satisfies it.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// WithSSM returns a [secenv.Option] that reads ssm fields with c, such as
// an *ssm.Client built from your own aws.Config. Every read asks for
// decryption, so a SecureString needs kms:Decrypt on its key besides
// ssm:GetParameter. A nil c sets nothing.
func WithSSM(c SSMAPI) secenv.Option {
	if c == nil {
		return secenv.WithSSM(nil)
	}
	return secenv.WithSSM(ssmClient{api: c})
}

// GetSecretVersion implements [secenv.SecretVersionClient].
func (c smClient) GetSecretVersion(ctx context.Context, in *secenv.GetSecretInput) (*secenv.SecretValue, error) {
	return getSecretVersion(ctx, c.api, in)
}

// DescribeSecret implements [secenv.SecretDescriber] when the client has
// DescribeSecret; otherwise it reports the code NotImplemented.
func (c smClient) DescribeSecret(ctx context.Context, id string) (*secenv.SecretDescription, error) {
	d, ok := c.api.(SecretsManagerDescribeAPI)
	if !ok {
		return nil, errNoDescribe
	}
	return describeSecret(ctx, d, id)
}

func getSecretVersion(ctx context.Context, api SecretsManagerAPI, in *secenv.GetSecretInput) (*secenv.SecretValue, error) {
	req := &secretsmanager.GetSecretValueInput{SecretId: aws.String(in.SecretID)}
	if in.VersionID != "" {
		req.VersionId = aws.String(in.VersionID)
	}
	if in.VersionStage != "" {
		req.VersionStage = aws.String(in.VersionStage)
	}
	out, err := api.GetSecretValue(ctx, req)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errEmptyResponse
	}
	return &secenv.SecretValue{SecretString: out.SecretString, SecretBinary: out.SecretBinary, VersionID: aws.ToString(out.VersionId)}, nil
}

func describeSecret(ctx context.Context, api SecretsManagerDescribeAPI, id string) (*secenv.SecretDescription, error) {
	out, err := api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errEmptyResponse
	}
	return &secenv.SecretDescription{VersionIDsToStages: out.VersionIdsToStages}, nil
}

// ssmClient adapts an SSMAPI; it is comparable when the client is.
type ssmClient struct{ api SSMAPI }

func (c ssmClient) GetParameter(ctx context.Context, name string) (*secenv.Parameter, error) {
	return getParameter(ctx, c.api, name)
}

func getParameter(ctx context.Context, api SSMAPI, name string) (*secenv.Parameter, error) {
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

// defaultSSM is the SSM client of Default.
type defaultSSM struct{}

func (defaultSSM) GetParameter(ctx context.Context, name string) (*secenv.Parameter, error) {
	defaults.mu.Lock()
	c := defaults.ssm
	if c == nil {
		cfg, err := defaultConfig(ctx)
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

// GetSecretVersion implements [secenv.SecretVersionClient].
func (d defaultSM) GetSecretVersion(ctx context.Context, in *secenv.GetSecretInput) (*secenv.SecretValue, error) {
	c, err := d.client(ctx)
	if err != nil {
		return nil, err
	}
	return getSecretVersion(ctx, c, in)
}

// DescribeSecret implements [secenv.SecretDescriber].
func (d defaultSM) DescribeSecret(ctx context.Context, id string) (*secenv.SecretDescription, error) {
	c, err := d.client(ctx)
	if err != nil {
		return nil, err
	}
	return describeSecret(ctx, c, id)
}

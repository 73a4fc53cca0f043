package secenvaws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

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

package testpeer_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// TestSecretsManagerRotation runs the four rotation steps through
// RotateSecret with a rotation function written against the SDK, and checks
// the stages after each kind of call.
func TestSecretsManagerRotation(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	c := sm.NewClient()
	ctx := context.Background()
	arn, v1 := sm.PutString("app/cred", "first-value")

	// Rotation is refused without a function.
	var ire *smtypes.InvalidRequestException
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn)}); !errors.As(err, &ire) {
		t.Fatalf("RotateSecret without a function = %v, want InvalidRequestException", err)
	}

	var steps []string
	failAt, created := "", false
	sm.SetRotator(func(ctx context.Context, event []byte) error {
		var ev struct{ Step, SecretId, ClientRequestToken, RotationToken string }
		if err := json.Unmarshal(event, &ev); err != nil {
			return err
		}
		if ev.RotationToken == "" {
			return errors.New("no RotationToken")
		}
		steps = append(steps, ev.Step)
		if ev.Step == failAt {
			return errors.New("step failed")
		}
		switch ev.Step {
		case "createSecret":
			// Before the first createSecret, the pending version has no
			// value; a resumed rotation finds it.
			var nf *smtypes.ResourceNotFoundException
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretId),
				VersionId: aws.String(ev.ClientRequestToken), VersionStage: aws.String("AWSPENDING")})
			if created != (err == nil) || (err != nil && !errors.As(err, &nf)) {
				return errors.New("the pending version's value is not as expected")
			}
			if created {
				return nil
			}
			created = true
			pw, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(20), ExcludePunctuation: aws.Bool(true)})
			if err != nil || len(*pw.RandomPassword) != 20 {
				return errors.New("GetRandomPassword")
			}
			for range 2 { // idempotent
				if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(ev.SecretId),
					ClientRequestToken: aws.String(ev.ClientRequestToken), SecretString: pw.RandomPassword,
					VersionStages: []string{"AWSPENDING"}}); err != nil {
					return err
				}
			}
			var ree *smtypes.ResourceExistsException
			if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(ev.SecretId),
				ClientRequestToken: aws.String(ev.ClientRequestToken), SecretString: aws.String("another-value"),
				VersionStages: []string{"AWSPENDING"}}); !errors.As(err, &ree) {
				return errors.New("PutSecretValue with another value under the same token succeeded")
			}
		case "finishSecret":
			d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretId)})
			if err != nil {
				return err
			}
			var current string
			for id, st := range d.VersionIdsToStages {
				if slices.Contains(st, "AWSCURRENT") {
					current = id
				}
			}
			var ipe *smtypes.InvalidParameterException
			if _, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(ev.SecretId),
				VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(ev.ClientRequestToken)}); !errors.As(err, &ipe) {
				return errors.New("moving AWSCURRENT without RemoveFromVersionId succeeded")
			}
			_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(ev.SecretId),
				VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(ev.ClientRequestToken), RemoveFromVersionId: aws.String(current)})
			return err
		}
		return nil
	})

	// A failing step leaves AWSCURRENT where it was, and a new rotation is
	// refused until the pending one is resumed with its token.
	failAt = "testSecret"
	out, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if got := sm.VersionStages("app/cred"); !slices.Equal(got[v1], []string{"AWSCURRENT"}) || !slices.Equal(got[*out.VersionId], []string{"AWSPENDING"}) {
		t.Fatalf("stages after a failed rotation = %v", got)
	}
	if len(sm.RotationErrors()) != 1 || !slices.Equal(steps, []string{"createSecret", "setSecret", "testSecret"}) {
		t.Fatalf("steps %v, errors %v", steps, sm.RotationErrors())
	}
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn)}); !errors.As(err, &ire) {
		t.Fatalf("a second rotation while one is pending = %v, want InvalidRequestException", err)
	}

	failAt, steps = "", nil
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn), ClientRequestToken: out.VersionId}); err != nil {
		t.Fatal(err)
	}
	got := sm.VersionStages("app/cred")
	if !slices.Equal(got[v1], []string{"AWSPREVIOUS"}) || !slices.Equal(got[*out.VersionId], []string{"AWSCURRENT"}) || len(sm.RotationErrors()) != 1 {
		t.Fatalf("stages after the rotation = %v (errors %v)", got, sm.RotationErrors())
	}
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/cred")})
	if err != nil || !aws.ToBool(d.RotationEnabled) || len(d.VersionIdsToStages) != 2 {
		t.Fatalf("DescribeSecret = %+v, %v", d, err)
	}
	prev, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil || aws.ToString(prev.SecretString) != "first-value" {
		t.Fatalf("AWSPREVIOUS = %v", err)
	}
	if sm.OpCalls("DescribeSecret") != 2 || sm.OpCalls("RotateSecret") != 4 {
		t.Errorf("OpCalls DescribeSecret %d RotateSecret %d", sm.OpCalls("DescribeSecret"), sm.OpCalls("RotateSecret"))
	}
}

// TestSSMGetParameter reads String and SecureString parameters through the
// SDK and through the extension endpoint.
func TestSSMGetParameter(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	c := sm.NewSSMClient()
	ctx := context.Background()
	sm.PutParameter("/app/plain", "plain-value", false)
	sm.PutParameter("/app/key", "secure-value-1", true)
	sm.PutParameter("/app/key", "secure-value-2", true)

	tests := []struct {
		name, param string
		decrypt     bool
		want        string
		wantErr     string
	}{
		{name: "string", param: "/app/plain", want: "plain-value"},
		{name: "secure decrypted", param: "/app/key", decrypt: true, want: "secure-value-2"},
		{name: "version selector", param: "/app/key:1", decrypt: true, want: "secure-value-1"},
		{name: "unknown", param: "/app/none", wantErr: "ParameterNotFound"},
		{name: "unknown version", param: "/app/key:9", wantErr: "ParameterVersionNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(tt.param), WithDecryption: aws.Bool(tt.decrypt)})
			if tt.wantErr != "" {
				var ae interface{ ErrorCode() string }
				if !errors.As(err, &ae) || ae.ErrorCode() != tt.wantErr {
					t.Fatalf("GetParameter = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || aws.ToString(out.Parameter.Value) != tt.want {
				t.Fatalf("GetParameter = %v", err)
			}
		})
	}
	enc, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/key")})
	if err != nil || aws.ToString(enc.Parameter.Value) == "secure-value-2" || enc.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		t.Fatalf("a SecureString without decryption came back as its value (%v)", err)
	}
	if n := sm.ParamCalls("/app/key"); n != 2 {
		t.Errorf("ParamCalls = %d, want 2", n)
	}
}

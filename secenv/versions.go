package secenv

import (
	"context"
	"fmt"
	"slices"
)

// Version staging labels that Secrets Manager's rotation protocol uses.
const (
	// StageCurrent labels the version that callers use; it is what a read
	// without a version selects.
	StageCurrent = "AWSCURRENT"
	// StagePrevious labels the version that was AWSCURRENT before the last
	// rotation: the last known good value.
	StagePrevious = "AWSPREVIOUS"
	// StagePending labels the version that a rotation is creating and
	// testing; it becomes AWSCURRENT when the rotation finishes.
	StagePending = "AWSPENDING"
)

// SecretVersionClient is a [SecretsManagerClient] that can read a given
// version of a secret, by version ID or staging label. It is what a
// secretsmanager field with an envVersionStage or envVersionID tag, or a
// [Live] value, needs; secenvaws' clients implement it. Its rules are
// those of SecretsManagerClient.
type SecretVersionClient interface {
	SecretsManagerClient
	GetSecretVersion(ctx context.Context, in *GetSecretInput) (*SecretValue, error)
}

// GetSecretInput selects one version of a secret.
type GetSecretInput struct {
	// SecretID is the secret's name or ARN.
	SecretID string
	// VersionID, when not empty, selects a version by its ID.
	VersionID string
	// VersionStage, when not empty, selects the version with this
	// staging label. Both empty means AWSCURRENT.
	VersionStage string
}

// SecretDescriber is a [SecretsManagerClient] that can also describe a
// secret's versions (Secrets Manager's DescribeSecret). With it, a cache
// refresh first asks which version has the label it reads and fetches the
// value only when that version changed: DescribeSecret is cheaper than
// GetSecretValue and returns no secret material. secenvaws' clients
// implement it; the IAM action is secretsmanager:DescribeSecret.
type SecretDescriber interface {
	SecretsManagerClient
	DescribeSecret(ctx context.Context, secretID string) (*SecretDescription, error)
}

// SecretDescription is the part of DescribeSecret that the cache uses.
type SecretDescription struct {
	// VersionIDsToStages maps each version that has a staging label to its
	// labels.
	VersionIDsToStages map[string][]string
}

// versionSel picks a version of a secret: by ID, by stage, or (both
// empty) AWSCURRENT.
type versionSel struct {
	id    string
	stage string
}

// isDefault reports whether s reads AWSCURRENT, the version a plain
// GetSecretValue returns.
func (s versionSel) isDefault() bool { return s.id == "" && (s.stage == "" || s.stage == StageCurrent) }

// cacheID returns the cache key part for secret id read with s.
func (s versionSel) cacheID(id string) string {
	switch {
	case s.id != "":
		return id + "\x00id:" + s.id
	case s.isDefault():
		return id
	}
	return id + "\x00stage:" + s.stage
}

// stageOr returns the stage to look for in a description.
func (s versionSel) stageOr() string {
	if s.stage == "" {
		return StageCurrent
	}
	return s.stage
}

// checkVersionTag validates envVersionStage and envVersionID values.
func checkVersionTag(stage, id string, hasStage, hasID bool) error {
	switch {
	case hasStage && hasID:
		return fmt.Errorf("%w: a field takes envVersionStage or envVersionID, not both", ErrConfig)
	case hasStage && !validLabel(stage):
		return fmt.Errorf("%w: envVersionStage must be a staging label of 1 to 256 letters, digits or _-", ErrConfig)
	case hasID && !validLabel(id):
		return fmt.Errorf("%w: envVersionID must be a version ID of 1 to 256 letters, digits or _-", ErrConfig)
	}
	return nil
}

// validLabel reports whether s is a plausible staging label or version ID.
func validLabel(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// getSecretVersion fetches version sel of secret id with c. A client that
// cannot select versions reads AWSCURRENT only.
func getSecretVersion(ctx context.Context, c SecretsManagerClient, id string, sel versionSel) (secretPayload, error) {
	vc, ok := c.(SecretVersionClient)
	if !ok {
		if !sel.isDefault() {
			return secretPayload{}, fmt.Errorf("%w: %w", ErrConfig, errNoVersions)
		}
		return getSecretClient(ctx, c, id)
	}
	out, err := vc.GetSecretVersion(ctx, &GetSecretInput{SecretID: id, VersionID: sel.id, VersionStage: sel.stage})
	if err != nil {
		return secretPayload{}, smError(err)
	}
	if out == nil {
		return secretPayload{}, detail("empty response", ErrSecretsManager)
	}
	p, err := payloadOf(out.SecretString, out.SecretBinary)
	p.version = out.VersionID
	return p, err
}

// versionCheck is what a DescribeSecret tells a refresh.
type versionCheck struct {
	// version has the stage the reader asked for.
	version string
	// pending is the version that has AWSPENDING without AWSCURRENT: a
	// rotation in progress. Empty otherwise, or when the reader does not
	// read AWSCURRENT.
	pending string
}

// currentVersion asks c which version has sel's stage, and which one a
// rotation in progress has made AWSPENDING. ok is false when c cannot
// describe secrets or sel names a version ID.
func currentVersion(ctx context.Context, c SecretsManagerClient, id string, sel versionSel) (vc versionCheck, ok bool, err error) {
	d, can := c.(SecretDescriber)
	if !can || sel.id != "" {
		return versionCheck{}, false, nil
	}
	out, err := d.DescribeSecret(ctx, id)
	if err != nil {
		if codeOf(err) == "NotImplemented" {
			return versionCheck{}, false, nil // an adapter whose client cannot describe
		}
		return versionCheck{}, true, smError(err)
	}
	if out == nil {
		return versionCheck{}, true, detail("empty response", ErrSecretsManager)
	}
	stage := sel.stageOr()
	for v, stages := range out.VersionIDsToStages {
		if slices.Contains(stages, stage) {
			vc.version = v
		}
		if stage == StageCurrent && slices.Contains(stages, StagePending) && !slices.Contains(stages, StageCurrent) {
			vc.pending = v
		}
	}
	if vc.version == "" {
		return versionCheck{}, true, detail("no version has the staging label", ErrSecretsManager, ErrSecretNotFound)
	}
	return vc, true, nil
}

// errNoVersions is the ErrConfig detail of a version selector with a client
// that cannot select versions.
var errNoVersions = fmt.Errorf("reading a version other than AWSCURRENT needs a client that implements SecretVersionClient, as secenvaws' do")

// Package secenvssm connects secenv's ssm fields to SSM Parameter Store
// through the AWS SDK for Go v2: it adapts *ssm.Client to
// [secenv.SSMClient] and builds the default client from the default AWS
// config (the same config as secenvaws.Default's clients).
//
// It is a package of its own, apart from secenvaws, so that a function
// without ssm fields does not link the SSM client, which adds almost a
// megabyte to a function's binary:
//
//	type Config struct {
//		Table  string        `env:"TABLE_PARAM,ssm"`   // an SSM String parameter's name
//		APIKey secenv.Secret `env:"API_KEY_PARAM,ssm"` // a SecureString, decrypted
//	}
//	err := secenv.Load(ctx, &cfg, secenvaws.Default(), secenvssm.Default())
//
// Every read asks for decryption, so a SecureString needs kms:Decrypt on
// its key besides ssm:GetParameter. Without a client (or
// secenv.WithSecretsExtension), an ssm field is an [secenv.ErrConfig] error
// that names this package's options.
package secenvssm

// Package secenvaws connects secenv to the AWS SDK for Go v2: it adapts
// *kms.Client and *secretsmanager.Client to [secenv.KMSClient] and
// [secenv.SecretsManagerClient] (with version stages and DescribeSecret,
// for [secenv.Live]), and builds the default clients from the default AWS
// config. SSM Parameter Store has a package of its own, secenv/secenvssm,
// so that a function without ssm fields does not link the SSM client
// (almost a megabyte).
//
// It is a separate package so that a function whose configuration has no
// kms or secretsmanager field does not link the SDK: importing secenv alone
// costs no SDK code and no SDK package initialisation at cold start. Import
// secenvaws when a field needs KMS or Secrets Manager:
//
//	var cfg Config // with env:"API_KEY,kms" and env:"DB,secretsmanager" fields
//	err := secenv.Load(ctx, &cfg, secenvaws.Default())
//
// Without a client, Load reports each kms and secretsmanager field as an
// [secenv.ErrConfig] error that names this package's options.
//
// AWS errors keep their SDK types (errors.As reaches them); secenv
// classifies them by their error code and never prints their messages.
package secenvaws

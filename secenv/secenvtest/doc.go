// Package secenvtest provides in-memory KMS and Secrets Manager clients for
// unit tests of configurations that [github.com/seclambda/seclambda/secenv]
// loads, without AWS, credentials or a network.
//
// [KMS] implements secenv.KMSClient with real authenticated encryption
// (AES-256-GCM, the encryption context as additional data), so that a
// ciphertext decrypts only under its key and its encryption context. Its
// failures carry the error codes real KMS returns (InvalidCiphertextException
// for a wrong encryption context or a damaged ciphertext,
// IncorrectKeyException for a ciphertext under another key than the KeyId
// asked for, NotFoundException, DisabledException), so they reach the same
// secenv sentinels through the same error mapping as the AWS SDK's errors:
// a wrong encryption context is secenv.ErrWrongContext here as in Lambda.
// [SecretsManager] implements secenv.SecretsManagerClient over named string
// and binary secrets, with ResourceNotFoundException for an unknown one.
// [Env] is a set of variables for secenv.WithLookup.
//
//	kms, sm := secenvtest.NewKMS(), secenvtest.NewSecretsManager()
//	sm.PutString("prod/db", `{"password":"correct horse battery"}`)
//	env := secenvtest.Env{
//		"AWS_LAMBDA_FUNCTION_NAME": "orders",
//		"API_KEY":                  kms.EncryptForFunction("orders", "sk-test-0123456789"),
//		"DB_SECRET":                "prod/db#password",
//	}
//	err := secenv.Load(ctx, &cfg,
//		secenv.WithClients(kms, sm),
//		secenv.WithLookup(env.Lookup),
//		secenv.WithKMSKeyID(kms.KeyARN()))
//
// The ciphertexts are not KMS's format and the keys live in memory: nothing
// here is for production, and a value encrypted here decrypts nowhere else.
// Both clients are safe for concurrent use.
package secenvtest

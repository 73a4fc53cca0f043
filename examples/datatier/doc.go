// Package datatier is the data tier of the examples: the DynamoDB tables of
// the notes API and the client-side encryption of each note's text with the
// AWS Encryption SDK and the AWS KMS Hierarchical keyring.
//
// A [Cipher] encrypts a note's text before it reaches DynamoDB and decrypts
// it after it is read. Its data keys are derived locally from a branch key
// that the key store (a DynamoDB table) holds wrapped by a KMS key; the
// keyring caches the unwrapped branch key for a bounded time ([CacheTTL]),
// so that a warm function makes no KMS call per note. The output is the
// AWS Encryption SDK's message format, which every AWS Encryption SDK reads
// (the interoperability test decrypts it with the SDK for JavaScript).
//
// Each ciphertext is bound to its place by the encryption context
// table/owner/note ([EncryptionContext]); [Cipher.Decrypt] supplies the
// context it expects, so a ciphertext copied into another owner's item, or
// another note's, fails to decrypt.
//
// The provisioning helpers ([CreateNotesTable], [CreateKeyStore],
// [CreateBranchKey]) set up a local stack (tests, make demo, benchmarks) and
// serve as the recipe for AWS, where the template creates the tables and an
// operator creates the branch key once.
package datatier

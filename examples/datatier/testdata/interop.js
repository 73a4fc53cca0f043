// interop.js encrypts or decrypts one note with the AWS Encryption SDK for
// JavaScript (@aws-crypto/client-node, pinned in tools/aws-crypto), its
// Hierarchical keyring and @aws-crypto/branch-keystore-node, against the
// same key store and KMS as the Go side. It is the interoperability peer of
// datatier's TestInteropJS.
//
// Input, one JSON object on stdin:
//   {"op": "encrypt" | "decrypt", "region", "kmsEndpoint", "ddbEndpoint",
//    "keyStoreTable", "kmsKeyArn", "branchKeyId",
//    "context": {...}, "data": base64}
// Output, on stdout: {"data": base64}. Any failure exits 1 with a message
// on stderr that never holds the plaintext.
//
// The SDK for JavaScript takes no expected encryption context on decrypt,
// so this script checks the message's context against the expected one, as
// the SDK's documentation asks, and releases the plaintext only if every
// pair matches.
'use strict'

const {
  buildClient,
  CommitmentPolicy,
  AlgorithmSuiteIdentifier,
  BranchKeyStoreNode,
  KmsHierarchicalKeyRingNode,
} = require('@aws-crypto/client-node')
const { KMSClient } = require('@aws-sdk/client-kms')
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb')

async function main() {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const req = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const credentials = { accessKeyId: 'AKIDINTEROP', secretAccessKey: 'interop-not-a-secret' }
  const keyStore = new BranchKeyStoreNode({
    logicalKeyStoreName: req.keyStoreTable,
    storage: {
      ddbTableName: req.keyStoreTable,
      ddbClient: new DynamoDBClient({ region: req.region, endpoint: req.ddbEndpoint, credentials }),
    },
    keyManagement: {
      kmsClient: new KMSClient({ region: req.region, endpoint: req.kmsEndpoint, credentials }),
    },
    kmsConfiguration: { identifier: req.kmsKeyArn },
  })
  const keyring = new KmsHierarchicalKeyRingNode({
    branchKeyId: req.branchKeyId,
    keyStore,
    cacheLimitTtl: 300,
  })
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const data = Buffer.from(req.data, 'base64')
  let out
  if (req.op === 'encrypt') {
    const { result } = await encrypt(keyring, data, {
      encryptionContext: req.context,
      // Key commitment without a signature, as the Go side writes.
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
    })
    out = result
  } else if (req.op === 'decrypt') {
    const { plaintext, messageHeader } = await decrypt(keyring, data)
    for (const [k, v] of Object.entries(req.context)) {
      if (messageHeader.encryptionContext[k] !== v) {
        throw new Error('encryption context mismatch on key ' + JSON.stringify(k))
      }
    }
    out = plaintext
  } else {
    throw new Error('unknown op')
  }
  process.stdout.write(JSON.stringify({ data: Buffer.from(out).toString('base64') }))
}

main().catch((err) => {
  // The message names the failure, never the data.
  process.stderr.write('interop: ' + (err && err.message ? err.message : String(err)) + '\n')
  process.exit(1)
})

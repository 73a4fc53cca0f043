// Package testpeer starts the real programs that seclambda's tests talk to:
// local-kms for KMS, cognito-local for Cognito user pools and tokens,
// dynalite for DynamoDB, and aws-lambda-rie to run function binaries built by
// a test.
//
// Peers are real processes on loopback, reached through the real AWS SDK
// clients or their wire protocols. Nothing here imitates an AWS service that
// has a local peer.
//
// Shared peers (local-kms, cognito-local, dynalite) start on first use and
// live for the whole test binary; a package that uses them must stop them
// from TestMain:
//
//	func TestMain(m *testing.M) { testpeer.Main(m) }
//
// Per-test peers (aws-lambda-rie) stop at the test's cleanup. Every process is
// stopped by its own PID, and on Linux it is also killed if the test binary
// dies first.
//
// A missing peer binary fails the test when CI is set or
// SECLAMBDA_REQUIRE_PEERS=1 (make test sets it), and skips it otherwise. The
// message says how to install the peer: run make peers from the repository
// root.
package testpeer

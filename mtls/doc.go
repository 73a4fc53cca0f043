// Package mtls validates the client certificates that API Gateway mutual TLS
// passes to Lambda against a trust store, certificate revocation lists and
// allow-lists, the checks that API Gateway itself leaves to the function.
package mtls

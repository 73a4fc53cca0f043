package local

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxSkew is how far a signature's X-Amz-Date may be from the gateway's
// clock, as in AWS.
const maxSkew = 5 * time.Minute

// verifySigV4 checks the request's AWS Signature Version 4 for the
// execute-api service against the known credentials, and returns the
// identity, or a gateway status and message. It recomputes the signature
// with the SDK's signer over the headers the client signed.
func (g *Gateway) verifySigV4(r *http.Request, body []byte, now time.Time) (IAMIdentity, int, string) {
	const forbidden = http.StatusForbidden
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return IAMIdentity{}, forbidden, "Missing Authentication Token"
	}
	var credential, signedHeaders, signature string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			signature = v
		}
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || signedHeaders == "" || signature == "" {
		return IAMIdentity{}, forbidden, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters."
	}
	id, ok := g.iam[scope[0]]
	if !ok {
		return IAMIdentity{}, forbidden, "The security token included in the request is invalid."
	}
	if scope[2] != g.cfg.Region || scope[3] != "execute-api" {
		return IAMIdentity{}, forbidden, "Credential should be scoped to a valid region and service."
	}
	signedAt, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || scope[1] != signedAt.Format("20060102") {
		return IAMIdentity{}, forbidden, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	}
	if d := now.Sub(signedAt); d > maxSkew || d < -maxSkew {
		return IAMIdentity{}, forbidden, "Signature expired"
	}
	if id.SessionToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Amz-Security-Token")), []byte(id.SessionToken)) != 1 {
		return IAMIdentity{}, forbidden, "The security token included in the request is invalid."
	}
	names := strings.Split(signedHeaders, ";")
	if !contains(names, "host") {
		return IAMIdentity{}, forbidden, "'Host' must be a 'SignedHeader' in the AWS Authorization."
	}
	// The signature covers the body: sign with the hash of the body that
	// arrived, and refuse a hash header that claims another body (or
	// UNSIGNED-PAYLOAD), so that a captured request cannot be replayed
	// with a different body.
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return IAMIdentity{}, forbidden, "The request signature we calculated does not match the signature you provided."
	}
	clone, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return IAMIdentity{}, forbidden, "Missing Authentication Token"
	}
	if contains(names, "content-length") {
		// The SDK signer takes content-length from the request, not from
		// its headers.
		clone.ContentLength = int64(len(body))
	}
	for _, n := range names {
		if n == "host" || n == "x-amz-date" || n == "x-amz-security-token" {
			continue
		}
		if vs := r.Header.Values(n); len(vs) > 0 {
			clone.Header[http.CanonicalHeaderKey(n)] = vs
		}
	}
	creds := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, payloadHash, "execute-api", g.cfg.Region, signedAt); err != nil {
		return IAMIdentity{}, forbidden, "Missing Authentication Token"
	}
	_, want, _ := strings.Cut(clone.Header.Get("Authorization"), "Signature=")
	if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) != 1 {
		return IAMIdentity{}, forbidden, "The request signature we calculated does not match the signature you provided."
	}
	return id, 0, ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

package authorizer

import (
	"fmt"
	"strings"
)

// maxARNBytes bounds the ARNs that ParseMethodARN accepts.
const maxARNBytes = 2048

// MethodARN is a parsed API Gateway method ARN (REST methodArn) or route
// ARN (HTTP API routeArn):
//
//	arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<method>/<resource>
//
// Resource has no leading slash and may be empty or contain slashes.
type MethodARN struct {
	// Partition is the AWS partition, such as "aws" or "aws-cn".
	Partition string
	// Region is the API's region, such as "eu-west-1".
	Region string
	// AccountID is the 12-digit ID of the API's account.
	AccountID string
	// APIID is the API's ID, such as "abc123defg".
	APIID string
	// Stage is the stage name ("$default" for an HTTP API default stage,
	// "*" in the test console).
	Stage string
	// Method is the HTTP method, such as "GET", or "*".
	Method string
	// Resource is the resource path without its leading slash, such as
	// "pets/42"; empty for the root.
	Resource string
}

// ParseMethodARN parses an execute-api method or route ARN. It fails with
// [ErrMethodARN] for anything else, without echoing the input.
func ParseMethodARN(s string) (MethodARN, error) {
	var a MethodARN
	if len(s) > maxARNBytes {
		return a, fmt.Errorf("%w: too long", ErrMethodARN)
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return a, fmt.Errorf("%w: not an execute-api ARN", ErrMethodARN)
	}
	a.Partition, a.Region, a.AccountID = parts[1], parts[3], parts[4]
	if !isToken(a.Partition, "-") || !isToken(a.Region, "-") || len(a.AccountID) != 12 || !isDigits(a.AccountID) {
		return MethodARN{}, fmt.Errorf("%w: bad partition, region or account", ErrMethodARN)
	}
	path := strings.SplitN(parts[5], "/", 4)
	if len(path) < 3 {
		return MethodARN{}, fmt.Errorf("%w: missing stage or method", ErrMethodARN)
	}
	a.APIID, a.Stage, a.Method = path[0], path[1], path[2]
	if len(path) == 4 {
		a.Resource = path[3]
	} else if len(s) >= maxARNBytes {
		// The canonical form (String) adds the "/" of the empty resource:
		// it too must parse.
		return MethodARN{}, fmt.Errorf("%w: too long", ErrMethodARN)
	}
	if !isToken(a.APIID, "") || a.Stage == "" || a.Method == "" || strings.ContainsAny(parts[5], " \t\r\n\"") {
		return MethodARN{}, fmt.Errorf("%w: bad API ID, stage or method", ErrMethodARN)
	}
	return a, nil
}

// String returns the ARN in its canonical form.
func (a MethodARN) String() string {
	return "arn:" + a.Partition + ":execute-api:" + a.Region + ":" + a.AccountID + ":" +
		a.APIID + "/" + a.Stage + "/" + a.Method + "/" + a.Resource
}

// stageARN returns the ARN prefix of a's API stage, up to and including the
// slash after the stage.
func (a MethodARN) stageARN() string {
	return "arn:" + a.Partition + ":execute-api:" + a.Region + ":" + a.AccountID + ":" + a.APIID + "/" + a.Stage + "/"
}

func isToken(s, extra string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

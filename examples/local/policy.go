package local

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

type policyResult int

const (
	policyImplicitDeny policyResult = iota
	policyAllow
	policyExplicitDeny
)

// evaluate evaluates a Lambda authorizer's policy for methodARN as API
// Gateway does: an explicit Deny wins, then an Allow, otherwise the request
// is denied.
func evaluate(statements []events.IAMPolicyStatement, methodARN string) policyResult {
	allow := false
	for _, s := range statements {
		if !actionMatches(s.Action) || !resourceMatches(s.Resource, methodARN) {
			continue
		}
		switch {
		case strings.EqualFold(s.Effect, "Deny"):
			return policyExplicitDeny
		case strings.EqualFold(s.Effect, "Allow"):
			allow = true
		}
	}
	if allow {
		return policyAllow
	}
	return policyImplicitDeny
}

func actionMatches(actions []string) bool {
	for _, a := range actions {
		if glob(strings.ToLower(a), "execute-api:invoke") {
			return true
		}
	}
	return false
}

func resourceMatches(resources []string, arn string) bool {
	for _, r := range resources {
		if glob(r, arn) {
			return true
		}
	}
	return false
}

// glob matches s against an IAM pattern, where * matches any run of
// characters and ? any one character.
func glob(pattern, s string) bool {
	px, sx := 0, 0
	nextP, nextS := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextP, nextS = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextS > 0 && nextS <= len(s) {
			px, sx = nextP, nextS
			continue
		}
		return false
	}
	return true
}

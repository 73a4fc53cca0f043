package samcheck

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// permissions applies invoke-permission to every AWS::Lambda::Permission.
func (c *checker) permissions() {
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		if r.Type != "AWS::Lambda::Permission" {
			continue
		}
		action, _ := str(r.Properties["Action"])
		switch strings.ToLower(action) {
		case "lambda:invokefunction", "lambda:invokefunctionurl":
		default:
			c.add(name, "invoke-permission", fmt.Sprintf("permission grants %q; a Lambda permission should only allow lambda:InvokeFunction or lambda:InvokeFunctionUrl", action))
		}
		if _, ok := str(r.Properties["FunctionUrlAuthType"]); ok {
			continue // a function URL's permission: open-route judges it
		}
		src, _ := str(r.Properties["SourceArn"])
		principal := scalar(r.Properties["Principal"])
		if principal == "*" || accountID.MatchString(principal) || strings.HasPrefix(principal, "arn:") {
			continue // "*" is wildcard-principal's; an account or role needs no SourceArn
		}
		if isSecretsManager(principal) {
			// Secrets Manager invokes a rotation function on behalf of a
			// secret; AWS recommends SourceAccount (with or without the
			// secret's ARN) against the confused deputy.
			if acct := scalar(r.Properties["SourceAccount"]); acct == "" {
				c.add(name, "invoke-permission", "permission for secretsmanager.amazonaws.com has no SourceAccount, so a secret in any account may have Secrets Manager invoke the function")
			}
			continue
		}
		if src == "" {
			c.add(name, "invoke-permission", fmt.Sprintf("permission for %s has no SourceArn, so any resource of that service in any account may invoke the function", principalName(principal)))
			continue
		}
		if strings.Contains(src, ":execute-api:") && !scopedExecuteAPI(src) {
			c.add(name, "invoke-permission", fmt.Sprintf("SourceArn %q admits every stage, method and route of the API; name the route or authorizer", src))
		}
	}
}

// accountID matches a 12-digit AWS account ID, or a reference to the
// template's own.
var accountID = regexp.MustCompile(`^([0-9]{12}|\$\{AWS::AccountId\})$`)

// scalar returns a string, number or boolean property as written; a JSON or
// YAML number such as an account ID is printed without an exponent.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func principalName(p string) string {
	if p == "" {
		return "any principal"
	}
	return p
}

// scopedExecuteAPI reports whether an execute-api ARN names something
// narrower than the whole API: a route (stage/METHOD/path) or an authorizer.
func scopedExecuteAPI(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return false
	}
	_, rest, ok := strings.Cut(parts[5], "/") // drop the API ID
	if !ok {
		return false
	}
	segs := strings.Split(rest, "/")
	if segs[0] == "authorizers" {
		return true
	}
	// stage/METHOD/path...: at least the method or path must be named.
	named := 0
	for i, s := range segs {
		if i > 0 && s != "*" && s != "" {
			named++
		}
	}
	return named > 0
}

// isSecretsManager reports whether a permission's principal is the Secrets
// Manager service, however the template writes its domain.
func isSecretsManager(p string) bool {
	return strings.HasPrefix(strings.ToLower(p), "secretsmanager.")
}

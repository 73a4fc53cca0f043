package samcheck

import (
	"fmt"
	"regexp"
	"strings"
)

// ownRootPattern matches the template's own account as a principal: its
// root ARN, in any partition, or the bare account ID.
var ownRootPattern = regexp.MustCompile(`^(arn:(\$\{AWS::Partition\}|aws[a-z-]*):iam::\$\{AWS::AccountId\}:root|\$\{AWS::AccountId\})$`)

// ownAccountRoot reports whether a statement's Principal is only the
// template's own account.
func ownAccountRoot(p any) bool {
	aws := strs(get(p, "AWS"))
	if len(aws) == 0 {
		return false
	}
	if m, ok := p.(map[string]any); !ok || len(m) != 1 {
		return false
	}
	for _, a := range aws {
		if !ownRootPattern.MatchString(a) {
			return false
		}
	}
	return true
}

// wildcardPrincipal reports whether a Principal grants to everyone:
// "*", or "*" among the AWS principals.
func wildcardPrincipal(p any) bool {
	if s, ok := str(p); ok {
		return s == "*"
	}
	for _, a := range strs(get(p, "AWS")) {
		if a == "*" {
			return true
		}
	}
	return false
}

// narrowingKeys are the condition keys that restrict a "*" principal to
// callers of one account, organization, resource, network or service.
var narrowingKeys = map[string]bool{
	"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceowner": true,
	"aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:principalaccount": true, "aws:principalarn": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceip": true,
	"aws:userid": true, "aws:username": true,
	"kms:viaservice": true, "kms:calleraccount": true,
}

// narrowed reports whether a condition block holds a positive condition on
// a narrowing key. Negated operators (StringNotEquals, NotIpAddress, ...)
// exclude a few callers and admit everyone else, and …IfExists, Null and
// ForAllValues: conditions hold for a request without the key, so none of
// them count.
func narrowed(cond map[string]any) bool {
	for op, v := range cond {
		if strings.Contains(op, "Not") || strings.HasSuffix(op, "IfExists") || op == "Null" ||
			strings.HasPrefix(op, "ForAllValues:") {
			continue
		}
		m, _ := v.(map[string]any)
		for k := range m {
			if narrowingKeys[strings.ToLower(k)] {
				return true
			}
		}
	}
	return false
}

// resourcePolicies maps the resource types whose policies wildcard-principal
// checks to the property that holds the policy.
var resourcePolicies = map[string]string{
	"AWS::KMS::Key":                       "KeyPolicy",
	"AWS::S3::BucketPolicy":               "PolicyDocument",
	"AWS::SQS::QueuePolicy":               "PolicyDocument",
	"AWS::SNS::TopicPolicy":               "PolicyDocument",
	"AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
}

// principals applies wildcard-principal to resource policies and Lambda
// permissions.
func (c *checker) principals() {
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		if r.Type == "AWS::Lambda::Permission" {
			c.permissionPrincipal(name, r.Properties)
			continue
		}
		prop, ok := resourcePolicies[r.Type]
		if !ok {
			continue
		}
		for i, raw := range list(get(r.Properties[prop], "Statement")) {
			m, ok := raw.(map[string]any)
			if !ok || m["Effect"] != "Allow" {
				continue
			}
			if _, ok := m["NotPrincipal"]; ok {
				c.add(name, "wildcard-principal", fmt.Sprintf("%s statement %d uses NotPrincipal in an Allow statement, which grants every other principal", prop, i))
				continue
			}
			cond, _ := m["Condition"].(map[string]any)
			if wildcardPrincipal(m["Principal"]) && !narrowed(cond) {
				c.add(name, "wildcard-principal", fmt.Sprintf("%s statement %d allows Principal \"*\" with no condition that narrows it (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, kms:ViaService, kms:CallerAccount, ...)", prop, i))
			}
		}
	}
}

// permissionPrincipal checks the Principal of an AWS::Lambda::Permission.
// Lambda documents SourceArn and SourceAccount as the way to restrict a
// service principal ("For AWS services, the ARN of the AWS resource that
// invokes the function"); for "*" the only documented restriction is
// PrincipalOrgID. The "*" of a public function URL (FunctionUrlAuthType
// NONE) is reported once, by open-route.
func (c *checker) permissionPrincipal(name string, p map[string]any) {
	principal, _ := str(p["Principal"])
	if principal != "*" {
		return
	}
	if auth, _ := str(p["FunctionUrlAuthType"]); auth == "NONE" {
		return
	}
	if org, _ := str(p["PrincipalOrgID"]); org != "" {
		return
	}
	c.add(name, "wildcard-principal", "Principal \"*\" lets any account invoke the function; name the service or account (with SourceArn and SourceAccount for a service), or restrict it with PrincipalOrgID")
}

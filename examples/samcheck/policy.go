package samcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// statement is one IAM policy statement, normalised.
type statement struct {
	owner     string // logical ID of the resource that carries it
	where     string // e.g. "Policies[logs]" for messages
	resource  bool   // part of a resource policy (key policy, API policy)
	effect    string
	actions   []string
	notAction bool
	resources []string
	notRes    bool
	condition map[string]any
	principal any  // Principal of a resource policy statement
	lambda    bool // granted to a role that Lambda assumes (or to one samcheck cannot see)
}

var adminPolicy = regexp.MustCompile(`(?i)(FullAccess|AdministratorAccess|PowerUserAccess)`)

// policies applies the statement rules to every policy in the template.
func (c *checker) policies() {
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		p := r.Properties
		switch r.Type {
		case "AWS::IAM::Role":
			for i, pol := range list(p["Policies"]) {
				label := fmt.Sprintf("Policies[%d]", i)
				if n, ok := str(get(pol, "PolicyName")); ok {
					label = "Policies[" + n + "]"
				}
				c.identity(name, label, c.lambdaRole(name), get(pol, "PolicyDocument"))
			}
			c.managed(name, p["ManagedPolicyArns"])
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			c.identity(name, "PolicyDocument", c.attachedToLambda(name), p["PolicyDocument"])
		case "AWS::KMS::Key":
			c.document(name, "KeyPolicy", true, p["KeyPolicy"])
		case "AWS::ApiGateway::RestApi":
			c.document(name, "Policy", true, p["Policy"])
		case "AWS::Serverless::Api":
			c.document(name, "Auth.ResourcePolicy.CustomStatements", true,
				map[string]any{"Statement": get(p, "Auth", "ResourcePolicy", "CustomStatements")})
		case "AWS::S3::BucketPolicy", "AWS::SecretsManager::ResourcePolicy":
			key := "PolicyDocument"
			if r.Type == "AWS::SecretsManager::ResourcePolicy" {
				key = "ResourcePolicy"
			}
			c.document(name, key, true, p[key])
		case "AWS::Serverless::Function":
			c.samPolicies(name, p["Policies"])
		}
	}
}

// managed checks attached managed policy ARNs.
func (c *checker) managed(owner string, arns any) {
	for _, a := range strs(arns) {
		if adminPolicy.MatchString(a) {
			c.add(owner, "admin-policy", fmt.Sprintf("ManagedPolicyArns attaches %s, which grants far more than one function needs", a))
		}
	}
}

// samPolicies checks a SAM function's Policies: managed policy names,
// inline documents and SAM policy templates.
func (c *checker) samPolicies(owner string, v any) {
	for i, pol := range list(v) {
		switch pol := pol.(type) {
		case string:
			if adminPolicy.MatchString(pol) {
				c.add(owner, "admin-policy", fmt.Sprintf("Policies attaches %s, which grants far more than one function needs", pol))
			}
		case map[string]any:
			if _, ok := pol["Statement"]; ok {
				c.identity(owner, fmt.Sprintf("Policies[%d]", i), true, pol)
				continue
			}
			for tmpl := range pol {
				// The SAM policy templates that grant kms:Decrypt do so
				// without an encryption-context condition.
				if strings.Contains(tmpl, "KMSDecrypt") {
					c.add(owner, "kms-decrypt", fmt.Sprintf("Policies uses the SAM template %s, which grants kms:Decrypt without the kms:EncryptionContext:LambdaFunctionName condition; write the statement out", tmpl))
				}
			}
		}
	}
}

// identity checks an identity policy; lambda says whether a role that
// Lambda assumes may hold it.
func (c *checker) identity(owner, where string, lambda bool, doc any) {
	c.statements(owner, where, false, lambda, doc)
}

// document checks every statement of a resource policy.
func (c *checker) document(owner, where string, _ bool, doc any) {
	c.statements(owner, where, true, false, doc)
}

// statements checks every statement of a policy document.
func (c *checker) statements(owner, where string, resourcePolicy, lambda bool, doc any) {
	for _, raw := range list(get(doc, "Statement")) {
		m, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		st := statement{owner: owner, where: where, resource: resourcePolicy, lambda: lambda, principal: m["Principal"]}
		st.effect, _ = str(m["Effect"])
		if a, ok := m["Action"]; ok {
			st.actions = strs(a)
		} else {
			st.actions, st.notAction = strs(m["NotAction"]), true
		}
		if r, ok := m["Resource"]; ok {
			st.resources = strs(r)
		} else if r, ok := m["NotResource"]; ok {
			st.resources, st.notRes = strs(r), true
		}
		st.condition, _ = m["Condition"].(map[string]any)
		if st.effect == "Allow" {
			c.statement(st)
		}
	}
}

// statement applies the rules to one Allow statement.
func (c *checker) statement(st statement) {
	if st.notAction {
		c.add(st.owner, "wildcard-action", st.where+" uses NotAction in an Allow statement, which grants every other action")
	}
	// A resource policy that grants to the template's own account root
	// delegates to that account's IAM policies: AWS's default key policy
	// (kms:* to the root) is its own recommendation, not a wildcard grant.
	ownRoot := st.resource && ownAccountRoot(st.principal)
	for _, a := range st.actions {
		if strings.Contains(a, "*") && !ownRoot && !c.readOnlyWildcard(a) {
			c.add(st.owner, "wildcard-action", fmt.Sprintf("%s allows the wildcard action %q; list the actions the function needs", st.where, a))
		}
	}
	if st.resource {
		return // a resource policy's Resource is its own resource
	}
	if st.notRes {
		c.add(st.owner, "wildcard-resource", st.where+" uses NotResource in an Allow statement, which grants every other resource")
	}
	if hasStar(st.resources) {
		var extra []string
		for _, a := range st.actions {
			if !c.star[strings.ToLower(a)] {
				extra = append(extra, a)
			}
		}
		if len(extra) > 0 {
			c.add(st.owner, "wildcard-resource", fmt.Sprintf("%s allows %s on Resource \"*\"; name the resources", st.where, strings.Join(extra, ", ")))
		}
	}
	for _, a := range st.actions {
		switch strings.ToLower(a) {
		case "kms:decrypt":
			if st.lambda {
				c.kmsDecrypt(st)
			}
		case "secretsmanager:getsecretvalue":
			for _, r := range st.resources {
				if strings.Contains(r, "*") {
					c.add(st.owner, "secret-scope", fmt.Sprintf("%s allows secretsmanager:GetSecretValue on %q; name the one secret", st.where, r))
				}
			}
		}
	}
}

func (c *checker) kmsDecrypt(st statement) {
	if len(st.resources) != 1 || strings.Contains(st.resources[0], "*") {
		c.add(st.owner, "kms-decrypt", fmt.Sprintf("%s allows kms:Decrypt on %v; name the one key", st.where, st.resources))
	}
	for op, conds := range st.condition {
		if !strings.HasPrefix(op, "StringEquals") {
			continue
		}
		m, _ := conds.(map[string]any)
		for k := range m {
			// A function's configuration, or a branch key store's keys.
			if strings.EqualFold(k, "kms:EncryptionContext:LambdaFunctionName") || strings.EqualFold(k, "kms:EncryptionContext:tablename") {
				return
			}
		}
	}
	c.add(st.owner, "kms-decrypt", st.where+" allows kms:Decrypt without a StringEquals condition on kms:EncryptionContext:LambdaFunctionName (or, for a branch key store, kms:EncryptionContext:tablename), so any ciphertext under the key can be decrypted")
}

// hasStar reports whether a resource list grants everything: "*" itself, or
// an ARN whose every part after the service is a wildcard.
func hasStar(resources []string) bool {
	for _, r := range resources {
		if r == "*" {
			return true
		}
		parts := strings.SplitN(r, ":", 6)
		if len(parts) == 6 && parts[0] == "arn" && strings.Trim(parts[5], "*/") == "" {
			return true
		}
	}
	return false
}

// readOnlyWildcard reports whether the wildcard action a is one of the
// read-like wildcards that [Options.ReadOnlyWildcards] accepts.
func (c *checker) readOnlyWildcard(a string) bool {
	a = strings.ToLower(a)
	svc, name, ok := strings.Cut(a, ":")
	if !ok {
		return false
	}
	for _, ro := range c.readOnly {
		rsvc, rname, ok := strings.Cut(ro, ":")
		if ok && (rsvc == "*" || rsvc == svc) && rname == name {
			return true
		}
	}
	return false
}

// lambdaRole reports whether the role's trust policy lets Lambda assume it.
func (c *checker) lambdaRole(role string) bool {
	for _, st := range list(get(c.t.Resources[role].Properties, "AssumeRolePolicyDocument", "Statement")) {
		for _, svc := range strs(get(st, "Principal", "Service")) {
			switch svc {
			case "lambda.amazonaws.com", "edgelambda.amazonaws.com":
				return true
			}
		}
	}
	return false
}

// attachedToLambda reports whether an AWS::IAM::Policy or ManagedPolicy is
// attached to a role that Lambda assumes, or to no role of this template
// (then samcheck cannot tell, and assumes it may be).
func (c *checker) attachedToLambda(policy string) bool {
	p := c.t.Resources[policy].Properties
	known := len(list(p["Users"])) > 0 || len(list(p["Groups"])) > 0
	for _, r := range strs(p["Roles"]) {
		for _, ref := range refs(r) {
			if res, ok := c.t.Resources[ref]; ok && res.Type == "AWS::IAM::Role" {
				known = true
				if c.lambdaRole(ref) {
					return true
				}
			}
		}
	}
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		for _, a := range strs(r.Properties["ManagedPolicyArns"]) {
			if slices.Contains(refs(a), policy) {
				known = true
				if c.lambdaRole(name) {
					return true
				}
			}
		}
	}
	return !known
}

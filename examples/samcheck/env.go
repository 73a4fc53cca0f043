package samcheck

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// sensitiveName matches environment variable names that announce a
// sensitive value. Names such as UPSTREAM_SECRET_ARN or COGNITO_TOKEN_USE,
// which name or describe a secret rather than hold it, do not match, and
// neither does a bare KEY or a name such as PARTITION_KEY, S3_KEY or
// KMS_KEY: those hold a table's key attribute, an object key or a key ID.
// A KEY counts only after a word that makes it a credential (API_KEY,
// SECRET_KEY, PRIVATE_KEY, SIGNING_KEY, ...).
var sensitiveName = regexp.MustCompile(`(?i)(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|CREDENTIALS?|` +
	`(^|[^A-Z])(API|APP|SECRET|PRIVATE|ACCESS|SIGNING|SIGNATURE|ENCRYPTION|AUTH|CLIENT|MASTER|SESSION|` +
	`HMAC|JWT|LICEN[CS]E|SSH|WEBHOOK|ADMIN|SERVICE|CONSUMER|SHARED|DB|DATABASE)[_.-]?KEY)$`)

// envSet is the environment of one function, or of Globals.Function.
type envSet struct {
	owner string // function logical ID, or "Globals"
	vars  map[string]any
}

// envSets returns every function's variables, then those of Globals.
func (c *checker) envSets() []envSet {
	var out []envSet
	for _, fn := range c.functions() {
		if vars, ok := get(c.t.Resources[fn].Properties, "Environment", "Variables").(map[string]any); ok {
			out = append(out, envSet{fn, vars})
		}
	}
	if vars, ok := get(c.t.Globals, "Function", "Environment", "Variables").(map[string]any); ok {
		out = append(out, envSet{"Globals", vars})
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// environment applies hardcoded-env to every function's variables and to
// those of Globals.
func (c *checker) environment() {
	for _, set := range c.envSets() {
		for _, name := range sortedKeys(set.vars) {
			if !sensitiveName.MatchString(name) {
				continue
			}
			v := fmt.Sprint(set.vars[name])
			if detectCredential(v) != "" {
				continue // env-secret-value reports it
			}
			rs := refs(v)
			if len(rs) == 0 {
				switch {
				case v == "", dynamicReference(v):
				case kmsCiphertext(v):
					if set.owner != "Globals" && !c.mayDecrypt(set.owner) {
						c.add(set.owner, "hardcoded-env", fmt.Sprintf("Environment variable %s holds a KMS ciphertext, but the function's role does not allow kms:Decrypt", name))
					}
				default:
					c.add(set.owner, "hardcoded-env", fmt.Sprintf("Environment variable %s is sensitive but its value is written in the template; pass a KMS ciphertext through a NoEcho parameter", name))
				}
				continue
			}
			for _, ref := range rs {
				p, ok := c.t.Parameters[ref]
				if !ok {
					continue // a resource, such as a secret's ARN
				}
				if !truthy(p["NoEcho"]) {
					c.add(set.owner, "hardcoded-env", fmt.Sprintf("Environment variable %s comes from parameter %s, which is not NoEcho", name, ref))
				}
			}
		}
	}
}

// dynamicReference reports whether v is a CloudFormation dynamic reference,
// such as {{resolve:ssm-secure:name}}, which is resolved at deploy time.
func dynamicReference(v string) bool {
	return strings.HasPrefix(v, "{{resolve:") && strings.HasSuffix(v, "}}")
}

// kmsCiphertext reports whether v is a base64 AWS KMS ciphertext blob, as
// aws kms encrypt prints it: it starts with the blob's version bytes
// (AQICAH… or AQECAH…).
func kmsCiphertext(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) < 64 {
		return false
	}
	return b[0] == 1 && (b[1] == 1 || b[1] == 2) && b[2] == 2 && b[3] == 0
}

// mayDecrypt reports whether fn's execution role allows kms:Decrypt.
func (c *checker) mayDecrypt(fn string) bool {
	for _, a := range c.functionActions(fn) {
		switch strings.ToLower(a) {
		case "kms:decrypt", "kms:*", "*":
			return true
		}
	}
	for _, pol := range list(c.t.Resources[fn].Properties["Policies"]) {
		if m, ok := pol.(map[string]any); ok {
			for tmpl := range m {
				if strings.Contains(tmpl, "KMSDecrypt") {
					return true
				}
			}
		}
	}
	return false
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

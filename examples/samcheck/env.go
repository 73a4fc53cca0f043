package samcheck

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// sensitiveName matches environment variable names that announce a
// sensitive value. Names such as UPSTREAM_SECRET_ARN or COGNITO_TOKEN_USE,
// which name or describe a secret rather than hold it, do not match.
var sensitiveName = regexp.MustCompile(`(?i)(SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIALS?)$`)

// environment applies hardcoded-env to every function's variables.
func (c *checker) environment() {
	for _, fn := range c.functions() {
		vars, _ := get(c.t.Resources[fn].Properties, "Environment", "Variables").(map[string]any)
		names := make([]string, 0, len(vars))
		for n := range vars {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			if !sensitiveName.MatchString(name) {
				continue
			}
			v := fmt.Sprint(vars[name])
			rs := refs(v)
			if len(rs) == 0 {
				c.add(fn, "hardcoded-env", fmt.Sprintf("Environment variable %s is sensitive but its value is written in the template; pass a KMS ciphertext through a NoEcho parameter", name))
				continue
			}
			for _, ref := range rs {
				p, ok := c.t.Parameters[ref]
				if !ok {
					continue // a resource, such as a secret's ARN
				}
				if !truthy(p["NoEcho"]) {
					c.add(fn, "hardcoded-env", fmt.Sprintf("Environment variable %s comes from parameter %s, which is not NoEcho", name, ref))
				}
			}
		}
	}
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

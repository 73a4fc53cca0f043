package samcheck

import (
	"fmt"
	"slices"
	"strings"
)

// roles applies own-role: every function has an execution role of its own.
func (c *checker) roles() {
	users := map[string][]string{} // role logical ID -> functions
	for _, fn := range c.functions() {
		r := c.t.Resources[fn]
		role, ok := str(r.Properties["Role"])
		if !ok || role == "" {
			if r.Type == "AWS::Serverless::Function" {
				continue // SAM creates a role for this function alone
			}
			c.add(fn, "own-role", "the function has no Role")
			continue
		}
		var target string
		for _, ref := range refs(role) {
			if res, ok := c.t.Resources[ref]; ok && res.Type == "AWS::IAM::Role" {
				target = ref
			}
		}
		if target == "" {
			c.add(fn, "own-role", fmt.Sprintf("Role %q is not an AWS::IAM::Role defined in this template, so nothing shows it is the function's own", role))
			continue
		}
		users[target] = append(users[target], fn)
	}
	for _, fn := range c.functions() {
		for role, fns := range users {
			if len(fns) > 1 && slices.Contains(fns, fn) {
				c.add(fn, "own-role", fmt.Sprintf("execution role %s is shared by %s; give each function its own", role, strings.Join(fns, ", ")))
			}
		}
	}
}

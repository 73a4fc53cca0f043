package samcheck

import (
	"fmt"
	"slices"
	"strings"
)

// dataPlane lists the DynamoDB actions that read or write items, lowercased.
var dataPlane = map[string]bool{
	"dynamodb:getitem": true, "dynamodb:putitem": true, "dynamodb:updateitem": true,
	"dynamodb:deleteitem": true, "dynamodb:query": true, "dynamodb:scan": true,
	"dynamodb:batchgetitem": true, "dynamodb:batchwriteitem": true,
	"dynamodb:transactgetitems": true, "dynamodb:transactwriteitems": true,
	"dynamodb:conditioncheckitem": true, "dynamodb:partiqlselect": true,
	"dynamodb:partiqlinsert": true, "dynamodb:partiqlupdate": true,
	"dynamodb:partiqldelete": true,
}

func isTable(typ string) bool {
	return typ == "AWS::DynamoDB::Table" || typ == "AWS::Serverless::SimpleTable"
}

// dynamodb applies dynamodb-sse and dynamodb-scope.
func (c *checker) dynamodb() {
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		switch r.Type {
		case "AWS::Serverless::SimpleTable":
			c.add(name, "dynamodb-sse", "a SimpleTable cannot be encrypted with a customer managed key; use AWS::DynamoDB::Table with SSESpecification.KMSMasterKeyId")
		case "AWS::DynamoDB::Table":
			sse := r.Properties["SSESpecification"]
			typ, _ := str(get(sse, "SSEType"))
			key, hasKey := str(get(sse, "KMSMasterKeyId"))
			switch {
			case !truthy(get(sse, "SSEEnabled")) || !strings.EqualFold(typ, "KMS"):
				c.add(name, "dynamodb-sse", "SSESpecification does not enable SSEType KMS, so the table is encrypted with an AWS owned key that no key policy controls")
			case !hasKey || key == "" || strings.Contains(strings.ToLower(key), "alias/aws/"):
				c.add(name, "dynamodb-sse", "SSESpecification.KMSMasterKeyId does not name a customer managed key, so the AWS managed key's policy, not yours, controls the table")
			}
		}
	}
	for _, fn := range c.functions() {
		c.tableScope(fn)
	}
}

// tableScope applies dynamodb-scope to fn's role: data-plane actions only
// on the tables the function is told about in its environment.
func (c *checker) tableScope(fn string) {
	p := c.t.Resources[fn].Properties
	var uses []string
	vars, _ := get(p, "Environment", "Variables").(map[string]any)
	for _, v := range vars {
		for _, ref := range refs(fmt.Sprint(v)) {
			if r, ok := c.t.Resources[ref]; ok && isTable(r.Type) {
				uses = append(uses, ref)
			}
		}
	}
	for _, st := range c.functionStatements(fn) {
		if eff, _ := str(get(st, "Effect")); eff != "Allow" {
			continue
		}
		var actions []string
		for _, a := range strs(get(st, "Action")) {
			if dataPlane[strings.ToLower(a)] || strings.HasPrefix(strings.ToLower(a), "dynamodb:*") {
				actions = append(actions, a)
			}
		}
		if len(actions) == 0 {
			continue
		}
		what := strings.Join(actions, ", ")
		for _, res := range strs(get(st, "Resource")) {
			var tables []string
			for _, ref := range refs(res) {
				if r, ok := c.t.Resources[ref]; ok && isTable(r.Type) {
					tables = append(tables, ref)
				}
			}
			switch {
			case len(tables) == 0:
				c.add(fn, "dynamodb-scope", fmt.Sprintf("the role allows %s on %q; name the table the function uses (its ARN from the template)", what, res))
			case strings.Contains(strings.TrimPrefix(res, "${"+tables[0]+".Arn}"), "*") && !strings.HasPrefix(res, "${"+tables[0]+".Arn}/index/"):
				c.add(fn, "dynamodb-scope", fmt.Sprintf("the role allows %s on %q, a wildcard over tables; name the table", what, res))
			default:
				for _, t := range tables {
					if !slices.Contains(uses, t) {
						c.add(fn, "dynamodb-scope", fmt.Sprintf("the role allows %s on table %s, which the function's environment does not name", what, t))
					}
				}
			}
		}
	}
}

// functionStatements returns the statements of fn's execution role (its
// own, or SAM's from Policies).
func (c *checker) functionStatements(fn string) []any {
	p := c.t.Resources[fn].Properties
	var docs []any
	if role, ok := str(p["Role"]); ok {
		for _, ref := range refs(role) {
			if r, ok := c.t.Resources[ref]; ok && r.Type == "AWS::IAM::Role" {
				for _, pol := range list(r.Properties["Policies"]) {
					docs = append(docs, get(pol, "PolicyDocument"))
				}
			}
		}
	}
	docs = append(docs, list(p["Policies"])...)
	var out []any
	for _, d := range docs {
		out = append(out, list(get(d, "Statement"))...)
	}
	return out
}

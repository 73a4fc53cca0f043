package samcheck

import (
	"os"
	"slices"
	"strings"
)

// Finding is one broken rule.
type Finding struct {
	// Resource is the logical ID of the resource that breaks the rule.
	Resource string
	// Rule is the rule's name, such as "own-role" (see the package doc).
	Rule string
	// Message says what is wrong, naming the property, action or resource.
	Message string
}

// String returns "Resource: Rule: Message".
func (f Finding) String() string { return f.Resource + ": " + f.Rule + ": " + f.Message }

// Options adjusts the checks. The zero value applies every rule with the
// defaults.
type Options struct {
	// StarResourceActions lists the actions that may be granted on
	// Resource "*" because AWS supports no narrower resource for them.
	// Nil means [DefaultStarResourceActions]. Entries are matched
	// case-insensitively.
	StarResourceActions []string
}

// DefaultStarResourceActions are the actions commonly needed by Lambda
// functions that AWS only authorizes on Resource "*": X-Ray tracing and the
// network interfaces Lambda manages for a function in a VPC.
var DefaultStarResourceActions = []string{
	"xray:PutTraceSegments",
	"xray:PutTelemetryRecords",
	"ec2:CreateNetworkInterface",
	"ec2:DescribeNetworkInterfaces",
	"ec2:DeleteNetworkInterface",
	"ec2:AssignPrivateIpAddresses",
	"ec2:UnassignPrivateIpAddresses",
}

// Check parses a YAML or JSON template and returns every rule it breaks, in
// a stable order. opts may be nil. An error means the template could not be
// read as a template at all.
func Check(data []byte, opts *Options) ([]Finding, error) {
	t, err := parse(data)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	star := opts.StarResourceActions
	if star == nil {
		star = DefaultStarResourceActions
	}
	c := &checker{t: t, star: make(map[string]bool, len(star))}
	for _, a := range star {
		c.star[strings.ToLower(a)] = true
	}
	c.policies()
	c.roles()
	c.environment()
	c.permissions()
	c.network()
	c.dynamodb()
	slices.SortStableFunc(c.findings, func(a, b Finding) int {
		return strings.Compare(a.Resource+"\x00"+a.Rule, b.Resource+"\x00"+b.Rule)
	})
	return c.findings, nil
}

// CheckFile is [Check] on the template in the named file.
func CheckFile(name string, opts *Options) ([]Finding, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return Check(data, opts)
}

type checker struct {
	t        *template
	star     map[string]bool
	findings []Finding
}

func (c *checker) add(res, rule, msg string) {
	c.findings = append(c.findings, Finding{Resource: res, Rule: rule, Message: msg})
}

// isFunction reports whether typ is a Lambda function resource.
func isFunction(typ string) bool {
	return typ == "AWS::Serverless::Function" || typ == "AWS::Lambda::Function"
}

// functions returns the logical IDs of every function, sorted.
func (c *checker) functions() []string {
	var out []string
	for _, name := range c.t.sortedNames() {
		if isFunction(c.t.Resources[name].Type) {
			out = append(out, name)
		}
	}
	return out
}

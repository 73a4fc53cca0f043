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
	// Line is the line of the template on which the resource (or the
	// top-level section, such as Globals) starts; 0 when unknown.
	Line int
	// Suppressed is the reason given by the template's Metadata for
	// accepting this finding (see the package doc), or "" for a finding
	// that is not suppressed. [Check] returns suppressed findings only with
	// [Options.IncludeSuppressed].
	Suppressed string
}

// String returns "Resource: Rule: Message", followed by
// " (suppressed: reason)" for a suppressed finding.
func (f Finding) String() string {
	s := f.Resource + ": " + f.Rule + ": " + f.Message
	if f.Suppressed != "" {
		s += " (suppressed: " + f.Suppressed + ")"
	}
	return s
}

// Options adjusts the checks. The zero value applies every rule with the
// defaults.
type Options struct {
	// StarResourceActions lists the actions that may be granted on
	// Resource "*" because AWS supports no narrower resource for them.
	// Nil means [DefaultStarResourceActions]. Entries are matched
	// case-insensitively.
	StarResourceActions []string

	// ReadOnlyWildcards lists the wildcard actions that wildcard-action
	// accepts because they only grant read-like calls that reveal no data,
	// such as "dynamodb:Describe*". An entry whose service is "*" (as in
	// "*:List*") applies to every service. Nil means
	// [DefaultReadOnlyWildcards]; an empty, non-nil slice accepts none.
	// Entries are matched case-insensitively, against the whole action.
	ReadOnlyWildcards []string

	// IncludeSuppressed makes [Check] also return the findings that the
	// template suppresses in its Metadata, with [Finding.Suppressed] set.
	IncludeSuppressed bool
}

// DefaultReadOnlyWildcards are the read-like wildcard actions that
// wildcard-action accepts by default: List* and Describe* of any service,
// which read names and settings but no data and no secret values. Get* is
// not among them, since secretsmanager:GetSecretValue and s3:GetObject
// match it.
var DefaultReadOnlyWildcards = []string{"*:List*", "*:Describe*"}

// DefaultStarResourceActions are the actions commonly needed by Lambda
// functions that AWS only authorizes on Resource "*": X-Ray tracing, the
// network interfaces Lambda manages for a function in a VPC, and the
// password generator of Secrets Manager rotation functions.
var DefaultStarResourceActions = []string{
	"secretsmanager:GetRandomPassword",
	"xray:PutTraceSegments",
	"xray:PutTelemetryRecords",
	"ec2:CreateNetworkInterface",
	"ec2:DescribeNetworkInterfaces",
	"ec2:DeleteNetworkInterface",
	"ec2:AssignPrivateIpAddresses",
	"ec2:UnassignPrivateIpAddresses",
}

// Check parses a YAML or JSON template and returns every rule it breaks, in
// a stable order. opts may be nil. An error wrapping [ErrParse] means the
// template could not be read as a template at all, and one wrapping
// [ErrUnsupported] that it uses a feature samcheck cannot check.
//
// Findings that the template suppresses with a reason in its Metadata are
// left out unless [Options.IncludeSuppressed] is set.
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
	ro := opts.ReadOnlyWildcards
	if ro == nil {
		ro = DefaultReadOnlyWildcards
	}
	c := &checker{t: t, star: make(map[string]bool, len(star))}
	for _, a := range star {
		c.star[strings.ToLower(a)] = true
	}
	for _, a := range ro {
		c.readOnly = append(c.readOnly, strings.ToLower(a))
	}
	c.duplicates()
	c.policies()
	c.roles()
	c.environment()
	c.secretValues()
	c.permissions()
	c.principals()
	c.routes()
	c.network()
	c.dynamodb()
	slices.SortStableFunc(c.findings, func(a, b Finding) int {
		return strings.Compare(a.Resource+"\x00"+a.Rule, b.Resource+"\x00"+b.Rule)
	})
	out := c.findings[:0]
	for _, f := range c.findings {
		f.Line = t.outline.lines[f.Resource]
		f.Suppressed = c.suppression(f)
		if f.Suppressed == "" && c.unexplained(f) {
			f.Message += "; the Metadata suppression of this rule is ignored because it gives no reason"
		}
		if f.Suppressed == "" || opts.IncludeSuppressed {
			out = append(out, f)
		}
	}
	return out, nil
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
	readOnly []string
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

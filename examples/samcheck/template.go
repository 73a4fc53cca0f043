package samcheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// template is a parsed template, with every intrinsic function turned into a
// string that holds ${Name} references.
type template struct {
	Parameters map[string]map[string]any
	Resources  map[string]resource
	Globals    map[string]any
	Metadata   map[string]any

	outline *outline
}

type resource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
}

// sortedNames returns the resources' logical IDs in order, so that findings
// come out in a stable order.
func (t *template) sortedNames() []string {
	names := make([]string, 0, len(t.Resources))
	for n := range t.Resources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// goformationMu serialises intrinsics.ProcessYAML, which registers its tag
// handlers in a package-level map on every call.
var goformationMu sync.Mutex

// parse reads a YAML or JSON template.
func parse(data []byte) (*template, error) {
	o, data, err := scan(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	if o.forEach != "" {
		return nil, fmt.Errorf("%w: %s: Fn::ForEach (of the AWS::LanguageExtensions transform) is not supported, so nothing in this template was checked", ErrUnsupported, o.forEach)
	}
	opts := &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: handlers()}
	goformationMu.Lock()
	processed, err := intrinsics.ProcessYAML(data, opts)
	goformationMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	var t template
	if err := json.Unmarshal(processed, &t); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	if len(t.Resources) == 0 {
		return nil, fmt.Errorf("%w: template has no Resources", ErrParse)
	}
	t.outline = o
	return &t, nil
}

// handlers keeps intrinsic functions as ${...} strings instead of resolving
// them, so that a Ref or GetAtt still says which resource it names.
func handlers() map[string]intrinsics.IntrinsicHandler {
	opaque := func(name string, _ any, _ any) any { return "${" + name + "}" }
	h := map[string]intrinsics.IntrinsicHandler{
		"Ref": func(_ string, in any, _ any) any { return "${" + fmt.Sprint(in) + "}" },
		"Fn::GetAtt": func(_ string, in any, _ any) any {
			if parts, ok := in.([]any); ok {
				strs := make([]string, len(parts))
				for i, p := range parts {
					strs[i] = fmt.Sprint(p)
				}
				return "${" + strings.Join(strs, ".") + "}"
			}
			return "${" + fmt.Sprint(in) + "}"
		},
		"Fn::Sub": func(_ string, in any, _ any) any {
			if parts, ok := in.([]any); ok && len(parts) > 0 {
				return fmt.Sprint(parts[0])
			}
			return fmt.Sprint(in)
		},
		"Fn::Join": func(_ string, in any, _ any) any {
			parts, ok := in.([]any)
			if !ok || len(parts) != 2 {
				return "${Fn::Join}"
			}
			items, ok := parts[1].([]any)
			if !ok {
				return "${Fn::Join}"
			}
			strs := make([]string, len(items))
			for i, it := range items {
				strs[i] = fmt.Sprint(it)
			}
			return strings.Join(strs, fmt.Sprint(parts[0]))
		},
	}
	for _, name := range []string{
		"Fn::Base64", "Fn::And", "Fn::Equals", "Fn::If", "Fn::Not", "Fn::Or",
		"Fn::FindInMap", "Fn::GetAZs", "Fn::ImportValue", "Fn::Select",
		"Fn::Split", "Fn::Cidr", "Fn::Transform",
	} {
		h[name] = opaque
	}
	return h
}

var refPattern = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// refs returns the logical names that s references through ${Name} or
// ${Name.Attribute}.
func refs(s string) []string {
	var out []string
	for _, m := range refPattern.FindAllStringSubmatch(s, -1) {
		name, _, _ := strings.Cut(m[1], ".")
		out = append(out, name)
	}
	return out
}

// str returns v as a string, and whether it was one.
func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// strs returns a string or a list of strings as a slice; anything else is
// returned as its printed form so that it is still inspected.
func strs(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}

// get walks nested maps along keys.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// list returns v as a list, wrapping a single value.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

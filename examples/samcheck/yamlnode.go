package samcheck

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// outline is what the YAML node tree tells about a template before its
// intrinsic functions are processed: where each resource starts, which
// mapping keys are written twice, and whether it uses a language extension
// that samcheck cannot expand.
type outline struct {
	lines   map[string]int // resource logical ID (or top-level section) -> line
	dups    []duplicate
	forEach string // the first Fn::ForEach key, if any
}

// duplicate is a mapping key written more than once. CloudFormation keeps
// the last value; so does samcheck, and reports the key.
type duplicate struct {
	section  string // top-level section, such as Resources
	resource string // logical ID under Resources, Parameters, ...; "" at top level
	path     string // dotted path of the key
	lines    []int  // every line the key is written on
}

// maxDepth bounds the node walk so that hostile nesting cannot exhaust the
// stack; yaml.v3 itself refuses documents nested deeper than this.
const maxDepth = 10000

// scan parses data as YAML and returns its outline and, when keys were
// duplicated, the document re-encoded with only the last of each, which is
// what CloudFormation deploys.
func scan(data []byte) (*outline, []byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	o := &outline{lines: map[string]int{}}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return o, data, nil
	}
	root := doc.Content[0]
	changed := o.walk(root, nil, 0)
	if root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			o.lines[k.Value] = k.Line
			if v.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				if k.Value == "Resources" {
					o.lines[v.Content[j].Value] = v.Content[j].Line
				}
			}
		}
	}
	if !changed {
		return o, data, nil
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, nil, err
	}
	return o, out, nil
}

// walk records duplicate keys and Fn::ForEach below n, drops every earlier
// occurrence of a duplicated key, and reports whether it dropped any.
func (o *outline) walk(n *yaml.Node, path []string, depth int) bool {
	if n == nil || depth > maxDepth {
		return false
	}
	changed := false
	switch n.Kind {
	case yaml.MappingNode:
		last := map[string]int{}   // key -> index of its last occurrence
		seen := map[string][]int{} // key -> lines
		var order []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if strings.HasPrefix(k.Value, "Fn::ForEach::") && o.forEach == "" {
				o.forEach = k.Value
			}
			if _, ok := seen[k.Value]; !ok {
				order = append(order, k.Value)
			}
			seen[k.Value] = append(seen[k.Value], k.Line)
			last[k.Value] = i
		}
		if len(order)*2 != len(n.Content) {
			kept := make([]*yaml.Node, 0, 2*len(order))
			for i := 0; i+1 < len(n.Content); i += 2 {
				if last[n.Content[i].Value] == i {
					kept = append(kept, n.Content[i], n.Content[i+1])
				}
			}
			n.Content = kept
			changed = true
			for _, k := range order {
				if len(seen[k]) > 1 {
					o.dups = append(o.dups, newDuplicate(append(path[:len(path):len(path)], k), seen[k]))
				}
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if o.walk(n.Content[i+1], append(path[:len(path):len(path)], n.Content[i].Value), depth+1) {
				changed = true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if o.walk(c, append(path[:len(path):len(path)], fmt.Sprintf("[%d]", i)), depth+1) {
				changed = true
			}
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if o.walk(c, path, depth+1) {
				changed = true
			}
		}
	}
	return changed
}

func newDuplicate(path []string, lines []int) duplicate {
	d := duplicate{section: path[0], lines: lines}
	if len(path) > 1 {
		d.resource = path[1]
	}
	var b strings.Builder
	for i, p := range path {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	d.path = b.String()
	return d
}

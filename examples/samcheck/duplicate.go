package samcheck

import (
	"fmt"
	"strings"
)

// duplicates applies duplicate-key: no mapping key is written twice. YAML
// forbids it and JSON leaves it undefined; CloudFormation reportedly keeps
// the last value, so samcheck checks that one and reports the key, since a
// reviewer may read the first.
func (c *checker) duplicates() {
	for _, d := range c.t.outline.dups {
		res := d.section
		if d.section == "Resources" && d.resource != "" {
			res = d.resource
		}
		lines := make([]string, len(d.lines))
		for i, l := range d.lines {
			lines[i] = fmt.Sprint(l)
		}
		c.add(res, "duplicate-key", fmt.Sprintf("%s is written %d times (lines %s); CloudFormation keeps only the last", d.path, len(d.lines), strings.Join(lines, ", ")))
	}
}

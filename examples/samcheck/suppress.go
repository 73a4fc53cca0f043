package samcheck

import "strings"

// suppression returns the reason with which the template accepts f, or "".
//
// A resource accepts a finding about itself with an entry in its Metadata:
//
//	Metadata:
//	  samcheck:
//	    suppress:
//	      - rule: open-route
//	        reason: public health check, returns no data
//
// The template's own top-level Metadata does the same for findings about a
// section rather than a resource (Globals, Parameters). An entry that gives
// no reason suppresses nothing: the finding stays, and says so.
func (c *checker) suppression(f Finding) string {
	md := c.t.Metadata
	if r, ok := c.t.Resources[f.Resource]; ok {
		md = r.Metadata
	}
	for _, e := range list(get(md, "samcheck", "suppress")) {
		rule, _ := str(get(e, "rule"))
		if rule != f.Rule {
			continue
		}
		reason, _ := str(get(e, "reason"))
		if reason = strings.TrimSpace(reason); reason != "" {
			return reason
		}
	}
	return ""
}

// unexplained reports whether the Metadata of f's resource names f's rule in
// a suppression that gives no reason.
func (c *checker) unexplained(f Finding) bool {
	md := c.t.Metadata
	if r, ok := c.t.Resources[f.Resource]; ok {
		md = r.Metadata
	}
	for _, e := range list(get(md, "samcheck", "suppress")) {
		rule, _ := str(get(e, "rule"))
		reason, _ := str(get(e, "reason"))
		if rule == f.Rule && strings.TrimSpace(reason) == "" {
			return true
		}
	}
	return false
}

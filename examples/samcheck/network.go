package samcheck

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// network applies vpc-security-group, open-ingress and vpc-endpoint.
func (c *checker) network() {
	sgUsers := map[string][]string{}
	for _, fn := range c.functions() {
		vpc, ok := c.t.Resources[fn].Properties["VpcConfig"].(map[string]any)
		if !ok {
			continue
		}
		for _, sg := range strs(vpc["SecurityGroupIds"]) {
			target := ""
			for _, ref := range refs(sg) {
				if res, ok := c.t.Resources[ref]; ok && res.Type == "AWS::EC2::SecurityGroup" {
					target = ref
				}
				if _, ok := c.t.Parameters[ref]; ok {
					target = "-" // chosen at deploy time: nothing to check here
				}
			}
			switch target {
			case "":
				c.add(fn, "vpc-security-group", fmt.Sprintf("security group %q is not defined in this template nor a parameter, so nothing shows it is dedicated to the function", sg))
			case "-":
			default:
				sgUsers[target] = append(sgUsers[target], fn)
			}
		}
		c.endpoints(fn)
	}
	for sg, fns := range sgUsers {
		if len(fns) > 1 {
			c.add(sg, "vpc-security-group", "security group is shared by functions "+strings.Join(fns, ", ")+"; give each function its own")
		}
		p := c.t.Resources[sg].Properties
		if len(list(p["SecurityGroupIngress"])) > 0 || c.hasIngressResource(sg) {
			c.add(sg, "vpc-security-group", "a function's security group has ingress rules; Lambda needs none")
		}
		egress := list(p["SecurityGroupEgress"])
		if len(egress) == 0 {
			c.add(sg, "vpc-security-group", "no SecurityGroupEgress, so AWS adds allow-all egress; list the egress the function needs")
		}
		for _, e := range egress {
			proto := fmt.Sprint(get(e, "IpProtocol"))
			if proto == "-1" || strings.EqualFold(proto, "all") {
				c.add(sg, "vpc-security-group", "egress allows every protocol and port")
				continue
			}
			if c.openCIDR(e) != "" && !(proto == "tcp" && fmt.Sprint(get(e, "FromPort")) == "443" && fmt.Sprint(get(e, "ToPort")) == "443") {
				c.add(sg, "vpc-security-group", fmt.Sprintf("egress to the whole internet on %s %v-%v; allow HTTPS only", proto, get(e, "FromPort"), get(e, "ToPort")))
			}
		}
	}
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		switch r.Type {
		case "AWS::EC2::SecurityGroup":
			for _, in := range list(r.Properties["SecurityGroupIngress"]) {
				if from := c.openCIDR(in); from != "" {
					c.add(name, "open-ingress", "ingress from "+from)
				}
			}
		case "AWS::EC2::SecurityGroupIngress":
			if from := c.openCIDR(r.Properties); from != "" {
				c.add(name, "open-ingress", "ingress from "+from)
			}
		}
	}
}

// openCIDR returns a description of the whole-internet range a security
// group rule admits, or "". The range may be written in any form that
// denotes a /0 (0.0.0.0/0, ::/0, 0000::/0, 0:0:0:0:0:0:0:0/0, …), or come
// from a parameter whose Default is one.
func (c *checker) openCIDR(rule any) string {
	for _, key := range []string{"CidrIp", "CidrIpv6"} {
		v, _ := str(get(rule, key))
		if zeroPrefix(v) {
			return v
		}
		for _, ref := range refs(v) {
			if p, ok := c.t.Parameters[ref]; ok {
				if d, _ := str(p["Default"]); zeroPrefix(d) {
					return fmt.Sprintf("%s (the Default of parameter %s)", d, ref)
				}
			}
		}
	}
	return ""
}

// zeroPrefix reports whether s is a CIDR block with prefix length 0, which
// admits every address whatever the address part says.
func zeroPrefix(s string) bool {
	addr, bits, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || strings.TrimLeft(bits, "0") != "" || bits == "" {
		return false
	}
	if strings.Contains(addr, ":") {
		_, err := netip.ParseAddr(addr)
		return err == nil
	}
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 255 {
			return false
		}
	}
	return true
}

func (c *checker) hasIngressResource(sg string) bool {
	for _, r := range c.t.Resources {
		if r.Type != "AWS::EC2::SecurityGroupIngress" {
			continue
		}
		id, _ := str(r.Properties["GroupId"])
		for _, ref := range refs(id) {
			if ref == sg {
				return true
			}
		}
	}
	return false
}

// endpoints applies vpc-endpoint: a function in a VPC reaches KMS, Secrets
// Manager and DynamoDB through VPC endpoints, not the internet.
func (c *checker) endpoints(fn string) {
	for _, svc := range []string{"kms", "secretsmanager", "dynamodb"} {
		if !c.functionCalls(fn, svc+":") {
			continue
		}
		found := false
		for _, r := range c.t.Resources {
			if r.Type != "AWS::EC2::VPCEndpoint" {
				continue
			}
			name, _ := str(r.Properties["ServiceName"])
			if strings.HasSuffix(name, "."+svc) {
				found = true
			}
		}
		if !found {
			c.add(fn, "vpc-endpoint", fmt.Sprintf("the function is in a VPC and calls %s, but the template has no AWS::EC2::VPCEndpoint for it", svc))
		}
	}
}

// functionCalls reports whether fn's execution role (its own, or SAM's
// from Policies) allows an action with the given service prefix.
func (c *checker) functionCalls(fn, prefix string) bool {
	for _, a := range c.functionActions(fn) {
		if strings.HasPrefix(strings.ToLower(a), prefix) {
			return true
		}
	}
	return false
}

// functionActions returns the actions of the inline statements of fn's
// execution role (its own, or SAM's from Policies).
func (c *checker) functionActions(fn string) []string {
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
	var out []string
	for _, d := range docs {
		for _, st := range list(get(d, "Statement")) {
			out = append(out, strs(get(st, "Action"))...)
		}
	}
	return out
}

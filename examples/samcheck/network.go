package samcheck

import (
	"fmt"
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
			}
			if target == "" {
				c.add(fn, "vpc-security-group", fmt.Sprintf("security group %q is not defined in this template, so nothing shows it is dedicated to the function", sg))
				continue
			}
			sgUsers[target] = append(sgUsers[target], fn)
		}
		subnets := strs(vpc["SubnetIds"])
		for _, s := range subnets {
			if len(refs(s)) == 0 {
				c.add(fn, "vpc-security-group", fmt.Sprintf("subnet %q is written in the template; take the Lambda subnets from a parameter", s))
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
			if openCIDR(e) && !(proto == "tcp" && fmt.Sprint(get(e, "FromPort")) == "443" && fmt.Sprint(get(e, "ToPort")) == "443") {
				c.add(sg, "vpc-security-group", fmt.Sprintf("egress to the whole internet on %s %v-%v; allow HTTPS only", proto, get(e, "FromPort"), get(e, "ToPort")))
			}
		}
	}
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		switch r.Type {
		case "AWS::EC2::SecurityGroup":
			for _, in := range list(r.Properties["SecurityGroupIngress"]) {
				if openCIDR(in) {
					c.add(name, "open-ingress", "ingress from 0.0.0.0/0 or ::/0")
				}
			}
		case "AWS::EC2::SecurityGroupIngress":
			if openCIDR(r.Properties) {
				c.add(name, "open-ingress", "ingress from 0.0.0.0/0 or ::/0")
			}
		}
	}
}

func openCIDR(rule any) bool {
	v4, _ := str(get(rule, "CidrIp"))
	v6, _ := str(get(rule, "CidrIpv6"))
	return v4 == "0.0.0.0/0" || v6 == "::/0"
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
	for _, d := range docs {
		for _, st := range list(get(d, "Statement")) {
			for _, a := range strs(get(st, "Action")) {
				if strings.HasPrefix(strings.ToLower(a), prefix) {
					return true
				}
			}
		}
	}
	return false
}

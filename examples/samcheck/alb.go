package samcheck

import (
	"fmt"
	"sort"
	"strings"
)

// albRoutes applies open-route to Application Load Balancers: a listener,
// or a listener rule, of a load balancer that is not internal and that
// forwards to a Lambda target group must first authenticate the request:
// an authenticate-cognito or authenticate-oidc action whose
// OnUnauthenticatedRequest is not allow, or the load balancer's
// jwt-validation action, ordered before the forward. Without one, anyone
// on the internet invokes the function.
func (c *checker) albRoutes() {
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		var actions any
		var lbRefs []string
		switch r.Type {
		case "AWS::ElasticLoadBalancingV2::Listener":
			actions = r.Properties["DefaultActions"]
			lbRefs = refs(fmt.Sprint(r.Properties["LoadBalancerArn"]))
		case "AWS::ElasticLoadBalancingV2::ListenerRule":
			actions = r.Properties["Actions"]
			for _, l := range refs(fmt.Sprint(r.Properties["ListenerArn"])) {
				if lr, ok := c.t.Resources[l]; ok {
					lbRefs = append(lbRefs, refs(fmt.Sprint(lr.Properties["LoadBalancerArn"]))...)
				}
			}
		default:
			continue
		}
		if c.internalLB(lbRefs) {
			continue
		}
		authAt, forwards := -1, map[string]int{} // order of the first authentication; Lambda target groups -> order of their forward
		for i, raw := range list(actions) {
			a, ok := raw.(map[string]any)
			if !ok {
				continue
			}
			order := i + 1
			if o, ok := a["Order"].(float64); ok {
				order = int(o)
			}
			typ, _ := str(a["Type"])
			switch strings.ToLower(typ) {
			case "authenticate-cognito", "authenticate-oidc":
				cfg := get(a, "AuthenticateCognitoConfig")
				if cfg == nil {
					cfg = get(a, "AuthenticateOidcConfig")
				}
				if on, _ := str(get(cfg, "OnUnauthenticatedRequest")); strings.EqualFold(on, "allow") {
					continue
				}
				if authAt < 0 || order < authAt {
					authAt = order
				}
			case "jwt-validation":
				if authAt < 0 || order < authAt {
					authAt = order
				}
			case "forward":
				tgs := refs(fmt.Sprint(a["TargetGroupArn"]))
				for _, tg := range list(get(a, "ForwardConfig", "TargetGroups")) {
					tgs = append(tgs, refs(fmt.Sprint(get(tg, "TargetGroupArn")))...)
				}
				for _, tg := range tgs {
					if t, ok := c.t.Resources[tg]; ok && t.Type == "AWS::ElasticLoadBalancingV2::TargetGroup" && strings.EqualFold(fmt.Sprint(t.Properties["TargetType"]), "lambda") {
						forwards[tg] = order
					}
				}
			}
		}
		tgs := make([]string, 0, len(forwards))
		for tg, order := range forwards {
			if authAt < 0 || authAt > order {
				tgs = append(tgs, tg)
			}
		}
		sort.Strings(tgs)
		for _, tg := range tgs {
			c.add(name, "open-route", fmt.Sprintf("forwards to the Lambda target group %s without an authenticate-cognito, authenticate-oidc (OnUnauthenticatedRequest not allow) or jwt-validation action before it: anyone on the internet can invoke the function", tg))
		}
	}
}

// internalLB reports whether one of the load balancers named is in the
// template with Scheme internal, which the internet cannot reach.
func (c *checker) internalLB(names []string) bool {
	for _, n := range names {
		if lb, ok := c.t.Resources[n]; ok && lb.Type == "AWS::ElasticLoadBalancingV2::LoadBalancer" {
			if s, _ := str(lb.Properties["Scheme"]); s == "internal" {
				return true
			}
		}
	}
	return false
}

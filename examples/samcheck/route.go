package samcheck

import (
	"fmt"
	"strings"
)

// routes applies open-route: no API route, function URL or load balancer
// listener can be called by anyone on the internet. A route is closed by an authorizer (Lambda,
// Cognito, JWT or IAM), an API key, a private endpoint, or a resource policy
// that admits a restricted set of callers; an IP deny-list alone does not
// close it. OPTIONS routes, which answer CORS preflights, are exempt.
func (c *checker) routes() {
	urls := map[string]bool{} // functions with a public URL in the template
	if auth, _ := str(get(c.t.Globals, "Function", "FunctionUrlConfig", "AuthType")); auth == "NONE" {
		c.add("Globals", "open-route", "Function.FunctionUrlConfig has AuthType NONE: every SAM function gets a URL that anyone on the internet can invoke")
	}
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		p := r.Properties
		switch r.Type {
		case "AWS::ApiGateway::Method":
			c.restMethod(name, p)
		case "AWS::ApiGatewayV2::Route":
			c.v2Route(name, p)
		case "AWS::Lambda::Url":
			if auth, _ := str(p["AuthType"]); auth == "NONE" {
				c.add(name, "open-route", "function URL has AuthType NONE: anyone on the internet can invoke the function")
				for _, ref := range refs(fmt.Sprint(p["TargetFunctionArn"])) {
					urls[ref] = true
				}
			}
		case "AWS::Serverless::Function":
			if auth, _ := str(get(p, "FunctionUrlConfig", "AuthType")); auth == "NONE" {
				c.add(name, "open-route", "FunctionUrlConfig has AuthType NONE: anyone on the internet can invoke the function")
				urls[name] = true
			}
			c.samEvents(name, p)
		}
	}
	c.albRoutes()
	for _, name := range c.t.sortedNames() {
		r := c.t.Resources[name]
		if r.Type != "AWS::Lambda::Permission" {
			continue
		}
		auth, _ := str(r.Properties["FunctionUrlAuthType"])
		principal, _ := str(r.Properties["Principal"])
		if auth != "NONE" || principal != "*" {
			continue
		}
		covered := false
		for _, ref := range refs(fmt.Sprint(r.Properties["FunctionName"])) {
			covered = covered || urls[ref]
		}
		if !covered {
			c.add(name, "open-route", "permission lets anyone on the internet invoke the function through its URL (Principal \"*\", FunctionUrlAuthType NONE)")
		}
	}
}

// restMethod checks an AWS::ApiGateway::Method.
func (c *checker) restMethod(name string, p map[string]any) {
	method, _ := str(p["HttpMethod"])
	if strings.EqualFold(method, "OPTIONS") {
		return
	}
	auth, _ := str(p["AuthorizationType"])
	if (auth != "" && !strings.EqualFold(auth, "NONE")) || truthy(p["ApiKeyRequired"]) {
		return
	}
	for _, ref := range refs(fmt.Sprint(p["RestApiId"])) {
		api, ok := c.t.Resources[ref]
		if !ok || api.Type != "AWS::ApiGateway::RestApi" {
			continue
		}
		if private(get(api.Properties, "EndpointConfiguration", "Types")) || restrictivePolicy(api.Properties["Policy"]) {
			return
		}
	}
	c.add(name, "open-route", fmt.Sprintf("method %s has AuthorizationType NONE and no API key: anyone on the internet can call it", method))
}

// v2Route checks an AWS::ApiGatewayV2::Route (HTTP or WebSocket API).
func (c *checker) v2Route(name string, p map[string]any) {
	key, _ := str(p["RouteKey"])
	if strings.HasPrefix(strings.ToUpper(key), "OPTIONS ") {
		return
	}
	for _, ref := range refs(fmt.Sprint(p["ApiId"])) {
		if api, ok := c.t.Resources[ref]; ok && get(api.Properties, "ProtocolType") == "WEBSOCKET" && key != "$connect" {
			return // a WebSocket API authorizes its $connect route only
		}
	}
	auth, _ := str(p["AuthorizationType"])
	if (auth != "" && !strings.EqualFold(auth, "NONE")) || truthy(p["ApiKeyRequired"]) {
		return
	}
	c.add(name, "open-route", fmt.Sprintf("route %q has AuthorizationType NONE: anyone on the internet can call it", key))
}

// samEvents checks a SAM function's Api and HttpApi events.
func (c *checker) samEvents(fn string, p map[string]any) {
	events, _ := p["Events"].(map[string]any)
	for _, ev := range sortedKeys(events) {
		e := events[ev]
		typ, _ := str(get(e, "Type"))
		props, _ := get(e, "Properties").(map[string]any)
		method, _ := str(props["Method"])
		path, _ := str(props["Path"])
		if strings.EqualFold(method, "OPTIONS") {
			continue
		}
		route := strings.TrimSpace(strings.ToUpper(method) + " " + path)
		if route == "" {
			route = "the default route"
		}
		switch typ {
		case "Api":
			api := c.samAPI(props["RestApiId"], "AWS::Serverless::Api", "Api")
			if c.samAPIClosed(props, api) {
				continue
			}
			c.add(fn, "open-route", fmt.Sprintf("Api event %s (%s) has no authorizer, no IAM, no API key and no restrictive resource policy: anyone on the internet can call it", ev, route))
		case "HttpApi":
			api := c.samAPI(props["ApiId"], "AWS::Serverless::HttpApi", "HttpApi")
			if authorizer(get(props, "Auth", "Authorizer"), get(api, "Auth", "DefaultAuthorizer")) {
				continue
			}
			c.add(fn, "open-route", fmt.Sprintf("HttpApi event %s (%s) has no authorizer and no IAM: anyone on the internet can call it", ev, route))
		}
	}
}

// samAPI returns the properties of the SAM API an event names, merged over
// the Globals of its kind; for an event that names none (SAM's implicit API)
// or one samcheck cannot see, just the Globals.
func (c *checker) samAPI(id any, typ, globals string) map[string]any {
	merged := map[string]any{}
	if g, ok := get(c.t.Globals, globals).(map[string]any); ok {
		for k, v := range g {
			merged[k] = v
		}
	}
	if id == nil {
		return merged
	}
	for _, ref := range refs(fmt.Sprint(id)) {
		if r, ok := c.t.Resources[ref]; ok && r.Type == typ {
			for k, v := range r.Properties {
				merged[k] = v
			}
		}
	}
	return merged
}

// samAPIClosed reports whether an Api event's route admits only some
// callers.
func (c *checker) samAPIClosed(props, api map[string]any) bool {
	if authorizer(get(props, "Auth", "Authorizer"), get(api, "Auth", "DefaultAuthorizer")) {
		return true
	}
	key := get(props, "Auth", "ApiKeyRequired")
	if key == nil {
		key = get(api, "Auth", "ApiKeyRequired")
	}
	if truthy(key) {
		return true
	}
	if private(get(api, "EndpointConfiguration")) || private(get(api, "EndpointConfiguration", "Type")) {
		return true
	}
	return samResourcePolicy(get(props, "Auth", "ResourcePolicy")) || samResourcePolicy(get(api, "Auth", "ResourcePolicy"))
}

// authorizer reports whether an event's authorizer, or failing that the
// API's default one, names an authorizer or AWS_IAM.
func authorizer(event, def any) bool {
	a, _ := str(event)
	if event == nil {
		a, _ = str(def)
	}
	return a != "" && a != "NONE"
}

// private reports whether an endpoint configuration is PRIVATE, which
// the internet cannot reach.
func private(v any) bool {
	for _, t := range strs(v) {
		if strings.EqualFold(t, "PRIVATE") {
			return true
		}
	}
	return false
}

// samResourcePolicy reports whether a SAM Auth.ResourcePolicy admits a
// restricted set of callers: an allow-list of accounts, IP ranges, VPCs or
// VPC endpoints, or custom statements that do. Deny-lists (…Blacklist)
// exclude some callers and admit the rest of the internet.
func samResourcePolicy(v any) bool {
	m, _ := v.(map[string]any)
	for _, k := range []string{"AwsAccountWhitelist", "IpRangeWhitelist", "SourceVpcWhitelist", "IntrinsicVpcWhitelist", "IntrinsicVpceWhitelist"} {
		if len(list(m[k])) > 0 {
			return true
		}
	}
	return restrictivePolicy(map[string]any{"Statement": m["CustomStatements"]})
}

// restrictivePolicy reports whether an API resource policy admits only a
// restricted set of callers: an Allow for named principals or under a
// narrowing condition, or a Deny for everyone outside an allow-list (a
// negated condition such as NotIpAddress, as in AWS's IP allow-list
// example).
func restrictivePolicy(doc any) bool {
	for _, raw := range list(get(doc, "Statement")) {
		m, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		switch m["Effect"] {
		case "Allow":
			if m["Principal"] != nil && !wildcardPrincipal(m["Principal"]) {
				return true
			}
			if narrowed(cond) {
				return true
			}
		case "Deny":
			if wildcardPrincipal(m["Principal"]) && negatedNarrowing(cond) {
				return true
			}
		}
	}
	return false
}

// negatedNarrowing reports whether a condition block denies everyone
// outside a set: a negated operator on a narrowing key.
func negatedNarrowing(cond map[string]any) bool {
	for op, v := range cond {
		if !strings.Contains(op, "Not") {
			continue
		}
		m, _ := v.(map[string]any)
		for k := range m {
			if narrowingKeys[strings.ToLower(k)] {
				return true
			}
		}
	}
	return false
}

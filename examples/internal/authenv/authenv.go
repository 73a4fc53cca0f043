// Package authenv reads the settings that the example authorizers share from
// environment variables.
//
// The authorizers read their plain settings with os.Getenv: they hold no
// secrets. secenv would serve as well (without kms or secretsmanager fields
// it does not link the AWS SDK); authorizer-cognito built with -tags secenv
// shows it, and bench/ measures the difference.
package authenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/seclambda/seclambda/authorizer"
)

// Getenv is the environment lookup, os.Getenv in the functions.
type Getenv func(string) string

// Required returns the value of name, or an error naming it when it is
// unset or empty.
func (g Getenv) Required(name string) (string, error) {
	v := strings.TrimSpace(g(name))
	if v == "" {
		return "", fmt.Errorf("%s is required", name)
	}
	return v, nil
}

// List returns the comma-separated values of name, trimmed, without empty
// items.
func (g Getenv) List(name string) []string {
	var out []string
	for _, s := range strings.Split(g(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Cognito builds the verifier settings from COGNITO_USER_POOL_ID,
// COGNITO_CLIENT_IDS, COGNITO_TOKEN_USE (id or access; access when unset),
// ALLOWED_GROUPS (the token must be in one of them; any group when unset)
// and, for local pools such as cognito-local, COGNITO_ISSUER with
// ALLOW_HTTP_LOOPBACK_ISSUER=true.
func (g Getenv) Cognito() (authorizer.CognitoConfig, error) {
	var errs []error
	pool, err := g.Required("COGNITO_USER_POOL_ID")
	errs = append(errs, err)
	clients := g.List("COGNITO_CLIENT_IDS")
	if len(clients) == 0 {
		errs = append(errs, errors.New("COGNITO_CLIENT_IDS is required"))
	}
	use := authorizer.TokenUseAccess
	switch v := g("COGNITO_TOKEN_USE"); v {
	case "", "access":
	case "id":
		use = authorizer.TokenUseID
	default:
		errs = append(errs, fmt.Errorf("COGNITO_TOKEN_USE must be id or access"))
	}
	cfg := authorizer.CognitoConfig{
		Region:         g("COGNITO_REGION"),
		UserPoolID:     pool,
		ClientIDs:      clients,
		TokenUse:       use,
		RequiredGroups: g.List("ALLOWED_GROUPS"),
		Issuer:         g("COGNITO_ISSUER"),
	}
	cfg.AnyGroup = len(cfg.RequiredGroups) > 0
	cfg.InsecureAllowHTTPLoopback = g("ALLOW_HTTP_LOOPBACK_ISSUER") == "true"
	if err := errors.Join(errs...); err != nil {
		return authorizer.CognitoConfig{}, err
	}
	return cfg, nil
}

// Routes parses API_ROUTES, a comma-separated list of "METHOD /path".
func (g Getenv) Routes() ([]authorizer.Route, error) {
	var routes []authorizer.Route
	for _, r := range g.List("API_ROUTES") {
		method, path, ok := strings.Cut(r, " ")
		path = strings.TrimSpace(path)
		if !ok || method == "" || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("API_ROUTES: %q is not \"METHOD /path\"", r)
		}
		routes = append(routes, authorizer.Route{Method: method, Resource: path})
	}
	if len(routes) == 0 {
		return nil, errors.New("API_ROUTES is required")
	}
	return routes, nil
}

// UsageKeys parses USAGE_KEY_BY_GROUP, "group=key,group=key": the API key
// whose usage plan applies to members of each group.
//
// With the REST API's API key source set to AUTHORIZER, clients never send
// an API key; the authorizer names it. The key value then only selects a
// usage plan and grants nothing on its own, so it may sit in plain
// configuration.
func (g Getenv) UsageKeys() (map[string]string, error) {
	keys := map[string]string{}
	for _, kv := range g.List("USAGE_KEY_BY_GROUP") {
		group, key, ok := strings.Cut(kv, "=")
		if !ok || group == "" || key == "" {
			return nil, fmt.Errorf("USAGE_KEY_BY_GROUP: an item is not group=key")
		}
		keys[group] = key
	}
	return keys, nil
}

// UsageKey returns the WithUsageIdentifierKey function for keys (from
// UsageKeys): the key of the principal's first group that has one, or ""
// when none has, for which API Gateway answers 403 on methods that require
// an API key.
func UsageKey(keys map[string]string) func(context.Context, *authorizer.Claims) (string, error) {
	return func(_ context.Context, c *authorizer.Claims) (string, error) {
		for _, g := range c.Groups {
			if k, ok := keys[g]; ok {
				return k, nil
			}
		}
		return "", nil
	}
}

// LoopbackOrHTTPS checks that raw, the value of name, is an https URL, or an
// http URL on a loopback host for local runs.
func LoopbackOrHTTPS(name, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s is not a URL", name)
	}
	host := u.Hostname()
	if u.Scheme == "https" || (u.Scheme == "http" && (host == "127.0.0.1" || host == "::1" || host == "localhost")) {
		return u, nil
	}
	return nil, fmt.Errorf("%s must be an https URL", name)
}

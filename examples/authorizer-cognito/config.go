package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/secenv"
)

// config is the function's configuration, read from the environment by
// secenv. It holds no secrets (no kms or secretsmanager field), so the
// function does not link the AWS SDK.
type config struct {
	// UserPoolID, ClientIDs and TokenUse (access, or id) select the tokens
	// accepted. Region is the pool's region; empty means the one in
	// UserPoolID.
	Region     string   `env:"COGNITO_REGION"`
	UserPoolID string   `env:"COGNITO_USER_POOL_ID,required"`
	ClientIDs  []string `env:"COGNITO_CLIENT_IDS,required"`
	TokenUse   tokenUse `env:"COGNITO_TOKEN_USE" envDefault:"access"`
	// AllowedGroups: the token must be in one of them. Empty means any
	// group, or none.
	AllowedGroups []string `env:"ALLOWED_GROUPS"`
	// Issuer, with AllowHTTPLoopbackIssuer, trusts a local pool such as
	// cognito-local (http://127.0.0.1:9229/<pool>). Empty in AWS.
	Issuer                  string `env:"COGNITO_ISSUER"`
	AllowHTTPLoopbackIssuer bool   `env:"ALLOW_HTTP_LOOPBACK_ISSUER"`
	// Routes are every route this authorizer guards, "METHOD /path"
	// separated by commas: the policy allows all of them, so that API
	// Gateway's cached policy stays right for the principal's next route.
	Routes []route `env:"API_ROUTES,required"`
	// UsageKeys maps a group to the API key of its usage plan,
	// "group=key,group=key". With the REST API's API key source set to
	// AUTHORIZER, clients never send an API key; the authorizer names it.
	// The key then only selects a usage plan and grants nothing on its
	// own, so it may sit in plain configuration.
	UsageKeys map[string]string `env:"USAGE_KEY_BY_GROUP" envKeyValSeparator:"="`
}

// loadConfig reads the configuration with lookup (os.LookupEnv in Lambda).
// Its errors name every bad variable, never a value.
func loadConfig(ctx context.Context, lookup func(string) (string, bool)) (config, error) {
	var cfg config
	if err := secenv.Load(ctx, &cfg, secenv.WithLookup(lookup)); err != nil {
		return config{}, err
	}
	// What secenv's tags cannot say: a required list such as "," is set
	// but lists nothing, and a usage key cannot be empty.
	var errs []error
	if len(cfg.ClientIDs) == 0 {
		errs = append(errs, invalid("ClientIDs", "COGNITO_CLIENT_IDS", secenv.ErrEmpty, "no app client"))
	}
	if len(cfg.Routes) == 0 {
		errs = append(errs, invalid("Routes", "API_ROUTES", secenv.ErrEmpty, "no route"))
	}
	for _, key := range cfg.UsageKeys {
		if key == "" {
			errs = append(errs, invalid("UsageKeys", "USAGE_KEY_BY_GROUP", secenv.ErrInvalid, "an item is not group=key"))
			break
		}
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// invalid reports a check of loadConfig as secenv reports its own, so that
// callers match either with errors.Is and errors.As.
func invalid(field, name string, sentinel error, why string) error {
	return &secenv.FieldError{Field: field, Var: name, Err: fmt.Errorf("%w: %s", sentinel, why)}
}

// cognito returns the verifier settings.
func (c config) cognito() authorizer.CognitoConfig {
	return authorizer.CognitoConfig{
		Region:         c.Region,
		UserPoolID:     c.UserPoolID,
		ClientIDs:      c.ClientIDs,
		TokenUse:       authorizer.TokenUse(c.TokenUse),
		RequiredGroups: c.AllowedGroups,
		AnyGroup:       len(c.AllowedGroups) > 0,
		Issuer:         c.Issuer,
		Settings:       authorizer.Settings{InsecureAllowHTTPLoopback: c.AllowHTTPLoopbackIssuer},
	}
}

// routes returns the routes for authorizer.WithRoutes.
func (c config) routes() []authorizer.Route {
	out := make([]authorizer.Route, len(c.Routes))
	for i, r := range c.Routes {
		out[i] = authorizer.Route(r)
	}
	return out
}

// usageKey is the authorizer.WithUsageIdentifierKey function: the key of
// the principal's first group that has one, or "" when none has, for which
// API Gateway answers 403 on methods that require an API key.
func (c config) usageKey(_ context.Context, claims *authorizer.Claims) (string, error) {
	for _, g := range claims.Groups {
		if k, ok := c.UsageKeys[g]; ok {
			return k, nil
		}
	}
	return "", nil
}

// tokenUse is COGNITO_TOKEN_USE: "access" or "id".
type tokenUse authorizer.TokenUse

// UnmarshalText implements encoding.TextUnmarshaler for secenv.
func (u *tokenUse) UnmarshalText(b []byte) error {
	switch v := authorizer.TokenUse(strings.TrimSpace(string(b))); v {
	case authorizer.TokenUseAccess, authorizer.TokenUseID:
		*u = tokenUse(v)
		return nil
	}
	return errors.New("want id or access")
}

// route is one item of API_ROUTES: "METHOD /path".
type route authorizer.Route

// UnmarshalText implements encoding.TextUnmarshaler for secenv.
func (r *route) UnmarshalText(b []byte) error {
	method, path, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	path = strings.TrimSpace(path)
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return errors.New(`want "METHOD /path"`)
	}
	*r = route{Method: method, Resource: path}
	return nil
}

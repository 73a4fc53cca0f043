package authorizer_test

import (
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/seclambda/seclambda/authorizer"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// cognitoFixture is one cognito-local pool with two clients and two users,
// shared by the Cognito tests.
type cognitoFixture struct {
	pool        *testpeer.Pool
	otherClient string
	adminSub    string
	admin       testpeer.Tokens // in group "admin", via pool.ClientID
	plain       testpeer.Tokens // in no group
	otherAdmin  testpeer.Tokens // admin signed in via otherClient
}

var (
	cognitoOnce sync.Once
	cognitoFix  *cognitoFixture
)

func cognitoTokens(t *testing.T) *cognitoFixture {
	t.Helper()
	cognitoOnce.Do(func() {
		c := testpeer.StartCognito(t)
		pool := c.NewPool(t, "authorizer")
		f := &cognitoFixture{pool: pool, otherClient: pool.NewClient(t, "other")}
		f.adminSub = pool.AddUser(t, "alice", "Passw0rd!Passw0rd", "admin")
		pool.AddUser(t, "bob", "Passw0rd!Passw0rd")
		f.admin = pool.SignIn(t, "alice", "Passw0rd!Passw0rd")
		f.plain = pool.SignIn(t, "bob", "Passw0rd!Passw0rd")
		f.otherAdmin = pool.SignInClient(t, f.otherClient, "alice", "Passw0rd!Passw0rd")
		cognitoFix = f
	})
	if cognitoFix == nil {
		t.Fatal("cognito fixture failed in an earlier test")
	}
	return cognitoFix
}

func cognitoVerifier(t *testing.T, f *cognitoFixture, mutate func(*authorizer.CognitoConfig)) *authorizer.JWTVerifier {
	t.Helper()
	cfg := authorizer.CognitoConfig{
		UserPoolID: f.pool.ID,
		Issuer:     f.pool.Issuer,
		JWKSURL:    f.pool.JWKSURL,
		ClientIDs:  []string{f.pool.ClientID},
		TokenUse:   authorizer.TokenUseAny,
		Settings:   authorizer.Settings{InsecureAllowHTTPLoopback: true},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	v, err := authorizer.NewCognitoVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCognitoLocalTokens(t *testing.T) {
	f := cognitoTokens(t)
	tests := []struct {
		name   string
		token  func() string
		mutate func(*authorizer.CognitoConfig)
		want   []error
	}{
		{name: "ID token", token: func() string { return f.admin.IDToken }, mutate: func(c *authorizer.CognitoConfig) { c.TokenUse = authorizer.TokenUseID }},
		{name: "access token", token: func() string { return f.admin.AccessToken }, mutate: func(c *authorizer.CognitoConfig) { c.TokenUse = authorizer.TokenUseAccess }},
		{name: "either", token: func() string { return f.admin.AccessToken }},
		{name: "ID token with group", token: func() string { return f.admin.IDToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.RequiredGroups = []string{"admin"}
		}},
		{name: "any of groups", token: func() string { return f.admin.IDToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.RequiredGroups, c.AnyGroup = []string{"ops", "admin"}, true
		}},
		{name: "both clients accepted", token: func() string { return f.otherAdmin.AccessToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.ClientIDs = append(c.ClientIDs, f.otherClient)
		}},
		{name: "skip client check", token: func() string { return f.otherAdmin.IDToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.ClientIDs, c.InsecureSkipClientIDCheck = nil, true
		}},
		{name: "ID token of wrong client", token: func() string { return f.otherAdmin.IDToken }, want: []error{authorizer.ErrAudience}},
		{name: "access token of wrong client", token: func() string { return f.otherAdmin.AccessToken }, want: []error{authorizer.ErrClientID}},
		{name: "access token where ID expected", token: func() string { return f.admin.AccessToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.TokenUse = authorizer.TokenUseID
		}, want: []error{authorizer.ErrTokenUse}},
		{name: "ID token where access expected", token: func() string { return f.admin.IDToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.TokenUse = authorizer.TokenUseAccess
		}, want: []error{authorizer.ErrTokenUse}},
		{name: "missing group", token: func() string { return f.plain.IDToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.RequiredGroups = []string{"admin"}
		}, want: []error{authorizer.ErrMissingGroup, authorizer.ErrForbidden}},
		{name: "wrong pool issuer", token: func() string { return f.admin.IDToken }, mutate: func(c *authorizer.CognitoConfig) {
			c.UserPoolID = "local_Other1"
			c.Issuer = strings.TrimSuffix(f.pool.Issuer, f.pool.ID) + c.UserPoolID
		}, want: []error{authorizer.ErrIssuer}},
		{name: "tampered payload", token: func() string { return tamper(t, f.plain.IDToken, "bob", "alice") }, want: []error{authorizer.ErrSignature}},
		{name: "refresh token", token: func() string { return f.admin.RefreshToken }, want: []error{authorizer.ErrUnauthorized}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := cognitoVerifier(t, f, tc.mutate)
			c, err := v.Verify(ctx(t), tc.token())
			wantErrs(t, err, tc.want...)
			if len(tc.want) == 0 && (c.Subject != f.adminSub || c.Username != "alice" || !c.HasGroup("admin")) {
				t.Fatalf("claims = %+v", c)
			}
		})
	}
}

// tamper replaces old with new in the decoded payload and re-encodes it,
// keeping the original signature.
func tamper(t *testing.T, token, old, repl string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || !strings.Contains(string(p), old) {
		t.Fatalf("payload has no %q", old)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.ReplaceAll(string(p), old, repl)))
	return strings.Join(parts, ".")
}

package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Cognito is a running cognito-local. It is safe for concurrent use; each
// test creates its own user pool with [Cognito.NewPool].
type Cognito struct {
	// Endpoint is the base URL, http://127.0.0.1:PORT, that serves both the
	// Cognito JSON protocol and every pool's JWKS.
	Endpoint string
}

var cognitoReady = regexp.MustCompile(`Cognito Local running on (http://[^\s\x1b]+)`)

// cognitoScript is where make installs cognito-local, below [BinDir].
const cognitoScript = "cognito-local/node_modules/cognito-local/lib/bin/start.js"

// StartCognito returns the cognito-local shared by this test binary, starting
// it on a free loopback port in a temporary working directory on first use.
func StartCognito(tb testing.TB) *Cognito {
	tb.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cognito != nil {
		return shared.cognito
	}
	if !shared.main {
		tb.Fatal("testpeer: StartCognito needs TestMain to call testpeer.Main(m)")
	}
	node, err := lookBin("node")
	if err != nil {
		missing(tb, "node (for cognito-local)", err.Error())
	}
	script := filepath.Join(BinDir(), cognitoScript)
	if _, err := os.Stat(script); BinDir() == "" || err != nil {
		missing(tb, "cognito-local", "not installed in .bin/cognito-local")
	}
	var lastErr error
	// cognito-local puts its own port into every token's iss, so it must be
	// told the port up front; retry if another process takes it meanwhile.
	for range 3 {
		c, err := startCognito(tb, node, script)
		if err == nil {
			shared.cognito = c
			return c
		}
		lastErr = err
	}
	tb.Fatal(lastErr)
	return nil
}

func startCognito(tb testing.TB, node, script string) (*Cognito, error) {
	dir, err := os.MkdirTemp("", "seclambda-cognito-")
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(FreePort(tb))
	// Real Cognito lets a pool use plain usernames; cognito-local's default
	// pool config insists on email usernames.
	cfg := `{"UserPoolDefaults":{"UsernameAttributes":[]},"TokenConfig":{"IssuerDomain":"http://127.0.0.1:` + port + `"}}`
	err = os.MkdirAll(filepath.Join(dir, ".cognito"), 0o755)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), []byte(cfg), 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p, err := start("cognito-local", dir, []string{"HOST=127.0.0.1", "PORT=" + port}, node, script)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p.after = func() { os.RemoveAll(dir) }
	endpoint, err := p.waitFor(cognitoReady, 60*time.Second)
	if err == nil {
		err = p.waitDial("127.0.0.1:"+port, 10*time.Second)
	}
	if err != nil {
		p.stop()
		return nil, err
	}
	shared.procs = append(shared.procs, p)
	return &Cognito{Endpoint: endpoint}, nil
}

// Call sends one Cognito Identity Provider JSON-protocol request, such as
// "AdminCreateUser", and decodes the response into out (which may be nil).
func (c *Cognito) Call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cognito %s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("cognito %s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cognito %s: %s: %s", op, resp.Status, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Pool is a user pool in cognito-local with one app client that allows
// USER_PASSWORD_AUTH.
type Pool struct {
	c *Cognito
	// ID is the pool ID, such as local_AbC123.
	ID string
	// ClientID is the app client's ID: the aud of ID tokens and the
	// client_id of access tokens.
	ClientID string
	// Issuer is the iss of every token the pool issues.
	Issuer string
	// JWKSURL serves the pool's signing keys.
	JWKSURL string
}

// NewPool creates a user pool and an app client.
func (c *Cognito) NewPool(tb testing.TB, name string) *Pool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var pool struct{ UserPool struct{ Id string } }
	if err := c.Call(ctx, "CreateUserPool", map[string]any{"PoolName": name}, &pool); err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	p := &Pool{c: c, ID: pool.UserPool.Id}
	p.Issuer = c.Endpoint + "/" + p.ID
	p.JWKSURL = p.Issuer + "/.well-known/jwks.json"
	p.ClientID = p.NewClient(tb, name+"-client")
	return p
}

// NewClient adds another app client to the pool and returns its ID.
func (p *Pool) NewClient(tb testing.TB, name string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var client struct{ UserPoolClient struct{ ClientId string } }
	in := map[string]any{
		"UserPoolId":        p.ID,
		"ClientName":        name,
		"ExplicitAuthFlows": []string{"USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	}
	if err := p.c.Call(ctx, "CreateUserPoolClient", in, &client); err != nil {
		tb.Fatalf("testpeer: %v", err)
	}
	return client.UserPoolClient.ClientId
}

// AddUser creates a confirmed user with a permanent password and adds it to
// groups, creating any group that does not exist yet. It returns the user's
// sub.
func (p *Pool) AddUser(tb testing.TB, username, password string, groups ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var user struct {
		User struct {
			Attributes []struct{ Name, Value string }
		}
	}
	err := p.c.Call(ctx, "AdminCreateUser", map[string]any{
		"UserPoolId":    p.ID,
		"Username":      username,
		"MessageAction": "SUPPRESS",
		"UserAttributes": []map[string]string{
			{"Name": "email", "Value": username + "@example.com"},
		},
	}, &user)
	if err == nil {
		err = p.c.Call(ctx, "AdminSetUserPassword", map[string]any{
			"UserPoolId": p.ID, "Username": username, "Password": password, "Permanent": true,
		}, nil)
	}
	for _, g := range groups {
		if err != nil {
			break
		}
		// CreateGroup fails for an existing group; AdminAddUserToGroup
		// below is what must succeed.
		_ = p.c.Call(ctx, "CreateGroup", map[string]any{"UserPoolId": p.ID, "GroupName": g}, nil)
		err = p.c.Call(ctx, "AdminAddUserToGroup", map[string]any{
			"UserPoolId": p.ID, "Username": username, "GroupName": g,
		}, nil)
	}
	if err != nil {
		tb.Fatalf("testpeer: add user %s: %v", username, err)
	}
	for _, a := range user.User.Attributes {
		if a.Name == "sub" {
			return a.Value
		}
	}
	tb.Fatalf("testpeer: add user %s: no sub in response", username)
	return ""
}

// Tokens are the tokens of one sign-in.
type Tokens struct {
	IDToken      string
	AccessToken  string
	RefreshToken string
}

// SignIn signs username in through InitiateAuth with USER_PASSWORD_AUTH on
// the pool's client.
func (p *Pool) SignIn(tb testing.TB, username, password string) Tokens {
	tb.Helper()
	return p.SignInClient(tb, p.ClientID, username, password)
}

// SignInClient signs username in through the app client clientID.
func (p *Pool) SignInClient(tb testing.TB, clientID, username, password string) Tokens {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out struct{ AuthenticationResult Tokens }
	err := p.c.Call(ctx, "InitiateAuth", map[string]any{
		"ClientId":       clientID,
		"AuthFlow":       "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": password},
	}, &out)
	if err != nil {
		tb.Fatalf("testpeer: sign in %s: %v", username, err)
	}
	if out.AuthenticationResult.IDToken == "" || out.AuthenticationResult.AccessToken == "" {
		tb.Fatalf("testpeer: sign in %s: no tokens in response", username)
	}
	return out.AuthenticationResult
}

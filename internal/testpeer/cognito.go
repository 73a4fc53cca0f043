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
	return startShared(tb, "StartCognito", &shared.cognito, launchCognito)
}

func startCognitoProcess(node, script string) (*Cognito, *process, error) {
	dir, err := os.MkdirTemp("", "seclambda-cognito-")
	if err != nil {
		return nil, nil, err
	}
	n, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	port := strconv.Itoa(n)
	// Real Cognito lets a pool use plain usernames; cognito-local's default
	// pool config insists on email usernames.
	cfg := `{"UserPoolDefaults":{"UsernameAttributes":[]},"TokenConfig":{"IssuerDomain":"http://127.0.0.1:` + port + `"}}`
	err = os.MkdirAll(filepath.Join(dir, ".cognito"), 0o755)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), []byte(cfg), 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	p, err := start("cognito-local", dir, []string{"HOST=127.0.0.1", "PORT=" + port}, node, script)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	p.after = func() { os.RemoveAll(dir) }
	endpoint, err := p.waitFor(cognitoReady, 60*time.Second)
	if err == nil {
		err = p.waitDial("127.0.0.1:"+port, 10*time.Second)
	}
	if err != nil {
		p.stop()
		return nil, nil, err
	}
	return &Cognito{Endpoint: endpoint}, p, nil
}

// Call sends one Cognito Identity Provider JSON-protocol request, such as
// "AdminCreateUser", and decodes the response into out (which may be nil).
func (c *Cognito) Call(ctx context.Context, op string, in, out any) error {
	return callJSON(ctx, "cognito", c.Endpoint, op, in, out, map[string]string{
		"Content-Type": "application/x-amz-json-1.1",
		"X-Amz-Target": "AWSCognitoIdentityProviderService." + op,
	})
}

// callJSON sends one AWS JSON-protocol request for op to endpoint with
// headers, and decodes a 200 answer (read up to 1 MiB) into out, which may
// be nil. service names the peer in errors.
func callJSON(ctx context.Context, service, endpoint, op string, in, out any, headers map[string]string) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", service, op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", service, op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", service, op, resp.Status, data)
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
	p, err := c.CreatePool(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// NewClient adds another app client to the pool and returns its ID.
func (p *Pool) NewClient(tb testing.TB, name string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := p.CreateClient(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// AddUser creates a confirmed user with a permanent password and adds it to
// groups, creating any group that does not exist yet. It returns the user's
// sub.
func (p *Pool) AddUser(tb testing.TB, username, password string, groups ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := p.CreateUser(ctx, username, password, groups...)
	if err != nil {
		tb.Fatal(err)
	}
	return sub
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
	t, err := p.InitiateAuth(ctx, clientID, username, password)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

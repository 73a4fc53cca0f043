package testpeer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// This file holds the variants of the harness for programs that are not
// tests, such as the examples' demo: they return errors instead of failing a
// testing.TB, and each peer they start is their caller's to stop.

// ErrPeerMissing is wrapped by the Launch functions when a peer program is
// not installed; the message says how to install it.
var ErrPeerMissing = errors.New("testpeer: peer not installed")

// peerMissingError is the error of a Launch function whose peer is not
// installed; it matches [ErrPeerMissing].
type peerMissingError struct{ peer, why string }

func (e *peerMissingError) Error() string {
	return fmt.Sprintf("testpeer: %s is not available (%s); %s", e.peer, e.why, installHint)
}

func (e *peerMissingError) Is(target error) bool { return target == ErrPeerMissing }

func missingErr(peer, why string) error { return &peerMissingError{peer: peer, why: why} }

// skipIfMissing fails or skips tb, as [Required] decides, when err says a
// peer is not installed.
func skipIfMissing(tb testing.TB, err error) {
	tb.Helper()
	var pm *peerMissingError
	if errors.As(err, &pm) {
		missing(tb, pm.peer, pm.why)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testpeer: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// LaunchKMS starts a local-kms of its own on a free loopback port with a
// temporary data directory. The returned stop function stops it, by PID, and
// removes the directory; call it exactly once.
func LaunchKMS() (*KMS, func(), error) {
	k, p, err := launchKMS()
	if err != nil {
		return nil, nil, err
	}
	return k, p.stop, nil
}

func launchKMS() (*KMS, *process, error) {
	bin, err := lookBin("local-kms")
	if err != nil {
		return nil, nil, missingErr("local-kms", err.Error())
	}
	dir, err := os.MkdirTemp("", "seclambda-kms-")
	if err != nil {
		return nil, nil, fmt.Errorf("testpeer: %w", err)
	}
	env := []string{
		"PORT=0", // local-kms logs the port it bound
		"KMS_DATA_PATH=" + filepath.Join(dir, "data"),
		"KMS_SEED_PATH=" + filepath.Join(dir, "no-seed.yaml"),
		"KMS_REGION=" + KMSRegion,
		"KMS_ACCOUNT_ID=" + KMSAccountID,
	}
	p, err := start("local-kms", dir, env, bin)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	p.after = func() { os.RemoveAll(dir) }
	port, err := p.waitFor(kmsReady, 30*time.Second)
	if err == nil {
		err = p.waitDial("127.0.0.1:"+port, 10*time.Second)
	}
	if err != nil {
		p.stop()
		return nil, nil, err
	}
	k := &KMS{Endpoint: "http://127.0.0.1:" + port}
	k.Client = k.NewClient()
	return k, p, nil
}

// CreateKeyContext creates a symmetric encryption key described by
// description and returns its key ID and ARN.
func (k *KMS) CreateKeyContext(ctx context.Context, description string) (keyID, arn string, err error) {
	out, err := k.Client.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description)})
	if err != nil {
		return "", "", fmt.Errorf("testpeer: kms CreateKey: %w", err)
	}
	return aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn), nil
}

// EncryptContext encrypts plaintext under keyID with the encryption context
// encCtx (nil for none) and returns the base64 ciphertext blob. Errors never
// contain the plaintext.
func (k *KMS) EncryptContext(ctx context.Context, keyID string, plaintext []byte, encCtx map[string]string) (string, error) {
	out, err := k.Client.Encrypt(ctx, &kms.EncryptInput{
		KeyId:             aws.String(keyID),
		Plaintext:         plaintext,
		EncryptionContext: encCtx,
	})
	if err != nil {
		return "", fmt.Errorf("testpeer: kms Encrypt: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out.CiphertextBlob), nil
}

// LaunchCognito starts a cognito-local of its own on a free loopback port in
// a temporary working directory. The returned stop function stops it, by
// PID, and removes the directory; call it exactly once.
func LaunchCognito() (*Cognito, func(), error) {
	c, p, err := launchCognito()
	if err != nil {
		return nil, nil, err
	}
	return c, p.stop, nil
}

func launchCognito() (*Cognito, *process, error) {
	node, err := lookBin("node")
	if err != nil {
		return nil, nil, missingErr("node (for cognito-local)", err.Error())
	}
	script := filepath.Join(BinDir(), cognitoScript)
	if _, err := os.Stat(script); BinDir() == "" || err != nil {
		return nil, nil, missingErr("cognito-local", "not installed in .bin/cognito-local")
	}
	var lastErr error
	// cognito-local puts its own port into every token's iss, so it must be
	// told the port up front; retry if another process takes it meanwhile.
	for range 3 {
		c, p, err := startCognitoProcess(node, script)
		if err == nil {
			return c, p, nil
		}
		lastErr = err
	}
	return nil, nil, lastErr
}

// CreatePool creates a user pool named name and an app client that allows
// USER_PASSWORD_AUTH.
func (c *Cognito) CreatePool(ctx context.Context, name string) (*Pool, error) {
	var pool struct{ UserPool struct{ Id string } }
	if err := c.Call(ctx, "CreateUserPool", map[string]any{"PoolName": name}, &pool); err != nil {
		return nil, fmt.Errorf("testpeer: %w", err)
	}
	p := &Pool{c: c, ID: pool.UserPool.Id}
	p.Issuer = c.Endpoint + "/" + p.ID
	p.JWKSURL = p.Issuer + "/.well-known/jwks.json"
	id, err := p.CreateClient(ctx, name+"-client")
	if err != nil {
		return nil, err
	}
	p.ClientID = id
	return p, nil
}

// CreateClient adds an app client that allows USER_PASSWORD_AUTH to the
// pool and returns its ID.
func (p *Pool) CreateClient(ctx context.Context, name string) (string, error) {
	var client struct{ UserPoolClient struct{ ClientId string } }
	in := map[string]any{
		"UserPoolId":        p.ID,
		"ClientName":        name,
		"ExplicitAuthFlows": []string{"USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	}
	if err := p.c.Call(ctx, "CreateUserPoolClient", in, &client); err != nil {
		return "", fmt.Errorf("testpeer: %w", err)
	}
	return client.UserPoolClient.ClientId, nil
}

// CreateUser creates a confirmed user with a permanent password, adds it to
// groups (creating any group that does not exist yet) and returns its sub.
// Errors name the user, never the password.
func (p *Pool) CreateUser(ctx context.Context, username, password string, groups ...string) (string, error) {
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
		if err = p.c.Call(ctx, "AdminSetUserPassword", map[string]any{
			"UserPoolId": p.ID, "Username": username, "Password": password, "Permanent": true,
		}, nil); err != nil {
			err = errors.New("AdminSetUserPassword failed")
		}
	}
	for _, g := range groups {
		if err != nil {
			break
		}
		// cognito-local's CreateGroup replaces an existing group and drops
		// its members, so create only a group that GetGroup cannot find.
		if p.c.Call(ctx, "GetGroup", map[string]any{"UserPoolId": p.ID, "GroupName": g}, nil) != nil {
			_ = p.c.Call(ctx, "CreateGroup", map[string]any{"UserPoolId": p.ID, "GroupName": g}, nil)
		}
		err = p.c.Call(ctx, "AdminAddUserToGroup", map[string]any{
			"UserPoolId": p.ID, "Username": username, "GroupName": g,
		}, nil)
	}
	if err != nil {
		return "", fmt.Errorf("testpeer: add user %s: %w", username, err)
	}
	for _, a := range user.User.Attributes {
		if a.Name == "sub" {
			return a.Value, nil
		}
	}
	return "", fmt.Errorf("testpeer: add user %s: no sub in response", username)
}

// InitiateAuth signs username in through InitiateAuth with
// USER_PASSWORD_AUTH on the app client clientID. A wrong password or an
// unknown user fails with an error that names neither the password nor a
// token.
func (p *Pool) InitiateAuth(ctx context.Context, clientID, username, password string) (Tokens, error) {
	var out struct{ AuthenticationResult Tokens }
	err := p.c.Call(ctx, "InitiateAuth", map[string]any{
		"ClientId":       clientID,
		"AuthFlow":       "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": password},
	}, &out)
	if err != nil {
		return Tokens{}, fmt.Errorf("testpeer: sign in %s: %w", username, err)
	}
	if out.AuthenticationResult.IDToken == "" || out.AuthenticationResult.AccessToken == "" {
		return Tokens{}, fmt.Errorf("testpeer: sign in %s: no tokens in response", username)
	}
	return out.AuthenticationResult, nil
}

// LaunchSecretsManager starts a Secrets Manager wire-protocol server with no
// secrets. The returned stop function closes it.
func LaunchSecretsManager() (*SecretsManager, func()) {
	s := newSecretsManager()
	return s, s.srv.Close
}

// BuildFunctionTo builds the main package pkg (resolved from dir) as a
// Lambda custom-runtime binary at out, like [BuildFunction].
func BuildFunctionTo(dir, pkg, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testpeer: build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// LaunchFunction runs the bootstrap binary under aws-lambda-rie on free
// loopback ports, like [StartFunction]. The caller stops it with
// [Function.Stop].
func LaunchFunction(bootstrap string, env map[string]string) (*Function, error) {
	bin, err := lookBin("aws-lambda-rie")
	if err != nil {
		return nil, missingErr("aws-lambda-rie", err.Error())
	}
	var lastErr error
	for range 3 {
		f, err := startFunction(bin, bootstrap, env)
		if err == nil {
			return f, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// newSecretsManager starts the server behind [StartSecretsManager] and
// [LaunchSecretsManager].
func newSecretsManager() *SecretsManager {
	s := &SecretsManager{secrets: make(map[string]*smSecret), calls: make(map[string]int)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveAPI))
	s.URL = s.srv.URL
	return s
}

// LaunchSecretsManagerAt is [LaunchSecretsManager] on the loopback address
// addr (such as "127.0.0.1:4584"), for a command that serves at a known
// address. It refuses any other host: the server has no access control.
func LaunchSecretsManagerAt(addr string) (*SecretsManager, func(), error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("testpeer: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, nil, fmt.Errorf("testpeer: address %q is not a loopback address", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("testpeer: %w", err)
	}
	s := &SecretsManager{secrets: make(map[string]*smSecret), calls: make(map[string]int)}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveAPI))
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.URL = s.srv.URL
	return s, s.srv.Close, nil
}

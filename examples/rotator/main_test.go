package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// upstream is the service whose credential rotates: users with passwords,
// the two calls of the credential API, and an admin user who may set any
// password (the alternating-users strategy's master credential).
type upstream struct {
	mu    sync.Mutex
	users map[string]string
	down  bool // answer 503 to every call
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || u.users[user] == "" || u.users[user] != pass {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/credentials/check":
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/users/") && strings.HasSuffix(r.URL.Path, "/password"):
		target := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/users/"), "/password")
		if target != user && user != "admin" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var in struct{ Password string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || len(in.Password) < 16 {
			http.Error(w, "bad password", http.StatusBadRequest)
			return
		}
		u.users[target] = in.Password
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func (u *upstream) valid(user, pass string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.users[user] != "" && u.users[user] == pass
}

func (u *upstream) setDown(down bool) {
	u.mu.Lock()
	u.down = down
	u.mu.Unlock()
}

const (
	firstPassword  = "first-password-0a1b2c3d4e5f"
	clonePassword  = "clone-password-6a7b8c9d0e1f"
	masterPassword = "admin-password-2b3c4d5e6f7a"
)

// rig is one rotation function under aws-lambda-rie with the Secrets
// Manager server and the upstream.
type rig struct {
	sm     *testpeer.SecretsManager
	client *secretsmanager.Client
	up     *upstream
	fn     *testpeer.Function
	arn    string
	tokens []string // RotationTokens sent
	mu     sync.Mutex
}

// bootstrap is the function binary, built once for every test.
var bootstrap struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bootstrap.dir != "" {
		os.RemoveAll(bootstrap.dir)
	}
	os.Exit(code)
}

func newRig(t *testing.T, strategy string) *rig {
	t.Helper()
	bootstrap.once.Do(func() {
		if bootstrap.dir, bootstrap.err = os.MkdirTemp("", "rotator-"); bootstrap.err == nil {
			bootstrap.path = filepath.Join(bootstrap.dir, "bootstrap")
			bootstrap.err = testpeer.BuildFunctionTo(".", ".", bootstrap.path)
		}
	})
	if bootstrap.err != nil {
		t.Fatal(bootstrap.err)
	}
	r := &rig{sm: testpeer.StartSecretsManager(t), up: &upstream{users: map[string]string{
		"notes": firstPassword, "notes_clone": clonePassword, "admin": masterPassword}}}
	r.client = r.sm.NewClient()
	srv := httptest.NewServer(r.up)
	t.Cleanup(srv.Close)
	r.arn, _ = r.sm.PutString("notes/upstream", `{"username":"notes","password":"`+firstPassword+`","host":"upstream.internal"}`)
	masterARN, _ := r.sm.PutString("notes/upstream-admin", `{"username":"admin","password":"`+masterPassword+`"}`)
	r.fn = testpeer.StartFunction(t, bootstrap.path, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":         "notes-rotator",
		"AWS_REGION":                       testpeer.KMSRegion,
		"AWS_ACCESS_KEY_ID":                "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":            "example-secret-access-key",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": r.sm.URL,
		"ROTATION_STRATEGY":                strategy,
		"MASTER_SECRET_ARN":                masterARN,
		"UPSTREAM_ADMIN_URL":               srv.URL,
	})
	invoke := testpeer.InvokeRotator(r.fn)
	r.sm.SetRotator(func(ctx context.Context, event []byte) error {
		var ev struct{ RotationToken string }
		_ = json.Unmarshal(event, &ev)
		r.mu.Lock()
		r.tokens = append(r.tokens, ev.RotationToken)
		r.mu.Unlock()
		return invoke(ctx, event)
	})
	return r
}

func (r *rig) rotate(t *testing.T, token string) string {
	t.Helper()
	in := &secretsmanager.RotateSecretInput{SecretId: aws.String(r.arn)}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	out, err := r.client.RotateSecret(context.Background(), in)
	if err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	return aws.ToString(out.VersionId)
}

func (r *rig) cred(t *testing.T, stage string) (user, pass string) {
	t.Helper()
	out, err := r.client.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.arn), VersionStage: aws.String(stage)})
	if err != nil {
		t.Fatalf("GetSecretValue %s: %v", stage, err)
	}
	var c struct{ Username, Password, Host string }
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &c); err != nil || c.Host != "upstream.internal" {
		t.Fatalf("the %s secret lost its other keys (%v)", stage, err)
	}
	return c.Username, c.Password
}

// leakCheck stops the function and checks that its logs hold no password
// and no RotationToken.
func (r *rig) leakCheck(t *testing.T, values ...string) {
	t.Helper()
	logs := r.fn.Stop()
	r.mu.Lock()
	values = append(values, r.tokens...)
	r.mu.Unlock()
	for _, v := range append(values, firstPassword, clonePassword, masterPassword) {
		if v != "" && strings.Contains(logs, v) {
			t.Errorf("the function's logs hold a secret value or a RotationToken")
		}
	}
	if !strings.Contains(logs, "step done") {
		t.Errorf("no step logged:\n%s", logs)
	}
}

// TestSingleUser rotates with the single-user strategy: the new password
// works upstream, the old one does not, AWSCURRENT moved to the new version
// and AWSPREVIOUS to the old one.
func TestSingleUser(t *testing.T) {
	r := newRig(t, "single-user")
	oldVersion := ""
	for id, st := range r.sm.VersionStages("notes/upstream") {
		if slices.Contains(st, "AWSCURRENT") {
			oldVersion = id
		}
	}
	v := r.rotate(t, "")
	if errs := r.sm.RotationErrors(); len(errs) != 0 {
		t.Fatalf("rotation failed: %v\n%s", errs, r.fn.Output())
	}
	stages := r.sm.VersionStages("notes/upstream")
	if !slices.Equal(stages[v], []string{"AWSCURRENT"}) || !slices.Equal(stages[oldVersion], []string{"AWSPREVIOUS"}) {
		t.Fatalf("stages = %v", stages)
	}
	user, pass := r.cred(t, "AWSCURRENT")
	if user != "notes" || pass == firstPassword || !r.up.valid("notes", pass) || r.up.valid("notes", firstPassword) {
		t.Fatalf("after a single-user rotation, user %q: the new password must work and the old one not", user)
	}
	if _, prev := r.cred(t, "AWSPREVIOUS"); prev != firstPassword {
		t.Fatal("AWSPREVIOUS is not the old password")
	}
	r.leakCheck(t, pass)
}

// TestAlternatingUsers rotates twice with the alternating-users strategy:
// each rotation switches user, and the previous credential still works.
func TestAlternatingUsers(t *testing.T) {
	r := newRig(t, "alternating-users")
	var seen []string
	for _, want := range []string{"notes_clone", "notes"} {
		r.rotate(t, "")
		if errs := r.sm.RotationErrors(); len(errs) != 0 {
			t.Fatalf("rotation failed: %v\n%s", errs, r.fn.Output())
		}
		user, pass := r.cred(t, "AWSCURRENT")
		puser, ppass := r.cred(t, "AWSPREVIOUS")
		if user != want || !r.up.valid(user, pass) || !r.up.valid(puser, ppass) || puser == user {
			t.Fatalf("after rotating to %s: current %q valid=%v, previous %q valid=%v", want, user, r.up.valid(user, pass), puser, r.up.valid(puser, ppass))
		}
		seen = append(seen, pass)
	}
	r.leakCheck(t, seen...)
}

// TestFailureLeavesCurrent fails setSecret (the upstream is down): the
// rotation stops with AWSCURRENT where it was and the old credential
// working; resuming with the same token finishes it.
func TestFailureLeavesCurrent(t *testing.T) {
	r := newRig(t, "single-user")
	r.up.setDown(true)
	v := r.rotate(t, "")
	if errs := r.sm.RotationErrors(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "setSecret") {
		t.Fatalf("rotation errors = %v, want one at setSecret", errs)
	}
	if user, pass := r.cred(t, "AWSCURRENT"); user != "notes" || pass != firstPassword {
		t.Fatal("a failed rotation moved AWSCURRENT")
	}
	if st := r.sm.VersionStages("notes/upstream")[v]; !slices.Equal(st, []string{"AWSPENDING"}) {
		t.Fatalf("the new version's stages = %v, want AWSPENDING", st)
	}
	pendingOut, err := r.client.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.arn), VersionId: aws.String(v)})
	if err != nil {
		t.Fatal(err)
	}
	r.up.setDown(false)
	r.rotate(t, v) // resume: createSecret keeps the pending value
	if errs := r.sm.RotationErrors(); len(errs) != 1 {
		t.Fatalf("the resumed rotation failed: %v", errs[1:])
	}
	after, err := r.client.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.arn)})
	if err != nil || aws.ToString(after.VersionId) != v || aws.ToString(after.SecretString) != aws.ToString(pendingOut.SecretString) {
		t.Fatal("the resumed rotation did not finish with the pending value")
	}
	r.leakCheck(t)
}

// TestProtocolChecks invokes steps directly: unknown tokens and versions
// that are not AWSPENDING are refused, an AWSCURRENT token is a no-op, and
// each step is idempotent.
func TestProtocolChecks(t *testing.T) {
	r := newRig(t, "single-user")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var current string
	for id, st := range r.sm.VersionStages("notes/upstream") {
		if slices.Contains(st, "AWSCURRENT") {
			current = id
		}
	}
	invoke := func(step, token string) error {
		ev, _ := json.Marshal(map[string]string{"Step": step, "SecretId": r.arn, "ClientRequestToken": token, "RotationToken": "rt-secret-token-0001"})
		return testpeer.InvokeRotator(r.fn)(ctx, ev)
	}
	tests := []struct {
		name, step, token, wantErr string
	}{
		{name: "unknown token", step: "createSecret", token: "no-such-version", wantErr: "not a version"},
		{name: "AWSCURRENT token is a no-op", step: "finishSecret", token: current},
		{name: "unknown step", step: "deleteSecret", token: current, wantErr: "invalid rotation event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := invoke(tt.step, tt.token)
			if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("%s = %v, want %q", tt.step, err, tt.wantErr)
			}
		})
	}
	// A rotation that stops after createSecret, then every step twice.
	r.up.setDown(true)
	v := r.rotate(t, "")
	r.up.setDown(false)
	first, err := r.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.arn), VersionId: aws.String(v)})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"createSecret", "createSecret", "setSecret", "setSecret", "testSecret", "finishSecret", "finishSecret"} {
		if err := invoke(step, v); err != nil {
			t.Fatalf("%s (repeated) = %v", step, err)
		}
	}
	after, err := r.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.arn)})
	if err != nil || aws.ToString(after.VersionId) != v || aws.ToString(after.SecretString) != aws.ToString(first.SecretString) {
		t.Fatal("repeated steps changed the pending value or did not finish")
	}
	// A version that is neither AWSPENDING nor AWSCURRENT: the old one.
	if err := invoke("setSecret", current); err == nil || !strings.Contains(err.Error(), "not AWSPENDING") {
		t.Fatalf("setSecret on AWSPREVIOUS = %v, want a refusal", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	r.leakCheck(t, "rt-secret-token-0001")
}

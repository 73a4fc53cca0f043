package main

// Unit tests of the configuration and the handler, without AWS and without
// any peer: secenvtest's KMS and Secrets Manager stand for the services
// behind the kms and secretsmanager fields, authorizertest gives the claims
// of a Cognito access token, which the HTTP API's JWT authorizer passes to
// the function, and mtlstest the HTTP API event that carries them. The data
// tier is the Store interface, here in memory (memStore): DynamoDB and the
// encryption of the notes are tested against dynalite and local-kms by
// main_test.go, which runs the built binary. Test a function of yours the
// same way.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seclambda/seclambda/authorizer/authorizertest"
	"github.com/seclambda/seclambda/mtls/mtlstest"
	"github.com/seclambda/seclambda/redact"
	"github.com/seclambda/seclambda/secenv"
	"github.com/seclambda/seclambda/secenv/secenvtest"
)

const (
	unitFunction   = "notes-api"
	unitOrigin     = "https://app.example.com"
	unitSigningKey = "unit-signing-key-0123456789abcdef"
	unitUpstream   = "unit-upstream-credential-0123456789"
)

// unitEnv returns the function's environment with its KMS ciphertext and
// Secrets Manager secret in k and sm.
func unitEnv(k *secenvtest.KMS, sm *secenvtest.SecretsManager) secenvtest.Env {
	return secenvtest.Env{
		"AWS_LAMBDA_FUNCTION_NAME": unitFunction,
		"ALLOWED_ORIGIN":           unitOrigin,
		"KMS_KEY_ARN":              k.KeyARN(),
		"SIGNING_KEY":              k.EncryptForFunction(unitFunction, unitSigningKey),
		"UPSTREAM_SECRET_ARN":      sm.PutString("notes/upstream", unitUpstream),
	}
}

func TestLoadConfig(t *testing.T) {
	ctx := context.Background()
	k, sm := secenvtest.NewKMS(), secenvtest.NewSecretsManager()
	cfg, err := loadConfig(ctx, unitEnv(k, sm).Lookup, secenv.WithClients(k, sm))
	if err != nil {
		t.Fatal(err)
	}
	up, err := cfg.Upstream.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SigningKey.Reveal() != unitSigningKey || up.Reveal() != unitUpstream || cfg.AllowedOrigin != unitOrigin {
		t.Fatal("config does not hold the decrypted signing key, the secret and the origin")
	}
	// The "config loaded" line of main prints the config.
	if s := fmt.Sprintf("%+v", cfg); strings.Contains(s, unitSigningKey) || strings.Contains(s, unitUpstream) {
		t.Fatalf("the config prints a secret: %s", s)
	}

	otherKey := k.CreateKey()
	underOtherKey, err := k.Encrypt(otherKey, []byte(unitSigningKey), map[string]string{"LambdaFunctionName": unitFunction})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		set      map[string]string // over unitEnv; "" unsets
		wantVar  string
		sentinel error
	}{
		// Encrypted for another function: KMS refuses the encryption
		// context, as it does in Lambda.
		{name: "wrong encryption context", set: map[string]string{"SIGNING_KEY": k.EncryptForFunction("other-function", unitSigningKey)}, wantVar: "SIGNING_KEY", sentinel: secenv.ErrWrongContext},
		{name: "under another key than KMS_KEY_ARN", set: map[string]string{"SIGNING_KEY": underOtherKey}, wantVar: "SIGNING_KEY", sentinel: secenv.ErrKeyMismatch},
		{name: "plaintext where a ciphertext belongs", set: map[string]string{"SIGNING_KEY": "not a ciphertext!"}, wantVar: "SIGNING_KEY", sentinel: secenv.ErrCiphertext},
		{name: "no signing key", set: map[string]string{"SIGNING_KEY": ""}, wantVar: "SIGNING_KEY", sentinel: secenv.ErrMissing},
		{name: "unknown secret", set: map[string]string{"UPSTREAM_SECRET_ARN": "notes/nope"}, wantVar: "UPSTREAM_SECRET_ARN", sentinel: secenv.ErrSecretNotFound},
		{name: "no origin", set: map[string]string{"ALLOWED_ORIGIN": ""}, wantVar: "ALLOWED_ORIGIN", sentinel: secenv.ErrMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := secenvtest.NewSecretsManager() // secenv caches values per client
			env := unitEnv(k, sm)
			for name, v := range tt.set {
				if v == "" {
					delete(env, name)
				} else {
					env[name] = v
				}
			}
			_, err := loadConfig(ctx, env.Lookup, secenv.WithClients(k, sm))
			var fe *secenv.FieldError
			if !errors.As(err, &fe) || fe.Var != tt.wantVar || !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v, want a *secenv.FieldError for %s matching %v", err, tt.wantVar, tt.sentinel)
			}
			if strings.Contains(err.Error(), unitSigningKey) || strings.Contains(err.Error(), unitUpstream) {
				t.Fatalf("the error holds a secret: %v", err)
			}
		})
	}
}

// unitAPI is a handler under test with its store, log and upstream.
type unitAPI struct {
	h        func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	store    *memStore
	log      bytes.Buffer
	upstream []string // the Authorization headers the upstream received
	mu       sync.Mutex
}

func newAPI(t *testing.T) *unitAPI {
	t.Helper()
	a := &unitAPI{store: newMemStore()}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.upstream = append(a.upstream, r.Header.Get("Authorization"))
		a.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(up.Close)
	k, sm := secenvtest.NewKMS(), secenvtest.NewSecretsManager()
	env := unitEnv(k, sm)
	env["UPSTREAM_URL"] = up.URL
	cfg, err := loadConfig(context.Background(), env.Lookup, secenv.WithClients(k, sm))
	if err != nil {
		t.Fatal(err)
	}
	// A registry of its own, so that this test's values do not reach
	// redact.Default().
	if a.h, err = newHandler(cfg, a.store, redact.NewLogger(&a.log, redact.WithRegistry(redact.NewRegistry())), up.Client()); err != nil {
		t.Fatal(err)
	}
	return a
}

// user returns the claims that the HTTP API's JWT authorizer passes for
// a Cognito access token of username: every claim a string, numbers in
// decimal and arrays as "[a b]".
func user(username string, groups ...string) map[string]string {
	claims := authorizertest.CognitoAccessClaims("client-1", authorizertest.CognitoUser{
		Sub: "sub-" + username, Username: username, Groups: groups,
	})
	claims["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_unitTest1"
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		switch v := v.(type) {
		case string:
			out[k] = v
		case int64:
			out[k] = strconv.FormatInt(v, 10)
		case []string:
			out[k] = "[" + strings.Join(v, " ") + "]"
		default:
			panic(fmt.Sprintf("claim %s of type %T", k, v))
		}
	}
	return out
}

// httpAPIEvent returns the HTTP API event of routeKey for path, from the allowed
// origin, with the claims of caller (nil for none).
func httpAPIEvent(routeKey, path, body string, caller map[string]string) events.APIGatewayV2HTTPRequest {
	e := mtlstest.NewHTTPAPI(nil)
	method, _, _ := strings.Cut(routeKey, " ")
	e.RouteKey, e.RawPath, e.Body = routeKey, path, body
	e.RequestContext.RouteKey = routeKey
	e.RequestContext.HTTP.Method, e.RequestContext.HTTP.Path = method, path
	e.Headers["origin"] = unitOrigin
	e.Headers["content-type"] = "application/json"
	if id, ok := strings.CutPrefix(path, "/notes/"); ok {
		e.PathParameters = map[string]string{"id": id}
	}
	if caller != nil {
		e.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: caller},
		}
	}
	return e
}

func (a *unitAPI) do(t *testing.T, e events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := a.h(context.Background(), e)
	if err != nil {
		t.Fatalf("%s: err = %v; the function answers every request itself", e.RouteKey, err)
	}
	// CORS headers on every answer to the allowed origin, errors included.
	if e.Headers["origin"] == unitOrigin && resp.Headers["Access-Control-Allow-Origin"] != unitOrigin {
		t.Errorf("%s: %d without the CORS headers: %v", e.RouteKey, resp.StatusCode, resp.Headers)
	}
	return resp
}

func TestHandlerNotes(t *testing.T) {
	a := newAPI(t)
	alice, bob := user("alice", "writers"), user("bob")
	const text = "alice's note, which must never reach a log line"

	resp := a.do(t, httpAPIEvent("POST /notes", "/notes", `{"text":"`+text+`"}`, alice))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	var created noteJSON
	if err := json.Unmarshal([]byte(resp.Body), &created); err != nil || created.Text != text || created.ID == "" || created.ETag == "" {
		t.Fatalf("create: body %s", resp.Body)
	}
	// The note is the caller's: its partition is the claims' sub.
	if _, err := a.store.Get(context.Background(), "sub-alice", created.ID); err != nil {
		t.Fatalf("the note is not in alice's partition: %v", err)
	}

	resp = a.do(t, httpAPIEvent("GET /notes/{id}", "/notes/"+created.ID, "", alice))
	if resp.StatusCode != http.StatusOK || resp.Headers["ETag"] != `"`+created.ETag+`"` {
		t.Fatalf("get: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	resp = a.do(t, httpAPIEvent("GET /notes", "/notes", "", alice))
	var list struct{ Notes []noteJSON }
	if err := json.Unmarshal([]byte(resp.Body), &list); err != nil || len(list.Notes) != 1 || list.Notes[0].ID != created.ID {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
	}

	// Another caller sees none of it.
	resp = a.do(t, httpAPIEvent("GET /notes", "/notes", "", bob))
	if resp.StatusCode != http.StatusOK || resp.Body != `{"notes":[]}` {
		t.Fatalf("bob's list: %d %s", resp.StatusCode, resp.Body)
	}
	for _, rk := range []string{"GET /notes/{id}", "DELETE /notes/{id}"} {
		if resp := a.do(t, httpAPIEvent(rk, "/notes/"+created.ID, "", bob)); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("bob: %s of alice's note: %d, want 404", rk, resp.StatusCode)
		}
	}

	// The upstream was told, with the Secrets Manager credential.
	a.mu.Lock()
	auths := slices.Clone(a.upstream)
	a.mu.Unlock()
	if len(auths) != 1 || auths[0] != "Bearer "+unitUpstream {
		t.Errorf("upstream got %d notifications, want one with the credential", len(auths))
	}

	if resp := a.do(t, httpAPIEvent("DELETE /notes/{id}", "/notes/"+created.ID, "", alice)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp := a.do(t, httpAPIEvent("GET /notes/{id}", "/notes/"+created.ID, "", alice)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get after delete: %d", resp.StatusCode)
	}

	for _, secret := range []string{text, unitSigningKey, unitUpstream} {
		if strings.Contains(a.log.String(), secret) {
			t.Fatalf("the log holds %q:\n%s", secret, a.log.String())
		}
	}
}

func TestHandlerRefuses(t *testing.T) {
	a := newAPI(t)
	alice := user("alice")
	long := strings.Repeat("x", maxNote+1)
	tests := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
	}{
		{name: "no claims: the authorizer did not run", req: httpAPIEvent("GET /notes", "/notes", "", nil), status: http.StatusUnauthorized},
		{name: "claims without sub", req: httpAPIEvent("GET /notes", "/notes", "", map[string]string{"username": "alice", "token_use": "access"}), status: http.StatusUnauthorized},
		{name: "body not JSON", req: httpAPIEvent("POST /notes", "/notes", "text", alice), status: http.StatusBadRequest},
		{name: "unknown field", req: httpAPIEvent("POST /notes", "/notes", `{"text":"a","owner":"bob"}`, alice), status: http.StatusBadRequest},
		{name: "empty text", req: httpAPIEvent("POST /notes", "/notes", `{"text":""}`, alice), status: http.StatusBadRequest},
		{name: "text too long", req: httpAPIEvent("POST /notes", "/notes", `{"text":"`+long+`"}`, alice), status: http.StatusBadRequest},
		{name: "base64 body", req: func() events.APIGatewayV2HTTPRequest {
			e := httpAPIEvent("POST /notes", "/notes", "eyJ0ZXh0IjoiYSJ9", alice)
			e.IsBase64Encoded = true
			return e
		}(), status: http.StatusBadRequest},
		{name: "unknown note", req: httpAPIEvent("GET /notes/{id}", "/notes/nope", "", alice), status: http.StatusNotFound},
		{name: "unknown route", req: httpAPIEvent("GET /users", "/users", "", alice), status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if resp := a.do(t, tt.req); resp.StatusCode != tt.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, resp.Body, tt.status)
			}
		})
	}
	if n := a.store.count(); n != 0 {
		t.Fatalf("%d notes stored by refused requests", n)
	}
}

// A note that does not decrypt for its place is not found, and the store's
// failures are a 500 that says nothing of the cause.
func TestHandlerStoreFailures(t *testing.T) {
	a := newAPI(t)
	alice := user("alice")
	a.store.misplaced = "copied-in"
	resp := a.do(t, httpAPIEvent("GET /notes/{id}", "/notes/copied-in", "", alice))
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(a.log.String(), "does not decrypt for its place") {
		t.Fatalf("misplaced note: %d, log:\n%s", resp.StatusCode, a.log.String())
	}
	a.store.fail = errors.New("dynamodb: connection reset by peer")
	for _, rk := range []string{"GET /notes", "POST /notes", "GET /notes/{id}", "DELETE /notes/{id}"} {
		resp := a.do(t, httpAPIEvent(rk, "/notes/x", `{"text":"hello"}`, alice))
		if resp.StatusCode != http.StatusInternalServerError || strings.Contains(resp.Body, "dynamodb") {
			t.Fatalf("%s: %d %s, want a bare 500", rk, resp.StatusCode, resp.Body)
		}
	}
}

func TestHandlerPreflight(t *testing.T) {
	a := newAPI(t)
	pre := httpAPIEvent("OPTIONS /{proxy+}", "/notes", "", nil) // unauthenticated route
	pre.Headers["access-control-request-method"] = "POST"
	pre.Headers["access-control-request-headers"] = "authorization,content-type"
	resp := a.do(t, pre)
	if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Headers["Access-Control-Allow-Methods"], "POST") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Headers)
	}
	pre.Headers["origin"] = "https://evil.example"
	resp = a.do(t, pre)
	if _, ok := resp.Headers["Access-Control-Allow-Origin"]; ok {
		t.Fatalf("preflight from another origin allowed: %v", resp.Headers)
	}
}

// memStore is the Store in memory, for unit tests of the handler. It keeps
// the contract of Store (one partition per owner, no overwrite) but not
// the encryption, which main_test.go tests on dynalite.
type memStore struct {
	mu    sync.Mutex
	notes map[string]map[string]Note // owner, then ID
	// misplaced is an ID whose note exists but does not decrypt.
	misplaced string
	// fail, when set, fails every call.
	fail error
}

func newMemStore() *memStore { return &memStore{notes: map[string]map[string]Note{}} }

func (m *memStore) Put(_ context.Context, owner string, n Note) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if _, ok := m.notes[owner][n.ID]; ok {
		return errExists
	}
	if m.notes[owner] == nil {
		m.notes[owner] = map[string]Note{}
	}
	m.notes[owner][n.ID] = n
	return nil
}

func (m *memStore) List(_ context.Context, owner string) ([]Note, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, 0, m.fail
	}
	var out []Note
	for _, n := range m.notes[owner] {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Note) int { return a.Created.Compare(b.Created) })
	return out, 0, nil
}

func (m *memStore) Get(_ context.Context, owner, id string) (Note, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch n, ok := m.notes[owner][id]; {
	case m.fail != nil:
		return Note{}, m.fail
	case id == m.misplaced:
		return Note{}, fmt.Errorf("%w: %w", errNotFound, errMisplaced)
	case !ok:
		return Note{}, errNotFound
	default:
		return n, nil
	}
}

func (m *memStore) Delete(_ context.Context, owner, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if _, ok := m.notes[owner][id]; !ok {
		return errNotFound
	}
	delete(m.notes[owner], id)
	return nil
}

func (m *memStore) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, notes := range m.notes {
		n += len(notes)
	}
	return n
}

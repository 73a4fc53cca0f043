package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

const (
	functionName = "notes-api"
	origin       = "https://app.example.com"
	signingKey   = "signing-key-4c8f0e2a9b7d6e5f"
	upstreamCred = "upstream-credential-9f8e7d6c5b4a"
	noteText     = "buy milk, then call 555-0142"
)

// stack is the function's environment and the peers behind it.
type stack struct {
	vars       map[string]string
	ciphertext string // SIGNING_KEY
	ddb        *dynamodb.Client
	table      string
	kms        *testpeer.Proxy // every KMS call of the function goes through it
}

// env starts the peers and returns the function's environment: the
// signing key encrypted in local-kms under the function's encryption
// context, the upstream credential in Secrets Manager, and the notes table,
// key store and branch key in dynalite, wrapped by the same KMS key.
func env(t *testing.T, upstream string) stack {
	t.Helper()
	k := testpeer.StartKMS(t)
	keyID, keyARN := k.CreateKey(t)
	ciphertext := k.Encrypt(t, keyID, []byte(signingKey), map[string]string{"LambdaFunctionName": functionName})
	sm := testpeer.StartSecretsManager(t)
	secretARN, _ := sm.PutString("notes/upstream", upstreamCred)
	proxy := testpeer.StartProxy(t, k.Endpoint)
	d := testpeer.StartDynamo(t)
	ddb := datatier.LocalDynamo(d.Endpoint, testpeer.DynamoRegion)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	local, err := datatier.Provision(ctx, ddb, k.Client, t.Name()+"-notes", datatier.KeyStore{Table: t.Name() + "-keys", KMSKeyARN: keyARN})
	if err != nil {
		t.Fatal(err)
	}
	return stack{vars: map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":         functionName,
		"AWS_LAMBDA_LOG_FORMAT":            "JSON",
		"AWS_REGION":                       testpeer.KMSRegion,
		"AWS_ACCESS_KEY_ID":                "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":            "example-secret-access-key",
		"AWS_ENDPOINT_URL_KMS":             proxy.URL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": sm.URL,
		"AWS_ENDPOINT_URL_DYNAMODB":        d.Endpoint,
		"ALLOWED_ORIGIN":                   origin,
		"SIGNING_KEY":                      ciphertext,
		"KMS_KEY_ARN":                      keyARN,
		"UPSTREAM_SECRET_ARN":              secretARN,
		"UPSTREAM_URL":                     upstream,
		"NOTES_TABLE":                      local.NotesTable,
		"KEY_STORE_TABLE":                  local.KeyStore.Table,
		"BRANCH_KEY_ID":                    local.BranchKeyID,
	}, ciphertext: ciphertext, ddb: ddb, table: local.NotesTable, kms: proxy}
}

// copyItem copies the item of owner/id, as it is, to toOwner/toID, as an
// attacker with write access to the table could.
func copyItem(t *testing.T, st stack, owner, id, toOwner, toID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := st.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.table), Key: key(owner, id)})
	if err != nil || out.Item == nil {
		t.Fatalf("get %s/%s: %v", owner, id, err)
	}
	item := out.Item
	item[datatier.AttrOwner], item[datatier.AttrID] = s(toOwner), s(toID)
	if _, err := st.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

// scanPlaintext scans the whole table, as a reader of the table would, and
// counts the items in which text appears.
func scanPlaintext(t *testing.T, st stack, text string) (items, found int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := st.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(st.table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		raw := fmt.Sprintf("%v", item)
		for _, v := range item {
			if b, ok := v.(*types.AttributeValueMemberB); ok {
				raw += string(b.Value)
			}
		}
		if strings.Contains(raw, text) {
			found++
		}
	}
	return len(out.Items), found
}

// upstream records the Authorization header of each notification.
type upstream struct {
	mu    sync.Mutex
	auths []string
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.auths = append(u.auths, r.Header.Get("Authorization"))
	u.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func request(method, route, path, sub, body string, headers map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: path, Body: body,
		Headers: map[string]string{"origin": origin, "content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "JKJaXmPLvHcESHA=", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
	for k, v := range headers {
		req.Headers[k] = v
	}
	if id, ok := strings.CutPrefix(route, method+" /notes/"); ok && id == "{id}" {
		req.PathParameters = map[string]string{"id": path[len("/notes/"):]}
	}
	if sub != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{
					"sub": sub, "username": "alice", "token_use": "access",
					"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
				},
				Scopes: []string{"aws.cognito.signin.user.admin"},
			},
		}
	}
	return req
}

func invoke(t *testing.T, fn *testpeer.Function, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	event, _ := json.Marshal(req)
	raw, err := fn.Invoke(ctx, event)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, fn.Output())
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 {
		t.Fatalf("response %s: %v\n%s", raw, err, fn.Output())
	}
	return resp
}

// TestUnderRIE builds the function and runs the notes routes under
// aws-lambda-rie, with its secrets in local-kms and Secrets Manager.
func TestUnderRIE(t *testing.T) {
	up := &upstream{}
	upSrv := httptest.NewServer(up)
	defer upSrv.Close()
	st := env(t, upSrv.URL)
	fn := testpeer.StartFunction(t, testpeer.BuildFunction(t, ".", "."), st.vars)

	const alice, bob = "4f2b6c1e-0000-4000-8000-00000000a11c", "4f2b6c1e-0000-4000-8000-000000000b0b"
	created := invoke(t, fn, request("POST", "POST /notes", "/notes", alice, `{"text":"`+noteText+`"}`, nil))
	if created.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s\n%s", created.StatusCode, created.Body, fn.Output())
	}
	var note noteJSON
	if err := json.Unmarshal([]byte(created.Body), &note); err != nil || note.ID == "" || note.ETag == "" {
		t.Fatalf("created note %s: %v", created.Body, err)
	}

	// What a reader of the table sees: ciphertext only.
	if n, found := scanPlaintext(t, st, noteText); n != 1 || found != 0 {
		t.Fatalf("raw scan: %d item(s), %d with the plaintext; want 1 and 0", n, found)
	}
	// A writer of the table moves alice's item into bob's partition, and
	// to another note ID of alice's.
	copyItem(t, st, alice, note.ID, bob, note.ID)
	copyItem(t, st, alice, note.ID, alice, "0123456789abcdef01234567")

	tests := []struct {
		name       string
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		wantBody   string // a substring of the body
	}{
		{name: "list own notes", req: request("GET", "GET /notes", "/notes", alice, "", nil), wantStatus: 200, wantBody: noteText},
		{name: "get own note", req: request("GET", "GET /notes/{id}", "/notes/"+note.ID, alice, "", nil), wantStatus: 200, wantBody: note.ETag},
		{name: "other caller sees nothing, moved item included", req: request("GET", "GET /notes", "/notes", bob, "", nil), wantStatus: 200, wantBody: `"notes":[]`},
		{name: "moved item does not decrypt for the other caller", req: request("GET", "GET /notes/{id}", "/notes/"+note.ID, bob, "", nil), wantStatus: 404},
		{name: "moved to another ID does not decrypt", req: request("GET", "GET /notes/{id}", "/notes/0123456789abcdef01234567", alice, "", nil), wantStatus: 404},
		{name: "other caller deletes only the copy in its own partition", req: request("DELETE", "DELETE /notes/{id}", "/notes/"+note.ID, bob, "", nil), wantStatus: 204},
		{name: "other caller cannot delete", req: request("DELETE", "DELETE /notes/{id}", "/notes/"+note.ID, bob, "", nil), wantStatus: 404},
		{name: "own note still there", req: request("GET", "GET /notes/{id}", "/notes/"+note.ID, alice, "", nil), wantStatus: 200, wantBody: noteText},
		{name: "no claims", req: request("GET", "GET /notes", "/notes", "", "", nil), wantStatus: 401},
		{name: "bad body", req: request("POST", "POST /notes", "/notes", alice, `{"text":1}`, nil), wantStatus: 400},
		{name: "unknown field", req: request("POST", "POST /notes", "/notes", alice, `{"text":"x","owner":"bob"}`, nil), wantStatus: 400},
		{
			name:       "preflight",
			req:        request("OPTIONS", "OPTIONS /{proxy+}", "/notes", "", "", map[string]string{"access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type"}),
			wantStatus: 204,
		},
		{name: "list leaves the moved copy out", req: request("GET", "GET /notes", "/notes", alice, "", nil), wantStatus: 200, wantBody: `"notes":[{"id":"` + note.ID + `"`},
		{name: "delete own note", req: request("DELETE", "DELETE /notes/{id}", "/notes/"+note.ID, alice, "", nil), wantStatus: 204},
		{name: "deleted", req: request("GET", "GET /notes/{id}", "/notes/"+note.ID, alice, "", nil), wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := invoke(t, fn, tt.req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if !strings.Contains(resp.Body, tt.wantBody) {
				t.Errorf("body %s does not contain %s", resp.Body, tt.wantBody)
			}
			// Every answer, errors included, carries CORS headers.
			if got := resp.Headers["Access-Control-Allow-Origin"]; got != origin {
				t.Errorf("Access-Control-Allow-Origin = %q on %d, want %q", got, resp.StatusCode, origin)
			}
		})
	}

	up.mu.Lock()
	auths := append([]string(nil), up.auths...)
	up.mu.Unlock()
	if len(auths) != 1 || auths[0] != "Bearer "+upstreamCred {
		t.Errorf("upstream saw %d notification(s); want one with the Secrets Manager credential", len(auths))
	}

	// A warm function makes no KMS call per request: the branch key is
	// cached (datatier.CacheTTL), encrypting and decrypting derive data keys
	// locally.
	before := st.kms.Requests()
	for range 3 {
		for _, req := range []events.APIGatewayV2HTTPRequest{
			request("POST", "POST /notes", "/notes", alice, `{"text":"`+noteText+`"}`, nil),
			request("GET", "GET /notes", "/notes", alice, "", nil),
		} {
			if resp := invoke(t, fn, req); resp.StatusCode >= 300 {
				t.Fatalf("%s: %d %s", req.RouteKey, resp.StatusCode, resp.Body)
			}
		}
	}
	if n := st.kms.Requests() - before; n != 0 {
		t.Errorf("a warm function made %d KMS call(s) for 6 requests, want 0", n)
	}

	out := fn.Stop()
	if !strings.Contains(out, `"message":"config loaded"`) || !strings.Contains(out, "[REDACTED]") {
		t.Errorf("the config log line is missing or unmasked:\n%s", out)
	}
	assertNoLeak(t, out, st.ciphertext)
}

// assertNoLeak fails if any decrypted value, in any of the forms it could
// be logged in, appears in the function's output.
func assertNoLeak(t *testing.T, out, ciphertext string) {
	t.Helper()
	for _, secret := range []string{signingKey, upstreamCred, noteText} {
		for _, form := range []string{
			secret,
			base64.StdEncoding.EncodeToString([]byte(secret)),
			url.QueryEscape(secret),
			fmt.Sprintf("%q", secret),
		} {
			if strings.Contains(out, form) {
				t.Fatalf("a decrypted value reached the function's output:\n%s", out)
			}
		}
	}
	if strings.Contains(out, ciphertext) {
		t.Fatalf("the ciphertext reached the function's output")
	}
}

// TestInitFailsClosed runs the function with config that must not load: it
// fails its init, naming the variable and never the value.
func TestInitFailsClosed(t *testing.T) {
	st := env(t, "")
	vars, ciphertext := st.vars, st.ciphertext
	tests := []struct {
		name    string
		change  map[string]string
		wantVar string
	}{
		{name: "wrong function name", change: map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "another-function"}, wantVar: "SIGNING_KEY"},
		{name: "not a ciphertext", change: map[string]string{"SIGNING_KEY": "bm90LWEtY2lwaGVydGV4dA=="}, wantVar: "SIGNING_KEY"},
		{name: "unknown secret", change: map[string]string{"UPSTREAM_SECRET_ARN": "notes/missing"}, wantVar: "UPSTREAM_SECRET_ARN"},
		{name: "missing origin", change: map[string]string{"ALLOWED_ORIGIN": ""}, wantVar: "ALLOWED_ORIGIN"},
		{name: "missing notes table", change: map[string]string{"NOTES_TABLE": ""}, wantVar: "NOTES_TABLE"},
		{name: "missing branch key", change: map[string]string{"BRANCH_KEY_ID": ""}, wantVar: "BRANCH_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range vars {
				env[k] = v
			}
			for k, v := range tt.change {
				env[k] = v
			}
			fn := testpeer.StartFunction(t, testpeer.BuildFunction(t, ".", "."), env)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			event, _ := json.Marshal(request("GET", "GET /notes", "/notes", "someone", "", nil))
			raw, _ := fn.Invoke(ctx, event)
			if strings.Contains(string(raw), `"statusCode":200`) {
				t.Fatalf("function served a request with bad config: %s", raw)
			}
			out, _ := fn.WaitForOutput(tt.wantVar, 5*time.Second)
			if !strings.Contains(out, "init failed") || !strings.Contains(out, tt.wantVar) {
				t.Fatalf("init error does not name %s:\n%s", tt.wantVar, out)
			}
			assertNoLeak(t, out, ciphertext)
		})
	}
}

package testpeer_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

func TestKMSRoundTrip(t *testing.T) {
	k := testpeer.StartKMS(t)
	keyID, arn := k.CreateKey(t)
	if !strings.HasPrefix(arn, "arn:aws:kms:"+testpeer.KMSRegion+":"+testpeer.KMSAccountID+":key/") {
		t.Fatalf("key ARN %q: unexpected region or account", arn)
	}
	encCtx := map[string]string{"LambdaFunctionName": "smoke"}
	blob := k.Encrypt(t, keyID, []byte("s3cr3t-value"), encCtx)
	ciphertext, err := base64.StdEncoding.DecodeString(blob)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		encCtx  map[string]string
		wantErr bool
	}{
		{name: "same context", encCtx: encCtx},
		{name: "wrong context", encCtx: map[string]string{"LambdaFunctionName": "other"}, wantErr: true},
		{name: "no context", encCtx: nil, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := k.Client.Decrypt(ctx, &kms.DecryptInput{
				CiphertextBlob:    ciphertext,
				EncryptionContext: tt.encCtx,
			})
			if tt.wantErr {
				var bad *types.InvalidCiphertextException
				if !errors.As(err, &bad) {
					t.Fatalf("Decrypt error = %v, want InvalidCiphertextException", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if string(out.Plaintext) != "s3cr3t-value" {
				t.Fatal("Decrypt returned a different plaintext")
			}
			if aws.ToString(out.KeyId) != arn {
				t.Fatalf("Decrypt KeyId = %q, want %q", aws.ToString(out.KeyId), arn)
			}
		})
	}
}

func TestCognitoTokensVerifyAgainstJWKS(t *testing.T) {
	c := testpeer.StartCognito(t)
	pool := c.NewPool(t, "smoke")
	sub := pool.AddUser(t, "alice", "Passw0rd!smoke", "admins")
	// A second member of the same group must not drop the first: regression
	// test for cognito-local replacing a group on CreateGroup.
	pool.AddUser(t, "bob", "Passw0rd!smoke", "admins")
	tokens := pool.SignIn(t, "alice", "Passw0rd!smoke")
	keys := fetchJWKS(t, pool.JWKSURL)

	tests := []struct {
		name     string
		token    string
		tokenUse string
		audClaim string // claim that carries the client ID
	}{
		{name: "id token", token: tokens.IDToken, tokenUse: "id", audClaim: "aud"},
		{name: "access token", token: tokens.AccessToken, tokenUse: "access", audClaim: "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := verifyRS256(t, tt.token, keys)
			want := map[string]string{
				"iss":       pool.Issuer,
				"sub":       sub,
				"token_use": tt.tokenUse,
				tt.audClaim: pool.ClientID,
			}
			for name, v := range want {
				if got, _ := claims[name].(string); got != v {
					t.Errorf("claim %s = %q, want %q", name, got, v)
				}
			}
			groups, _ := claims["cognito:groups"].([]any)
			if len(groups) != 1 || groups[0] != "admins" {
				t.Errorf("cognito:groups = %v, want [admins]", groups)
			}
		})
	}

	t.Run("tampered", func(t *testing.T) {
		parts := strings.Split(tokens.IDToken, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		payload = []byte(strings.Replace(string(payload), `"alice"`, `"mallory"`, 1))
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
		if err := checkRS256(forged, keys); err == nil {
			t.Fatal("tampered token verified")
		}
	})
}

// fetchJWKS reads the RSA keys that a pool serves, by kid.
func fetchJWKS(t *testing.T, url string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct{ Kty, Kid, Alg, N, E string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if k.Kty != "RSA" || err1 != nil || err2 != nil {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if keys["CognitoLocal"] == nil {
		t.Fatalf("JWKS at %s has no CognitoLocal key", url)
	}
	return keys
}

func checkRS256(token string, keys map[string]*rsa.PublicKey) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not three segments")
	}
	var hdr struct{ Alg, Kid string }
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return err
	}
	if hdr.Alg != "RS256" || keys[hdr.Kid] == nil {
		return errors.New("unexpected alg or kid")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(keys[hdr.Kid], crypto.SHA256, sum[:], sig)
}

func verifyRS256(t *testing.T, token string, keys map[string]*rsa.PublicKey) map[string]any {
	t.Helper()
	if err := checkRS256(token, keys); err != nil {
		t.Fatalf("RS256 signature does not verify: %v", err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestLambdaRIEEcho(t *testing.T) {
	bootstrap := testpeer.BuildFunction(t, ".", "./testdata/echo")
	fn := testpeer.StartFunction(t, bootstrap, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "echo-smoke",
		"ECHO_GREETING":            "hello from env",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	tests := []struct {
		name  string
		event string
	}{
		{name: "object", event: `{"path":"/hello","n":1}`},
		{name: "second invocation", event: `["warm",2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := fn.Invoke(ctx, []byte(tt.event))
			if err != nil {
				t.Fatalf("Invoke: %v (output: %s)", err, fn.Output())
			}
			var got struct {
				Event        json.RawMessage
				FunctionName string
				RequestID    string
				Greeting     string
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("response %s: %v", body, err)
			}
			if string(got.Event) != tt.event {
				t.Errorf("event = %s, want %s", got.Event, tt.event)
			}
			if got.FunctionName != "echo-smoke" || got.Greeting != "hello from env" || got.RequestID == "" {
				t.Errorf("reply = %+v, want the function name, the env greeting and a request ID", got)
			}
		})
	}
	if !strings.Contains(fn.Output(), "echo: handled one event") {
		t.Errorf("function stdout was not captured; output:\n%s", fn.Output())
	}
}

// TestDynamoWire checks dynalite over the DynamoDB JSON protocol: a
// conditional put refuses to overwrite, and the transactions that dynalite
// lacks are refused rather than half applied. The examples module checks it
// through the SDK's dynamodb client, which the library's go.mod does not
// carry.
func TestDynamoWire(t *testing.T) {
	d := testpeer.StartDynamo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const table = "testpeer-smoke"
	err := d.Call(ctx, "CreateTable", map[string]any{
		"TableName":            table,
		"BillingMode":          "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []map[string]string{{"AttributeName": "pk", "KeyType": "HASH"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	put := map[string]any{
		"TableName":           table,
		"Item":                map[string]any{"pk": map[string]string{"S": "a"}, "v": map[string]string{"S": "first"}},
		"ConditionExpression": "attribute_not_exists(pk)",
	}
	tests := []struct {
		name    string
		op      string
		in      any
		wantErr string // a substring of the error; empty for success
	}{
		{name: "conditional put", op: "PutItem", in: put},
		{name: "conditional put again", op: "PutItem", in: put, wantErr: "ConditionalCheckFailedException"},
		{name: "get", op: "GetItem", in: map[string]any{"TableName": table, "Key": map[string]any{"pk": map[string]string{"S": "a"}}}},
		{name: "no transactions", op: "TransactWriteItems", in: map[string]any{"TransactItems": []any{}}, wantErr: "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out map[string]any
			err := d.Call(ctx, tt.op, tt.in, &out)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %s", err, tt.wantErr)
			}
		})
	}
}

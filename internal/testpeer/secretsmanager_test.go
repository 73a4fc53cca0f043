package testpeer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/seclambda/seclambda/internal/testpeer"
)

// noBackoff is the SDK's standard retryer without the wait between
// attempts, so fault tests do not sleep.
func noBackoff(o *secretsmanager.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

func TestSecretsManagerGetSecretValue(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	arn, v1 := sm.PutString("app/db", `{"user":"admin","password":"pw-one"}`)
	_, v2 := sm.PutString("app/db", `{"user":"admin","password":"pw-two"}`)
	sm.PutBinary("app/bin", []byte{0, 1, 2, 0xff})
	client := sm.NewClient(noBackoff)

	tests := []struct {
		name       string
		in         secretsmanager.GetSecretValueInput
		wantString string
		wantBinary []byte
		wantStage  string
		wantErr    string // AWS error code
	}{
		{name: "by name, current", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")}, wantString: `{"user":"admin","password":"pw-two"}`, wantStage: "AWSCURRENT"},
		{name: "by ARN", in: secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}, wantString: `{"user":"admin","password":"pw-two"}`, wantStage: "AWSCURRENT"},
		{name: "previous stage", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionStage: aws.String("AWSPREVIOUS")}, wantString: `{"user":"admin","password":"pw-one"}`, wantStage: "AWSPREVIOUS"},
		{name: "by version ID", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionId: aws.String(v1)}, wantString: `{"user":"admin","password":"pw-one"}`, wantStage: "AWSPREVIOUS"},
		{name: "current version ID", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionId: aws.String(v2)}, wantString: `{"user":"admin","password":"pw-two"}`, wantStage: "AWSCURRENT"},
		{name: "binary", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("app/bin")}, wantBinary: []byte{0, 1, 2, 0xff}, wantStage: "AWSCURRENT"},
		{name: "unknown secret", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")}, wantErr: "ResourceNotFoundException"},
		{name: "unknown version", in: secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionId: aws.String("00000000-0000-0000-0000-000000000000")}, wantErr: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := client.GetSecretValue(ctx, &tt.in)
			if tt.wantErr != "" {
				var nf *types.ResourceNotFoundException
				if !errors.As(err, &nf) || nf.ErrorCode() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetSecretValue: %v", err)
			}
			if tt.wantBinary != nil {
				if !bytes.Equal(out.SecretBinary, tt.wantBinary) || out.SecretString != nil {
					t.Fatalf("SecretBinary = %v, SecretString set = %v", out.SecretBinary, out.SecretString != nil)
				}
			} else if aws.ToString(out.SecretString) != tt.wantString {
				t.Fatalf("SecretString = %q, want %q", aws.ToString(out.SecretString), tt.wantString)
			}
			if aws.ToString(out.ARN) == "" || aws.ToString(out.VersionId) == "" || out.CreatedDate == nil {
				t.Fatalf("missing ARN, VersionId or CreatedDate: %+v", out)
			}
			if len(out.VersionStages) != 1 || out.VersionStages[0] != tt.wantStage {
				t.Fatalf("VersionStages = %v, want [%s]", out.VersionStages, tt.wantStage)
			}
		})
	}
}

func TestSecretsManagerFaults(t *testing.T) {
	tests := []struct {
		name      string
		fault     testpeer.Fault
		n         int
		wantCalls int
		wantCode  string // "" means success after retries
	}{
		{name: "throttling then success", fault: testpeer.ThrottlingFault(), n: 2, wantCalls: 3},
		{name: "5xx then success", fault: testpeer.InternalFault("InternalServiceError"), n: 1, wantCalls: 2},
		{name: "throttled past max attempts", fault: testpeer.ThrottlingFault(), n: 5, wantCalls: 3, wantCode: "ThrottlingException"},
		{name: "access denied is not retried", fault: testpeer.Fault{Status: 400, Code: "AccessDeniedException", Message: "denied"}, n: 1, wantCalls: 1, wantCode: "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := testpeer.StartSecretsManager(t)
			sm.PutString("s", "value-1234")
			sm.Inject(tt.n, tt.fault)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := sm.NewClient(noBackoff).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			if got := sm.Calls(); got != tt.wantCalls {
				t.Errorf("Calls = %d, want %d", got, tt.wantCalls)
			}
			if got := sm.CallsFor("s"); got != tt.wantCalls {
				t.Errorf("CallsFor = %d, want %d", got, tt.wantCalls)
			}
			if tt.wantCode != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tt.wantCode {
					t.Fatalf("error = %v, want %s", err, tt.wantCode)
				}
				return
			}
			if err != nil || aws.ToString(out.SecretString) != "value-1234" {
				t.Fatalf("GetSecretValue = %v, %v", out, err)
			}
		})
	}
}

func TestSecretsManagerRejectsUnsignedAndOtherOperations(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	tests := []struct {
		name     string
		target   string
		auth     string
		wantCode string
	}{
		{name: "unsigned", target: "secretsmanager.GetSecretValue", wantCode: "MissingAuthenticationTokenException"},
		{name: "other operation", target: "secretsmanager.ListSecrets", auth: "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/secretsmanager/aws4_request", wantCode: "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, sm.URL+"/", strings.NewReader(`{"SecretId":"x"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type string `json:"__type"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusBadRequest || body.Type != tt.wantCode {
				t.Fatalf("status %d code %q, want 400 %q", resp.StatusCode, body.Type, tt.wantCode)
			}
		})
	}
}

func TestSecretsManagerExtension(t *testing.T) {
	sm := testpeer.StartSecretsManager(t)
	sm.PutString("ext/s", "extension-value")
	base := sm.StartExtension(t, "session-token")
	tests := []struct {
		name       string
		id         string
		token      string
		wantStatus int
		wantValue  string
	}{
		{name: "ok", id: "ext/s", token: "session-token", wantStatus: 200, wantValue: "extension-value"},
		{name: "wrong token", id: "ext/s", token: "other", wantStatus: 401},
		{name: "no token", id: "ext/s", wantStatus: 401},
		{name: "unknown secret", id: "nope", token: "session-token", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, base+"/secretsmanager/get?secretId="+url.QueryEscape(tt.id), nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.token != "" {
				req.Header.Set(testpeer.ExtensionTokenHeader, tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 400 && !strings.Contains(string(body), "ResourceNotFoundException") {
				t.Fatalf("body %q does not relay the error code", body)
			}
			if tt.wantValue != "" {
				var out struct{ SecretString string }
				if err := json.Unmarshal(body, &out); err != nil || out.SecretString != tt.wantValue {
					t.Fatalf("SecretString = %q (%v)", out.SecretString, err)
				}
			}
		})
	}
}

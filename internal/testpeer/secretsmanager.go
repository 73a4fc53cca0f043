package testpeer

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsManager is a loopback server that speaks the Secrets Manager
// wire protocol (AWS JSON 1.1: POST /, X-Amz-Target
// secretsmanager.GetSecretValue, Content-Type application/x-amz-json-1.1, a
// SigV4 Authorization header), so that the real aws-sdk-go-v2
// secretsmanager client talks to it unchanged. No local Secrets Manager or
// SSM peer exists, so this is the one place where the harness serves the
// protocol itself. Besides GetSecretValue it answers what rotation needs
// (DescribeSecret, PutSecretValue, UpdateSecretVersionStage, RotateSecret
// invoking a [Rotator], GetRandomPassword; rotation.go) and SSM's
// GetParameter (ssm.go). It also serves the HTTP API of the AWS Parameters
// and Secrets Lambda Extension from the same secrets and parameters
// ([SecretsManager.StartExtension]).
//
// Secrets are stored by name with versions: [SecretsManager.PutString] and
// [SecretsManager.PutBinary] add a version that takes the AWSCURRENT label
// and moves the previous one to AWSPREVIOUS. Errors have the shapes AWS
// sends: HTTP 400 with {"__type":"ResourceNotFoundException","Message":...}
// for an unknown secret or version, and injectable ThrottlingException and
// 5xx faults. Added latency, call counts and the most calls in flight at
// once are available for tests. It is safe for concurrent use.
type SecretsManager struct {
	// URL is the base URL, http://127.0.0.1:PORT.
	URL string

	srv *httptest.Server
	q   faults

	mu      sync.Mutex
	secrets map[string]*smSecret // by name
	calls   map[string]int       // GetSecretValue calls by SecretId as sent
	ops     map[string]int       // requests by X-Amz-Target
	params  map[string]*ssmParam // SSM parameters by name
	rotator Rotator
	rotErrs []error
}

type smSecret struct {
	name     string
	arn      string
	versions []*smVersion // oldest first
}

type smVersion struct {
	id      string
	str     *string
	bin     []byte
	stages  []string
	created time.Time
}

// StartSecretsManager starts a server with no secrets that stops at the
// test's cleanup.
func StartSecretsManager(tb testing.TB) *SecretsManager {
	tb.Helper()
	s := newSecretsManager()
	tb.Cleanup(s.srv.Close)
	return s
}

// NewClient returns an SDK client for this server with static test
// credentials. optFns may set a custom Retryer or HTTPClient.
func (s *SecretsManager) NewClient(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       KMSRegion,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTESTPEER", "test-secret", ""),
	}, optFns...)
}

// PutString stores value as a new AWSCURRENT version of secret name,
// creating the secret if needed, and returns the secret's ARN and the
// version ID.
func (s *SecretsManager) PutString(name, value string) (arn, versionID string) {
	return s.put(name, &smVersion{str: &value})
}

// PutBinary stores value as a new AWSCURRENT binary version of secret name
// and returns the secret's ARN and the version ID.
func (s *SecretsManager) PutBinary(name string, value []byte) (arn, versionID string) {
	return s.put(name, &smVersion{bin: append([]byte(nil), value...)})
}

func (s *SecretsManager) put(name string, v *smVersion) (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		sec = &smSecret{name: name, arn: fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", KMSRegion, KMSAccountID, name, randSuffix())}
		s.secrets[name] = sec
	}
	for _, old := range sec.versions {
		old.stages = removeStage(old.stages, "AWSPREVIOUS")
		if hasStage(old.stages, "AWSCURRENT") {
			old.stages = append(removeStage(old.stages, "AWSCURRENT"), "AWSPREVIOUS")
		}
	}
	v.id = requestID()
	v.stages = []string{"AWSCURRENT"}
	v.created = time.Now()
	sec.versions = append(sec.versions, v)
	return sec.arn, v.id
}

// Delete removes secret name; later reads get ResourceNotFoundException.
func (s *SecretsManager) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, name)
}

// SetLatency adds d to every request from now on. Zero removes it.
func (s *SecretsManager) SetLatency(d time.Duration) {
	s.q.mu.Lock()
	s.q.latency = d
	s.q.mu.Unlock()
}

// Inject makes the next n requests (API or extension) fail with f.
func (s *SecretsManager) Inject(n int, f Fault) { s.q.inject(n, f) }

// Calls returns how many requests the server has received, faults included.
func (s *SecretsManager) Calls() int { return int(s.q.requests.Load()) }

// CallsFor returns how many well-formed GetSecretValue requests (API or
// extension) named secretID, as sent, faults included.
func (s *SecretsManager) CallsFor(secretID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[secretID]
}

// MaxInFlight returns the most requests that were in progress at once.
func (s *SecretsManager) MaxInFlight() int { return int(s.q.maxIn.Load()) }

// serveAPI answers the Secrets Manager JSON protocol.
func (s *SecretsManager) serveAPI(w http.ResponseWriter, r *http.Request) {
	defer s.q.end()
	fault, faulted := s.q.begin(r)
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeSMError(w, http.StatusNotFound, "UnknownOperationException", "")
		return
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") ||
		!strings.Contains(r.Header.Get("Authorization"), "/"+serviceOf(r)+"/aws4_request"):
		writeSMError(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1"):
		writeSMError(w, http.StatusBadRequest, "SerializationException", "Unexpected content type")
		return
	}
	target := r.Header.Get("X-Amz-Target")
	s.countOp(target)
	if target != "secretsmanager.GetSecretValue" {
		if op := s.operation(target); op != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil || !json.Valid(body) {
				writeSMError(w, http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected.")
				return
			}
			if faulted {
				writeFault(w, fault)
				return
			}
			op(w, r, body)
			return
		}
		writeSMError(w, http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	var in struct {
		SecretId     *string
		VersionId    *string
		VersionStage *string
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &in) != nil {
		writeSMError(w, http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected.")
		return
	}
	if in.SecretId == nil || *in.SecretId == "" {
		writeSMError(w, http.StatusBadRequest, "InvalidParameterException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
		return
	}
	s.count(*in.SecretId)
	if faulted {
		writeFault(w, fault)
		return
	}
	out, code, msg := s.lookup(*in.SecretId, aws.ToString(in.VersionId), aws.ToString(in.VersionStage))
	if code != "" {
		writeSMError(w, http.StatusBadRequest, code, msg)
		return
	}
	writeAWSJSON(w, http.StatusOK, out)
}

func (s *SecretsManager) count(id string) {
	s.mu.Lock()
	s.calls[id]++
	s.mu.Unlock()
}

// smOutput is the GetSecretValue response document.
type smOutput struct {
	ARN           string
	Name          string
	VersionId     string
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"` // base64, as the JSON protocol encodes blobs
	VersionStages []string
	CreatedDate   float64 // epoch seconds
}

// lookup resolves a secret by name or ARN and a version by ID or stage
// (AWSCURRENT when neither is given). It returns an error code and message
// instead when there is no such secret or version.
func (s *SecretsManager) lookup(id, versionID, stage string) (*smOutput, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[id]
	if sec == nil {
		for _, c := range s.secrets {
			if c.arn == id {
				sec = c
				break
			}
		}
	}
	if sec == nil {
		return nil, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."
	}
	if versionID == "" && stage == "" {
		stage = "AWSCURRENT"
	}
	for _, v := range sec.versions {
		if (versionID != "" && v.id != versionID) || (stage != "" && !hasStage(v.stages, stage)) {
			continue
		}
		if v.str == nil && v.bin == nil {
			break // a version that RotateSecret created and createSecret has not filled yet
		}
		return &smOutput{
			ARN: sec.arn, Name: sec.name, VersionId: v.id,
			SecretString: v.str, SecretBinary: v.bin,
			VersionStages: append([]string(nil), v.stages...),
			CreatedDate:   float64(v.created.UnixMilli()) / 1000,
		}, "", ""
	}
	if versionID != "" {
		return nil, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + versionID
	}
	return nil, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: " + stage
}

// writeSMError writes a Secrets Manager modelled error, whose message
// member is capitalised as the service sends it.
func writeSMError(w http.ResponseWriter, status int, code, msg string) {
	writeAWSJSON(w, status, map[string]string{"__type": code, "Message": msg})
}

// ExtensionTokenHeader is the header that authenticates a request to the
// AWS Parameters and Secrets Lambda Extension; its value is the function's
// AWS_SESSION_TOKEN.
const ExtensionTokenHeader = "X-Aws-Parameters-Secrets-Token"

// StartExtension starts a second loopback server that serves the HTTP API of
// the AWS Parameters and Secrets Lambda Extension over this server's
// secrets, and returns its base URL (the stand-in for
// http://localhost:2773). It answers GET /secretsmanager/get?secretId=ID
// (with optional versionId or versionStage) with the GetSecretValue JSON
// document when the X-Aws-Parameters-Secrets-Token header equals token;
// otherwise 401. An unknown secret gets 400 with the Secrets Manager error
// code and message in the body, as the extension relays it. Injected faults
// and latency apply here too. The server stops at the test's cleanup.
func (s *SecretsManager) StartExtension(tb testing.TB, token string) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.q.end()
		fault, faulted := s.q.begin(r)
		if r.Method != http.MethodGet || (r.URL.Path != "/secretsmanager/get" && r.URL.Path != "/systemsmanager/parameters/get") {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if token == "" || r.Header.Get(ExtensionTokenHeader) != token {
			http.Error(w, "unauthorized: missing or invalid "+ExtensionTokenHeader, http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/systemsmanager/parameters/get" {
			if faulted {
				http.Error(w, fault.Code+": "+fault.Message, fault.Status)
				return
			}
			s.serveExtensionParam(w, r)
			return
		}
		q := r.URL.Query()
		id := q.Get("secretId")
		if id == "" {
			http.Error(w, "secretId is required", http.StatusBadRequest)
			return
		}
		s.count(id)
		if faulted {
			http.Error(w, fault.Code+": "+fault.Message, fault.Status)
			return
		}
		out, code, msg := s.lookup(id, q.Get("versionId"), q.Get("versionStage"))
		if code != "" {
			http.Error(w, code+": "+msg, http.StatusBadRequest)
			return
		}
		body, err := json.Marshal(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func hasStage(stages []string, s string) bool {
	for _, v := range stages {
		if v == s {
			return true
		}
	}
	return false
}

func removeStage(stages []string, s string) []string {
	out := stages[:0]
	for _, v := range stages {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// randSuffix returns the six random characters that Secrets Manager
// appends to a secret's name in its ARN.
func randSuffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

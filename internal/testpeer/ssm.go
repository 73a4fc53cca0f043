package testpeer

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// ssmParam is one SSM parameter with its versions, oldest first.
type ssmParam struct {
	name     string
	typ      string // String or SecureString
	versions []ssmVersion
}

type ssmVersion struct {
	value    string
	modified time.Time
}

// PutParameter stores value as a new version of the SSM Parameter Store
// parameter name, of type "SecureString" when secure and "String"
// otherwise, and returns its version number (from 1). The same server
// answers the SSM GetParameter wire protocol (AWS JSON 1.1, X-Amz-Target
// AmazonSSM.GetParameter, signed for "ssm"; see [SecretsManager.NewSSMClient])
// and the extension's /systemsmanager/parameters/get. A SecureString read
// without WithDecryption returns an opaque base64 stand-in for the
// ciphertext, never the value, as SSM does.
func (s *SecretsManager) PutParameter(name, value string, secure bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.params == nil {
		s.params = map[string]*ssmParam{}
	}
	p := s.params[name]
	if p == nil {
		p = &ssmParam{name: name, typ: "String"}
		s.params[name] = p
	}
	if secure {
		p.typ = "SecureString"
	} else {
		p.typ = "String"
	}
	p.versions = append(p.versions, ssmVersion{value: value, modified: time.Now()})
	return int64(len(p.versions))
}

// NewSSMClient returns an SSM SDK client for this server with static test
// credentials.
func (s *SecretsManager) NewSSMClient(optFns ...func(*ssm.Options)) *ssm.Client {
	return ssm.New(ssm.Options{
		Region:       KMSRegion,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTESTPEER", "test-secret", ""),
	}, optFns...)
}

// ssmOutput is the Parameter member of a GetParameter response.
type ssmOutput struct {
	Name             string
	Type             string
	Value            string
	Version          int64
	ARN              string
	DataType         string
	LastModifiedDate float64
	Selector         string `json:",omitempty"`
}

// lookupParam resolves name, with an optional ":VERSION" selector, and
// returns an error code and message instead when there is none.
func (s *SecretsManager) lookupParam(name string, decrypt bool) (*ssmOutput, string, string) {
	base, sel := name, ""
	if i := strings.LastIndexByte(name, ':'); i > 0 && !strings.HasPrefix(name, "arn:") {
		base, sel = name[:i], name[i+1:]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["ssm:"+name]++
	p := s.params[base]
	if p == nil {
		return nil, "ParameterNotFound", ""
	}
	n := len(p.versions)
	if sel != "" {
		k, err := strconv.Atoi(sel)
		if err != nil || k < 1 || k > len(p.versions) {
			return nil, "ParameterVersionNotFound", "Systems Manager could not find version " + sel + " of " + base + "."
		}
		n = k
	}
	v := p.versions[n-1]
	out := &ssmOutput{
		Name: base, Type: p.typ, Value: v.value, Version: int64(n), DataType: "text",
		ARN:              fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", KMSRegion, KMSAccountID, strings.TrimPrefix(base, "/")),
		LastModifiedDate: float64(v.modified.UnixMilli()) / 1000,
	}
	if sel != "" {
		out.Selector = ":" + sel
	}
	if p.typ == "SecureString" && !decrypt {
		out.Value = base64.StdEncoding.EncodeToString([]byte("ciphertext-of-" + base + "-v" + strconv.Itoa(n)))
	}
	return out, "", ""
}

// ParamCalls returns how many GetParameter requests (API or extension)
// named the parameter name, as sent.
func (s *SecretsManager) ParamCalls(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls["ssm:"+name]
}

func (s *SecretsManager) getParameter(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		Name           string
		WithDecryption bool
	}
	_ = json.Unmarshal(body, &in)
	if in.Name == "" {
		writeAWSJSON(w, http.StatusBadRequest, map[string]string{"__type": "ValidationException", "message": "1 validation error detected: Value null at 'name'"})
		return
	}
	out, code, msg := s.lookupParam(in.Name, in.WithDecryption)
	if code != "" {
		writeAWSJSON(w, http.StatusBadRequest, map[string]string{"__type": code, "message": msg})
		return
	}
	writeAWSJSON(w, http.StatusOK, map[string]any{"Parameter": out})
}

// serveExtensionParam answers the extension's
// /systemsmanager/parameters/get?name=NAME&withDecryption=true.
func (s *SecretsManager) serveExtensionParam(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("name")
	if name == "" {
		http.Error(w, "name is required", http.StatusBadRequest)
		return
	}
	decrypt, _ := strconv.ParseBool(q.Get("withDecryption"))
	out, code, msg := s.lookupParam(name, decrypt)
	if code != "" {
		http.Error(w, code+": "+msg, http.StatusBadRequest)
		return
	}
	body, err := json.Marshal(map[string]any{"Parameter": out, "ResultMetadata": map[string]any{}})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

package samcheck_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/examples/samcheck"
)

// FuzzCheck feeds arbitrary bytes to Check: it must return findings or an
// error, never panic, and report every finding on a line of the input.
func FuzzCheck(f *testing.F) {
	if data, err := os.ReadFile("../template.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Role: !GetAtt [R, Arn]\n"))
	f.Add([]byte(`{"Resources":{"P":{"Type":"AWS::Lambda::Permission","Properties":{"SourceArn":{"Fn::Join":["",[1,2]]}}}}}`))
	f.Add([]byte("Resources:\n  A:\n    Type: T\n    Type: U\n  A: {Type: V}\nResources: {}\n"))
	f.Add([]byte("Resources:\n  Fn::ForEach::X: [N, [a], {T${N}: {Type: AWS::SNS::Topic}}]\n"))
	f.Add([]byte("Resources:\n  S:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {CidrIpv6: '0000:0::0/00', CidrIp: !Ref P}\nParameters:\n  P: {Default: 0.0.0.0/0}\n"))
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Metadata: {samcheck: {suppress: [{rule: open-route, reason: r}, x, {rule: [1]}]}}\n    Properties: {FunctionUrlConfig: {AuthType: NONE}, Events: {E: {Type: Api}, G: {Type: HttpApi, Properties: [1]}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		findings, err := samcheck.Check(data, &samcheck.Options{IncludeSuppressed: true})
		if err != nil {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, f := range findings {
			if f.Line < 0 || f.Line > lines {
				t.Fatalf("finding on line %d of %d: %s", f.Line, lines, f)
			}
		}
	})
}

// FuzzEnvValue puts an arbitrary value in a function's environment, under a
// sensitive name and an innocent one: Check must not panic, and no finding
// may repeat the value, which may be a credential.
func FuzzEnvValue(f *testing.F) {
	for _, v := range []string{
		"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "Bearer abc.def", "Basic dXNlcjpwYXNz",
		"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln",
		"AQICAHhzZWNyZXQ=", "{{resolve:ssm-secure:x}}", "${Param}", "",
	} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		v, err := json.Marshal(value)
		if err != nil {
			return
		}
		tmpl := `{"Resources":{"Fn":{"Type":"AWS::Serverless::Function","Properties":{"Environment":{"Variables":{"API_KEY":` +
			string(v) + `,"PLAIN":` + string(v) + `}}}}}}`
		findings, err := samcheck.Check([]byte(tmpl), nil)
		if err != nil {
			return // YAML refuses some characters that JSON allows, such as DEL
		}
		if len(value) < 8 {
			return
		}
		for _, f := range findings {
			if strings.Contains(f.Message, value) {
				t.Fatalf("finding repeats the value: %s", f)
			}
		}
	})
}

package samcheck_test

import (
	"os"
	"testing"

	"github.com/seclambda/seclambda/examples/samcheck"
)

// FuzzCheck feeds arbitrary bytes to Check: it must return findings or an
// error, never panic.
func FuzzCheck(f *testing.F) {
	if data, err := os.ReadFile("../template.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Role: !GetAtt [R, Arn]\n"))
	f.Add([]byte(`{"Resources":{"P":{"Type":"AWS::Lambda::Permission","Properties":{"SourceArn":{"Fn::Join":["",[1,2]]}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = samcheck.Check(data, nil)
	})
}

package secenv_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoSDKDependency keeps the AWS SDK out of secenv's imports, so that a
// configuration without kms or secretsmanager fields does not link it: the
// SDK belongs in secenvaws.
func TestNoSDKDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/seclambda/seclambda/secenv").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(pkg, "github.com/aws/smithy-go") {
			t.Errorf("secenv imports %s; the SDK belongs in secenvaws", pkg)
		}
	}
}

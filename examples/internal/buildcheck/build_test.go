package buildcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestFunctionsBuildForBothArchitectures(t *testing.T) {
	functions := []string{"authorizer-cognito", "authorizer-mtls", "api", "iam-caller", "hello", "alb-target"}
	for _, fn := range functions {
		for _, arch := range []string{"arm64", "amd64"} {
			t.Run(fn+"/"+arch, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "bootstrap")
				cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "./"+fn)
				cmd.Dir = "../.."
				cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("build: %v\n%s", err, b)
				}
				if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
					t.Fatalf("no bootstrap binary: %v", err)
				}
			})
		}
	}
}

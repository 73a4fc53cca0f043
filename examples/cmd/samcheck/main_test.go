package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	clean = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: bootstrap}
`
	open = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {Path: /, Method: GET}}
`
	suppressed = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      samcheck:
        suppress:
          - {rule: open-route, reason: public status page}
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {Path: /, Method: GET}}
`
	forEach = `
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - Topic${Name}: {Type: AWS::SNS::Topic}
`
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cleanFile, openFile := write("clean.yaml", clean), write("open.yaml", open)
	suppressedFile, forEachFile := write("suppressed.yaml", suppressed), write("foreach.yaml", forEach)
	brokenFile := write("broken.yaml", "Resources: [")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // substrings, in order
		stderr   []string
		noStdout string
	}{
		{name: "clean", args: []string{cleanFile}, code: 0},
		{name: "finding", args: []string{openFile}, code: 1, stdout: []string{"open.yaml:3: Fn: open-route: "}},
		{name: "suppressed finding is listed and passes", args: []string{suppressedFile}, code: 0, stdout: []string{"Fn: open-route: ", "(suppressed: public status page)"}},
		{name: "goes on after an unparsable file", args: []string{brokenFile, openFile, cleanFile}, code: 2,
			stdout: []string{"open.yaml:3: Fn: open-route"}, stderr: []string{"broken.yaml: samcheck: cannot parse template"}},
		{name: "Fn::ForEach is not supported", args: []string{forEachFile, cleanFile}, code: 2,
			stderr: []string{"foreach.yaml: ", "Fn::ForEach (of the AWS::LanguageExtensions transform) is not supported"}},
		{name: "missing file", args: []string{filepath.Join(dir, "none.yaml"), openFile}, code: 2, stdout: []string{"open-route"}},
		{name: "read-only wildcards flag", args: []string{"-readonly-wildcards", "", write("ro.yaml", `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{Effect: Allow, Action: "dynamodb:List*", Resource: arn:aws:dynamodb:eu-west-1:111122223333:table/t}]
`)}, code: 1, stdout: []string{"Role: wildcard-action"}},
		{name: "no arguments", args: nil, code: 2, stderr: []string{"usage: samcheck"}},
		{name: "unknown format", args: []string{"-format", "xml", cleanFile}, code: 2, stderr: []string{"usage: samcheck"}},
		{name: "sarif", args: []string{"-format", "sarif", openFile}, code: 1, stdout: []string{`"version": "2.1.0"`}, noStdout: "open.yaml:3:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, &stdout, &stderr)
			}
			inOrder(t, "stdout", stdout.String(), tt.stdout)
			inOrder(t, "stderr", stderr.String(), tt.stderr)
			if tt.noStdout != "" && strings.Contains(stdout.String(), tt.noStdout) {
				t.Errorf("stdout holds %q:\n%s", tt.noStdout, &stdout)
			}
		})
	}
}

func inOrder(t *testing.T, name, s string, want []string) {
	t.Helper()
	rest := s
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%s lacks %q (in order):\n%s", name, w, s)
			return
		}
		rest = rest[i+len(w):]
	}
}

// TestSARIF checks the SARIF 2.1.0 log: its version and schema, a result per
// finding with the rule, resource and line, in-source suppressions, and a
// failed invocation for a file that could not be checked.
func TestSARIF(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, f := range []struct{ name, content string }{
		{"a-open.yaml", open}, {"b-suppressed.yaml", suppressed}, {"c-broken.yaml", "Resources: ["},
	} {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte(f.content), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"-format", "sarif"}, files...), &stdout, &stderr); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []struct{ Name, Kind string } `json:"logicalLocations"`
				} `json:"locations"`
				Suppressions []struct{ Kind, Justification string } `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, &stdout)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 log with one run: %s", &stdout)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "samcheck" {
		t.Errorf("driver %q", run.Tool.Driver.Name)
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].Notifications) != 1 ||
		!strings.Contains(run.Invocations[0].Notifications[0].Message.Text, "cannot parse") {
		t.Errorf("invocations do not report the broken file: %+v", run.Invocations)
	}
	if len(run.Results) != 2 {
		t.Fatalf("%d results, want 2: %s", len(run.Results), &stdout)
	}
	for i, r := range run.Results {
		if r.RuleID != "open-route" || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.Level != "error" {
			t.Errorf("result %d: rule %q index %d level %q", i, r.RuleID, r.RuleIndex, r.Level)
		}
		loc := r.Locations[0]
		if !strings.HasSuffix(loc.PhysicalLocation.ArtifactLocation.URI, ".yaml") || loc.PhysicalLocation.Region.StartLine == 0 ||
			loc.LogicalLocations[0].Name != "Fn" || loc.LogicalLocations[0].Kind != "resource" {
			t.Errorf("result %d: location %+v", i, loc)
		}
	}
	if s := run.Results[0].Suppressions; len(s) != 0 {
		t.Errorf("unsuppressed result has suppressions %+v", s)
	}
	if s := run.Results[1].Suppressions; len(s) != 1 || s[0].Kind != "inSource" || s[0].Justification != "public status page" {
		t.Errorf("suppressed result has suppressions %+v", s)
	}
}

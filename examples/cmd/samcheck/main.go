// Command samcheck checks AWS SAM or CloudFormation templates against
// seclambda's serverless security rules.
//
// Usage:
//
//	go run github.com/seclambda/seclambda/examples/cmd/samcheck [flags] template.yaml...
//
// Each finding is printed as "file:line: Resource: rule: message", where
// line is that of the resource (or section) in the template; one that
// the template suppresses in its Metadata ends with "(suppressed: reason)"
// and does not fail the check. With -format sarif, the findings are written
// as one SARIF 2.1.0 log for code-scanning tools instead. The rules are
// listed in the documentation of package
// github.com/seclambda/seclambda/examples/samcheck.
//
// samcheck checks every file it is given. It exits 2 if any file could not
// be checked (unreadable, not a template, or using Fn::ForEach), otherwise 1
// if any rule is broken, and 0 when every template passes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/seclambda/seclambda/examples/samcheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// result is what checking one file gave.
type result struct {
	file     string
	findings []samcheck.Finding
	err      error
}

// run is the command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("samcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	star := fs.String("star-actions", "", "comma-separated actions allowed on Resource \"*\" in addition to the defaults")
	readOnly := fs.String("readonly-wildcards", strings.Join(samcheck.DefaultReadOnlyWildcards, ","),
		"comma-separated wildcard actions that wildcard-action accepts as read-only (\"*:\" means any service); empty accepts none")
	format := fs.String("format", "text", "output format: text or sarif (SARIF 2.1.0)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: samcheck [-format text|sarif] [-star-actions a,b] [-readonly-wildcards a,b] template.yaml...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "sarif") {
		fs.Usage()
		return 2
	}
	opts := &samcheck.Options{IncludeSuppressed: true, ReadOnlyWildcards: split(*readOnly)}
	if *star != "" {
		opts.StarResourceActions = append(append([]string{}, samcheck.DefaultStarResourceActions...), split(*star)...)
	}
	var results []result
	code := 0
	for _, name := range fs.Args() {
		findings, err := samcheck.CheckFile(name, opts)
		results = append(results, result{file: name, findings: findings, err: err})
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			code = 2
			continue
		}
		for _, f := range findings {
			if f.Suppressed == "" && code == 0 {
				code = 1
			}
			if *format == "text" && f.Line > 0 {
				fmt.Fprintf(stdout, "%s:%d: %s\n", name, f.Line, f)
			} else if *format == "text" {
				fmt.Fprintf(stdout, "%s: %s\n", name, f)
			}
		}
	}
	if *format == "sarif" {
		if err := writeSARIF(stdout, results); err != nil {
			fmt.Fprintf(stderr, "samcheck: %v\n", err)
			return 2
		}
	}
	return code
}

// split splits a comma-separated list, dropping empty entries; it never
// returns nil, so that an empty list means none rather than the defaults.
func split(s string) []string {
	out := []string{}
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

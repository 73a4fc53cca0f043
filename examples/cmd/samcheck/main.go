// Command samcheck checks AWS SAM or CloudFormation templates against
// seclambda's serverless security rules and exits 1 if any rule is broken.
//
// Usage:
//
//	go run github.com/seclambda/seclambda/examples/cmd/samcheck template.yaml...
//
// Each finding is printed as "file: Resource: rule: message". The rules are
// listed in the documentation of package
// github.com/seclambda/seclambda/examples/samcheck.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/seclambda/seclambda/examples/samcheck"
)

func main() {
	star := flag.String("star-actions", "", "comma-separated actions allowed on Resource \"*\" in addition to the defaults")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: samcheck [-star-actions a,b] template.yaml...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	opts := &samcheck.Options{}
	if *star != "" {
		opts.StarResourceActions = append(append([]string{}, samcheck.DefaultStarResourceActions...), strings.Split(*star, ",")...)
	}
	failed := false
	for _, name := range flag.Args() {
		findings, err := samcheck.CheckFile(name, opts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		for _, f := range findings {
			fmt.Printf("%s: %s\n", name, f)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

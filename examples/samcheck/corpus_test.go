package samcheck_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/examples/samcheck"
)

// peerTemplates returns the directory of the peer corpus: shared/peer-templates
// beside the repository's clone (CI puts shared/ there, read-only). The
// repository root is the directory of the root module's go.mod above the
// package; for a git worktree, the main working tree's root is tried too.
// A missing corpus fails the test, naming every place it looked.
//
// SAMCHECK_PEER_TEMPLATES names the directory instead; the value "none" says,
// explicitly, that this checkout has no corpus (the public repository's
// workflow, which has no shared/ beside its clone) and skips the test. Unset,
// the corpus is required.
func peerTemplates(t *testing.T) string {
	t.Helper()
	switch dir := os.Getenv("SAMCHECK_PEER_TEMPLATES"); dir {
	case "":
	case "none":
		t.Skip("SAMCHECK_PEER_TEMPLATES=none: this checkout has no peer-template corpus")
	default:
		if _, err := os.Stat(filepath.Join(dir, "expected.tsv")); err != nil {
			t.Fatalf("SAMCHECK_PEER_TEMPLATES=%s: %v", dir, err)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := ""
	for dir := wd; ; dir = filepath.Dir(dir) {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && rootModule(data) {
			root = dir
			break
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("peer corpus: no repository root (a go.mod of module github.com/seclambda/seclambda) above %s", wd)
		}
	}
	var tried []string
	candidates := []string{filepath.Join(root, "..", "shared", "peer-templates")}
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--path-format=absolute", "--git-common-dir").Output(); err == nil {
		main := filepath.Dir(strings.TrimSpace(string(out)))
		candidates = append(candidates, filepath.Join(main, "..", "shared", "peer-templates"))
	}
	for _, c := range candidates {
		c = filepath.Clean(c)
		tried = append(tried, c)
		if _, err := os.Stat(filepath.Join(c, "expected.tsv")); err == nil {
			return c
		}
	}
	t.Fatalf("peer corpus not found: looked for ../shared/peer-templates/expected.tsv relative to the repository root, at %s", strings.Join(tried, " and "))
	return ""
}

// rootModule reports whether a go.mod is the library's, the repository root.
func rootModule(gomod []byte) bool {
	for _, line := range bytes.Split(gomod, []byte("\n")) {
		if string(bytes.TrimSpace(line)) == "module github.com/seclambda/seclambda" {
			return true
		}
	}
	return false
}

// TestPeerCorpus runs samcheck on every template of the peer corpus and
// compares what it reports with expected.tsv, both ways: every expected
// finding is reported, and nothing else is.
func TestPeerCorpus(t *testing.T) {
	dir := peerTemplates(t)
	f, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]map[string]bool{} // file -> "resource\trule"
	sc := bufio.NewScanner(f)
	header := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("expected.tsv: malformed line %q", line)
		}
		if !header {
			header = true
			if line == "file\tresource\trule" {
				continue
			}
		}
		if want[fields[0]] == nil {
			want[fields[0]] = map[string]bool{}
		}
		want[fields[0]][fields[1]+"\t"+fields[2]] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Rules newer than the corpus: their findings on it are listed, with
	// the reason, in testdata/corpus-additions.tsv.
	additions, err := os.ReadFile(filepath.Join("testdata", "corpus-additions.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(additions), "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 || want[fields[0]] == nil {
			t.Fatalf("corpus-additions.tsv: malformed line or unknown file %q", line)
		}
		want[fields[0]][fields[1]+"\t"+fields[2]] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".yaml" || ext == ".yml" || ext == ".json" {
			files = append(files, e.Name())
		}
	}
	for name := range want {
		if !slices.Contains(files, name) {
			t.Errorf("expected.tsv names %s, which is not in the corpus", name)
		}
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			exp, ok := want[name]
			if !ok {
				t.Fatalf("%s has no line in expected.tsv", name)
			}
			findings, err := samcheck.CheckFile(filepath.Join(dir, name), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range findings {
				got[f.Resource+"\t"+f.Rule] = true
				if !exp[f.Resource+"\t"+f.Rule] {
					t.Errorf("false positive: %s", f)
				}
				if exp[f.Resource+"\t-"] || exp["*\t-"] {
					t.Errorf("%s must have no finding: %s", f.Resource, f)
				}
			}
			detected, total := 0, 0
			for k := range exp {
				if strings.HasSuffix(k, "\t-") {
					continue
				}
				total++
				if got[k] {
					detected++
				} else {
					t.Errorf("missed: %s", strings.Replace(k, "\t", ": ", 1))
				}
			}
			t.Logf("%s: detected %d of %d, %d findings", name, detected, total, len(findings))
		})
	}
}

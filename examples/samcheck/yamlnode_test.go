package samcheck

import "testing"

// FuzzScan checks the duplicate-key pass: for any YAML it accepts, the
// document it re-encodes parses again and has no duplicate key left.
func FuzzScan(f *testing.F) {
	f.Add([]byte("a: 1\na: 2\nb: {c: 1, c: 2}\n"))
	f.Add([]byte("Resources:\n  X: !Ref Y\n  X: !Sub '${Z}'\n"))
	f.Add([]byte("- {a: 1, a: [1, {b: 1, b: 2}]}\n"))
	f.Add([]byte("&a {x: 1, x: *a}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, out, err := scan(data)
		if err != nil {
			return
		}
		o2, _, err := scan(out)
		if err != nil {
			t.Fatalf("re-encoded document does not parse: %v\n%q", err, out)
		}
		if len(o2.dups) != 0 {
			t.Fatalf("duplicates left after the pass: %+v", o2.dups)
		}
		if len(o.dups) == 0 && string(out) != string(data) {
			t.Fatal("document without duplicates was re-encoded")
		}
	})
}

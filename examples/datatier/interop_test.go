package datatier_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// jsPeer runs testdata/interop.js, the AWS Encryption SDK for JavaScript
// installed by make peers in .bin/aws-crypto, against one key store.
type jsPeer struct {
	t    *testing.T
	node string
	base map[string]any
}

func startJS(t *testing.T, kmsEndpoint, ddbEndpoint string, local datatier.Local) *jsPeer {
	t.Helper()
	modules := filepath.Join(testpeer.BinDir(), "aws-crypto", "node_modules")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(modules, "@aws-crypto", "client-node")); err != nil || serr != nil || testpeer.BinDir() == "" {
		msg := "the AWS Encryption SDK for JavaScript is not installed in .bin/aws-crypto (or node is missing); run `make peers`"
		if testpeer.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Setenv("NODE_PATH", modules)
	return &jsPeer{t: t, node: node, base: map[string]any{
		"region": testpeer.KMSRegion, "kmsEndpoint": kmsEndpoint, "ddbEndpoint": ddbEndpoint,
		"keyStoreTable": local.KeyStore.Table, "kmsKeyArn": local.KeyStore.KMSKeyARN, "branchKeyId": local.BranchKeyID,
	}}
}

// run sends one request; a failure of the script is an error.
func (p *jsPeer) run(op string, encCtx map[string]string, data []byte) ([]byte, error) {
	p.t.Helper()
	req := map[string]any{"op": op, "context": encCtx, "data": base64.StdEncoding.EncodeToString(data)}
	for k, v := range p.base {
		req[k] = v
	}
	in, _ := json.Marshal(req)
	cmd := exec.Command(p.node, "testdata/interop.js")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, errors.New(strings.TrimSpace(stderr.String()))
	}
	var resp struct{ Data []byte }
	if err := json.Unmarshal(out, &resp); err != nil {
		p.t.Fatalf("interop.js answered %q: %v", out, err)
	}
	return resp.Data, nil
}

// TestInteropJS proves the format: a note encrypted by the Go cipher
// decrypts with the AWS Encryption SDK for JavaScript against the same
// local-kms and key store, and one encrypted there decrypts in Go; each side
// refuses a message whose encryption context is not the expected one.
func TestInteropJS(t *testing.T) {
	ctx := ctxT(t)
	k := testpeer.StartKMS(t)
	_, keyARN := k.CreateKey(t)
	d := testpeer.StartDynamo(t)
	ddb := datatier.LocalDynamo(d.Endpoint, testpeer.DynamoRegion)
	local, err := datatier.Provision(ctx, ddb, k.Client, "interop-notes", datatier.KeyStore{Table: "interop-keystore", KMSKeyARN: keyARN})
	if err != nil {
		t.Fatal(err)
	}
	js := startJS(t, k.Endpoint, d.Endpoint, local)
	store, err := local.KeyStore.Open(ddb, k.Client)
	if err != nil {
		t.Fatal(err)
	}
	c, err := datatier.NewCipher(local.NotesTable, store, local.BranchKeyID, 0)
	if err != nil {
		t.Fatal(err)
	}
	const text = "a note from one SDK to the other: 7d2e"
	own := datatier.EncryptionContext(local.NotesTable, "alice", "n1")
	moved := datatier.EncryptionContext(local.NotesTable, "bob", "n1")

	fromGo, err := c.Encrypt(ctx, "alice", "n1", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	fromJS, err := js.run("encrypt", own, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Go to JavaScript", func(t *testing.T) {
		tests := []struct {
			name    string
			encCtx  map[string]string
			wantErr bool
		}{
			{name: "expected context", encCtx: own},
			{name: "another owner's context", encCtx: moved, wantErr: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := js.run("decrypt", tt.encCtx, fromGo)
				if tt.wantErr {
					// The script's own check refuses it, not some other
					// failure.
					if err == nil || !strings.Contains(err.Error(), "encryption context mismatch") {
						t.Fatalf("JavaScript decrypt with another context: %v, want a context mismatch", err)
					}
					if strings.Contains(err.Error(), text) {
						t.Fatal("the error holds the text")
					}
					return
				}
				if err != nil || string(got) != text {
					t.Fatalf("JavaScript decrypt: %v", err)
				}
			})
		}
	})
	t.Run("JavaScript to Go", func(t *testing.T) {
		tests := []struct {
			name, owner string
			wantErr     error
		}{
			{name: "expected context", owner: "alice"},
			{name: "another owner's context", owner: "bob", wantErr: datatier.ErrDecrypt},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := c.Decrypt(ctx, tt.owner, "n1", fromJS)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Go decrypt error = %v, want %v", err, tt.wantErr)
				}
				if err == nil && got.Reveal() != text {
					t.Fatal("Go decrypted another text")
				}
			})
		}
	})
}

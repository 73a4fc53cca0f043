package testpeer

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// DynamoRegion is the region that clients of dynalite sign for. dynalite
// accepts any region and checks only that a request carries a well-formed
// SigV4 Authorization header, not the signature.
const DynamoRegion = KMSRegion

// Dynamo is a running dynalite, an implementation of the DynamoDB API on
// LevelDB, kept in memory. It is safe for concurrent use; tests that need
// isolation create their own tables.
//
// dynalite 4.0.0 implements the item, query, scan and table actions, but
// not the transactions (TransactWriteItems, TransactGetItems).
type Dynamo struct {
	// Endpoint is the base URL, http://127.0.0.1:PORT.
	Endpoint string
}

var dynamoReady = regexp.MustCompile(`Dynalite listening at: http://[^:\s]+:(\d+)`)

// dynaliteScript is where make installs dynalite, below [BinDir].
const dynaliteScript = "dynalite/node_modules/dynalite/cli.js"

// StartDynamo returns the dynalite shared by this test binary, starting it
// on a free loopback port on first use.
func StartDynamo(tb testing.TB) *Dynamo {
	tb.Helper()
	return startShared(tb, "StartDynamo", &shared.dynamo, launchDynamo)
}

// LaunchDynamo starts a dynalite of its own on a free loopback port, with
// its data in memory. The returned stop function stops it, by PID; call it
// exactly once.
func LaunchDynamo() (*Dynamo, func(), error) {
	d, p, err := launchDynamo()
	if err != nil {
		return nil, nil, err
	}
	return d, p.stop, nil
}

func launchDynamo() (*Dynamo, *process, error) {
	node, err := lookBin("node")
	if err != nil {
		return nil, nil, missingErr("node (for dynalite)", err.Error())
	}
	script := filepath.Join(BinDir(), dynaliteScript)
	if BinDir() == "" || !isFile(script) {
		return nil, nil, missingErr("dynalite", "not installed in .bin/dynalite")
	}
	var lastErr error
	// dynalite treats --port 0 as its default port, 4567, so it must be
	// given a free port; retry if another process takes it meanwhile.
	for range 3 {
		d, p, err := startDynamoProcess(node, script)
		if err == nil {
			return d, p, nil
		}
		lastErr = err
	}
	return nil, nil, lastErr
}

func startDynamoProcess(node, script string) (*Dynamo, *process, error) {
	n, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	port := strconv.Itoa(n)
	// Tables are ACTIVE at once, as a test expects of CreateTable.
	p, err := start("dynalite", filepath.Dir(script), nil, node, script,
		"--host", "127.0.0.1", "--port", port,
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	if err != nil {
		return nil, nil, err
	}
	if _, err = p.waitFor(dynamoReady, 30*time.Second); err == nil {
		err = p.waitDial("127.0.0.1:"+port, 10*time.Second)
	}
	if err != nil {
		p.stop()
		return nil, nil, err
	}
	return &Dynamo{Endpoint: "http://127.0.0.1:" + port}, p, nil
}

// Call sends one DynamoDB JSON-protocol request, such as "ListTables", and
// decodes the response into out (which may be nil). It is for the harness's
// own checks; clients under test use the SDK's dynamodb client with
// BaseEndpoint set to [Dynamo.Endpoint].
func (d *Dynamo) Call(ctx context.Context, op string, in, out any) error {
	now := time.Now().UTC()
	return callJSON(ctx, "dynamodb", d.Endpoint, op, in, out, map[string]string{
		"Content-Type": "application/x-amz-json-1.0",
		"X-Amz-Target": "DynamoDB_20120810." + op,
		"X-Amz-Date":   now.Format("20060102T150405Z"),
		// A well-formed, unsigned SigV4 header: dynalite checks the form only.
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTESTPEER/" + now.Format("20060102") +
			"/" + DynamoRegion + "/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00",
	})
}

// isFile reports whether path names an existing regular file.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

package datatier_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/internal/testpeer"
)

// FuzzPutsOneByOne feeds TransactWriteItems bodies to the adapter in front
// of dynalite: it never panics, refuses what it cannot parse or apply as
// puts, and sends dynalite nothing but PutItem requests of the parsed
// actions.
func FuzzPutsOneByOne(f *testing.F) {
	f.Add([]byte(`{"TransactItems":[{"Put":{"TableName":"fuzz","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)"}}]}`))
	f.Add([]byte(`{"TransactItems":[{"Delete":{"TableName":"fuzz","Key":{"pk":{"S":"a"}}}}]}`))
	f.Add([]byte(`{"TransactItems":[{"Put":{},"Delete":{}}]}`))
	f.Add([]byte(`{"TransactItems":[]}`))
	f.Add([]byte(`not json`))
	d := testpeer.StartDynamo(f)
	if err := d.Call(f.Context(), "CreateTable", map[string]any{
		"TableName": "fuzz", "BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []map[string]string{{"AttributeName": "pk", "KeyType": "HASH"}},
	}, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in struct{ TransactItems []map[string]json.RawMessage }
		parsed := json.Unmarshal(body, &in) == nil
		onlyPuts := parsed
		for _, item := range in.TransactItems {
			if _, ok := item["Put"]; !ok || len(item) != 1 {
				onlyPuts = false
			}
		}
		seen := &targets{next: http.DefaultClient}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, d.Endpoint+"/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.TransactWriteItems")
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := datatier.PutsOneByOne(seen).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if !onlyPuts && err == nil {
			t.Fatalf("adapter accepted %q, which is not a list of Put actions", body)
		}
		for _, target := range seen.list {
			if target != "DynamoDB_20120810.PutItem" {
				t.Fatalf("adapter sent %s", target)
			}
		}
		if len(seen.list) > len(in.TransactItems) {
			t.Fatalf("adapter sent %d requests for %d actions", len(seen.list), len(in.TransactItems))
		}
	})
}

// targets records the X-Amz-Target of each request it passes on.
type targets struct {
	next *http.Client
	list []string
}

func (r *targets) Do(req *http.Request) (*http.Response, error) {
	r.list = append(r.list, req.Header.Get("X-Amz-Target"))
	return r.next.Do(req)
}

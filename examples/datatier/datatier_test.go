package datatier_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/internal/testpeer"
)

func TestMain(m *testing.M) { testpeer.Main(m) }

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDynaliteSDK is the smoke test of dynalite through the SDK's dynamodb
// client: the notes table's key schema, a conditional create that refuses
// to overwrite, and a query of one partition.
func TestDynaliteSDK(t *testing.T) {
	ctx := ctxT(t)
	ddb := datatier.LocalDynamo(testpeer.StartDynamo(t).Endpoint, testpeer.DynamoRegion)
	const table = "smoke-notes"
	if err := datatier.CreateNotesTable(ctx, ddb, table); err != nil {
		t.Fatal(err)
	}
	item := func(owner, id string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			datatier.AttrOwner: &types.AttributeValueMemberS{Value: owner},
			datatier.AttrID:    &types.AttributeValueMemberS{Value: id},
		}
	}
	put := func(owner, id string) error {
		_, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table), Item: item(owner, id),
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": datatier.AttrOwner},
		})
		return err
	}
	tests := []struct {
		name        string
		owner, id   string
		wantExisted bool
	}{
		{name: "create", owner: "alice", id: "n1"},
		{name: "create another", owner: "alice", id: "n2"},
		{name: "same ID, other owner", owner: "bob", id: "n1"},
		{name: "overwrite refused", owner: "alice", id: "n1", wantExisted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := put(tt.owner, tt.id)
			var cond *types.ConditionalCheckFailedException
			if got := errors.As(err, &cond); got != tt.wantExisted {
				t.Fatalf("PutItem error = %v, want conditional failure: %v", err, tt.wantExisted)
			}
			if !tt.wantExisted && err != nil {
				t.Fatal(err)
			}
		})
	}
	out, err := ddb.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("#pk = :o"),
		ExpressionAttributeNames:  map[string]string{"#pk": datatier.AttrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: "alice"}},
	})
	if err != nil || len(out.Items) != 2 {
		t.Fatalf("Query of alice's partition: %d items, %v; want 2", len(out.Items), err)
	}
}

// TestCipher runs the Hierarchical keyring against local-kms and dynalite:
// a ciphertext decrypts only for its own table, owner and note, and a warm
// cipher makes no KMS call.
func TestCipher(t *testing.T) {
	ctx := ctxT(t)
	k := testpeer.StartKMS(t)
	proxy := testpeer.StartProxy(t, k.Endpoint)
	kmsClient := (&testpeer.KMS{Endpoint: proxy.URL}).NewClient()
	_, keyARN := k.CreateKey(t)
	ddb := datatier.LocalDynamo(testpeer.StartDynamo(t).Endpoint, testpeer.DynamoRegion)
	ks := datatier.KeyStore{Table: "cipher-keystore", KMSKeyARN: keyARN}
	local, err := datatier.Provision(ctx, ddb, kmsClient, "cipher-notes", ks)
	if err != nil {
		t.Fatal(err)
	}
	store, err := ks.Open(ddb, kmsClient)
	if err != nil {
		t.Fatal(err)
	}
	c, err := datatier.NewCipher(local.NotesTable, store, local.BranchKeyID, 0)
	if err != nil {
		t.Fatal(err)
	}
	const text = "the note's text: 4f1c9a7e"
	ct, err := c.Encrypt(ctx, "alice", "n1", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte(text)) {
		t.Fatal("the ciphertext contains the text")
	}
	other, err := datatier.NewCipher("another-table", store, local.BranchKeyID, 0)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-20] ^= 1

	tests := []struct {
		name      string
		c         *datatier.Cipher
		owner, id string
		ct        []byte
		wantErr   error
	}{
		{name: "own note", c: c, owner: "alice", id: "n1", ct: ct},
		{name: "moved to another owner", c: c, owner: "bob", id: "n1", ct: ct, wantErr: datatier.ErrDecrypt},
		{name: "moved to another note", c: c, owner: "alice", id: "n2", ct: ct, wantErr: datatier.ErrDecrypt},
		{name: "another table", c: other, owner: "alice", id: "n1", ct: ct, wantErr: datatier.ErrDecrypt},
		{name: "tampered", c: c, owner: "alice", id: "n1", ct: tampered, wantErr: datatier.ErrDecrypt},
		{name: "not a message", c: c, owner: "alice", id: "n1", ct: []byte("plain text"), wantErr: datatier.ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Decrypt(ctx, tt.owner, tt.id, tt.ct)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decrypt error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), text) {
					t.Fatal("the error contains the text")
				}
				return
			}
			if got.Reveal() != text {
				t.Fatal("Decrypt returned another text")
			}
		})
	}
	// The branch key is cached: encrypting and decrypting call KMS no
	// more.
	warm := proxy.Requests()
	for i := range 5 {
		if _, err := c.Encrypt(ctx, "alice", "n1", []byte(text)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Decrypt(ctx, "alice", "n1", ct); err != nil {
			t.Fatal(i, err)
		}
	}
	if n := proxy.Requests() - warm; n != 0 {
		t.Errorf("KMS calls with the branch key cached = %d, want 0", n)
	}
}

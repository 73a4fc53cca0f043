package datatier

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// LocalDynamo returns a DynamoDB client for dynalite at endpoint, with
// static test credentials. Its TransactWriteItems goes through
// [PutsOneByOne], since dynalite implements no transactions.
func LocalDynamo(endpoint, region string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:   PutsOneByOne(http.DefaultClient),
	})
}

// Local names a provisioned local data tier.
type Local struct {
	// NotesTable is the notes table.
	NotesTable string
	// KeyStore is the branch key store.
	KeyStore KeyStore
	// BranchKeyID is the branch key that the notes are encrypted under.
	BranchKeyID string
}

// Provision creates the notes table, the key store's table and one branch
// key, as an operator does once on AWS.
func Provision(ctx context.Context, ddb *dynamodb.Client, kmsClient *kms.Client, notesTable string, ks KeyStore) (Local, error) {
	if err := CreateNotesTable(ctx, ddb, notesTable); err != nil {
		return Local{}, err
	}
	if err := CreateKeyStore(ctx, ks, ddb, kmsClient); err != nil {
		return Local{}, err
	}
	id, err := CreateBranchKey(ctx, ks, ddb, kmsClient)
	if err != nil {
		return Local{}, err
	}
	return Local{NotesTable: notesTable, KeyStore: ks, BranchKeyID: id}, nil
}

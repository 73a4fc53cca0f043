package datatier

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The notes table's key and attributes. The partition key is the owner's
// subject, so that every read and write names one owner's partition.
const (
	// AttrOwner is the partition key: the owner's subject (the JWT's sub).
	AttrOwner = "pk"
	// AttrID is the sort key: the note's ID.
	AttrID = "sk"
	// AttrCiphertext holds the note's text as an AWS Encryption SDK message.
	AttrCiphertext = "ciphertext"
	// AttrCreated is the creation time, RFC 3339 in UTC.
	AttrCreated = "created"
	// AttrETag is the note's ETag.
	AttrETag = "etag"
)

// CreateNotesTable creates the notes table, on demand, keyed by
// [AttrOwner] and [AttrID], as examples/template.yaml declares it.
func CreateNotesTable(ctx context.Context, c *dynamodb.Client, name string) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(AttrOwner), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(AttrID), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrOwner), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AttrID), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		return fmt.Errorf("datatier: create table %s: %w", name, err)
	}
	return waitActive(ctx, c, name)
}

// waitActive waits, for at most five minutes, until the table is ACTIVE.
func waitActive(ctx context.Context, c *dynamodb.Client, name string) error {
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 5*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
		return fmt.Errorf("datatier: table %s: %w", name, err)
	}
	return nil
}

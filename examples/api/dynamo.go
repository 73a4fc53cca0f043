package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/seclambda/seclambda/examples/datatier"
	"github.com/seclambda/seclambda/secenv"
)

// maxList bounds the notes that one List reads.
const maxList = 1000

// dataConfig names the data tier, from the environment.
type dataConfig struct {
	NotesTable    string `env:"NOTES_TABLE,required"`
	KeyStoreTable string `env:"KEY_STORE_TABLE,required"`
	BranchKeyID   string `env:"BRANCH_KEY_ID,required"`
	// KMSKeyARN wraps the key store's branch keys (and pins SIGNING_KEY).
	KMSKeyARN string `env:"KMS_KEY_ARN,required"`
}

// dynamoStore keeps notes in DynamoDB, one partition per owner, with each
// note's text encrypted by a datatier.Cipher under the encryption context
// table/owner/note. Every request names the owner's partition key: no
// request can reach another owner's items.
type dynamoStore struct {
	ddb    *dynamodb.Client
	table  string
	cipher *datatier.Cipher
}

// newDynamoStore builds the store from the environment. It makes no call:
// the branch key is read, and unwrapped by KMS, on first use.
func newDynamoStore(ctx context.Context, lookup func(string) (string, bool)) (*dynamoStore, error) {
	var dc dataConfig
	if err := secenv.Load(ctx, &dc, secenv.WithLookup(lookup)); err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	ddb := dynamodb.NewFromConfig(awsCfg)
	ks, err := datatier.KeyStore{Table: dc.KeyStoreTable, KMSKeyARN: dc.KMSKeyARN}.Open(ddb, kms.NewFromConfig(awsCfg))
	if err != nil {
		return nil, err
	}
	c, err := datatier.NewCipher(dc.NotesTable, ks, dc.BranchKeyID, datatier.CacheTTL)
	if err != nil {
		return nil, err
	}
	return &dynamoStore{ddb: ddb, table: dc.NotesTable, cipher: c}, nil
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// key is the primary key of the note id of owner.
func key(owner, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{datatier.AttrOwner: s(owner), datatier.AttrID: s(id)}
}

var pkName = map[string]string{"#pk": datatier.AttrOwner}

func (d *dynamoStore) Put(ctx context.Context, owner string, n Note) error {
	ct, err := d.cipher.Encrypt(ctx, owner, n.ID, n.Text.RevealBytes())
	if err != nil {
		return err
	}
	item := key(owner, n.ID)
	item[datatier.AttrCiphertext] = &types.AttributeValueMemberB{Value: ct}
	item[datatier.AttrCreated] = s(n.Created.UTC().Format(time.RFC3339Nano))
	item[datatier.AttrETag] = s(n.ETag)
	_, err = d.ddb.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(d.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: pkName,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return errExists
	}
	return err
}

func (d *dynamoStore) List(ctx context.Context, owner string) ([]Note, int, error) {
	p := dynamodb.NewQueryPaginator(d.ddb, &dynamodb.QueryInput{
		TableName:                 aws.String(d.table),
		KeyConditionExpression:    aws.String("#pk = :owner"),
		ExpressionAttributeNames:  pkName,
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": s(owner)},
		ConsistentRead:            aws.Bool(true),
	})
	var notes []Note
	skipped := 0
	for p.HasMorePages() && len(notes)+skipped < maxList {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, item := range page.Items {
			n, err := d.note(ctx, owner, item)
			if errors.Is(err, datatier.ErrDecrypt) {
				skipped++
				continue
			}
			if err != nil {
				return nil, 0, err
			}
			notes = append(notes, n)
		}
	}
	slices.SortFunc(notes, func(a, b Note) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return notes, skipped, nil
}

func (d *dynamoStore) Get(ctx context.Context, owner, id string) (Note, error) {
	out, err := d.ddb.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		Key:            key(owner, id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Note{}, err
	}
	if out.Item == nil {
		return Note{}, errNotFound
	}
	n, err := d.note(ctx, owner, out.Item)
	if errors.Is(err, datatier.ErrDecrypt) {
		return Note{}, fmt.Errorf("%w: %w: %w", errNotFound, errMisplaced, err)
	}
	return n, err
}

func (d *dynamoStore) Delete(ctx context.Context, owner, id string) error {
	_, err := d.ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(d.table),
		Key:                      key(owner, id),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: pkName,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return errNotFound
	}
	return err
}

// note decrypts one item of owner's partition. The item's own key names
// the place its ciphertext must have been encrypted for; an item that
// lacks an attribute does not decrypt.
func (d *dynamoStore) note(ctx context.Context, owner string, item map[string]types.AttributeValue) (Note, error) {
	id, _ := item[datatier.AttrID].(*types.AttributeValueMemberS)
	ct, _ := item[datatier.AttrCiphertext].(*types.AttributeValueMemberB)
	created, _ := item[datatier.AttrCreated].(*types.AttributeValueMemberS)
	etag, _ := item[datatier.AttrETag].(*types.AttributeValueMemberS)
	if id == nil || ct == nil || created == nil || etag == nil {
		return Note{}, datatier.ErrDecrypt
	}
	text, err := d.cipher.Decrypt(ctx, owner, id.Value, ct.Value)
	if err != nil {
		return Note{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, created.Value)
	if err != nil {
		return Note{}, datatier.ErrDecrypt
	}
	return Note{ID: id.Value, Text: text, Created: t, ETag: etag.Value}, nil
}

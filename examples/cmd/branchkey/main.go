// Command branchkey creates a branch key in the notes API's key store and
// prints its ID, the value of the api function's BRANCH_KEY_ID. An operator
// runs it once per stack, with credentials that may call the key store's
// CreateKey: kms:GenerateDataKeyWithoutPlaintext and kms:ReEncrypt* on the
// key store's KMS key, and dynamodb:PutItem (in a transaction) on the key
// store table. The function itself needs neither.
//
// Usage:
//
//	go run ./cmd/branchkey -key-store TABLE -kms-key-arn ARN
//
// On AWS the template creates the tables. For a local stack on dynalite,
// -local also creates the key store table and, with -notes-table, the notes
// table, and applies the key store's transaction as one conditional put per
// item, since dynalite implements no transactions. The AWS SDK reads the
// region, credentials and endpoints (AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_KMS) from the environment.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/seclambda/seclambda/examples/datatier"
)

func main() {
	ks := flag.String("key-store", "", "the key store's DynamoDB table (required)")
	keyARN := flag.String("kms-key-arn", "", "the ARN of the KMS key that wraps the branch keys (required)")
	local := flag.Bool("local", false, "dynalite: create the tables, and apply the key store's transaction put by put")
	notes := flag.String("notes-table", "", "with -local, also create this notes table")
	flag.Parse()
	if *ks == "" || *keyARN == "" || (*notes != "" && !*local) {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*ks, *keyARN, *local, *notes); err != nil {
		fmt.Fprintln(os.Stderr, "branchkey:", err)
		os.Exit(1)
	}
}

func run(table, keyARN string, local bool, notes string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	ddb := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if local {
			o.HTTPClient = datatier.PutsOneByOne(http.DefaultClient)
		}
	})
	kmsClient := kms.NewFromConfig(cfg)
	store := datatier.KeyStore{Table: table, KMSKeyARN: keyARN}
	if local {
		if notes != "" {
			if err := datatier.CreateNotesTable(ctx, ddb, notes); err != nil {
				return err
			}
		}
		if err := datatier.CreateKeyStore(ctx, store, ddb, kmsClient); err != nil {
			return err
		}
	}
	id, err := datatier.CreateBranchKey(ctx, store, ddb, kmsClient)
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

package samcheck_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/examples/samcheck"
)

func readTemplate(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestExampleTemplatePasses(t *testing.T) {
	findings, err := samcheck.Check([]byte(readTemplate(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("%s", f)
	}
}

// edit replaces old by new in the template, failing if old is missing, so
// that a seeded violation can never silently seed nothing.
type edit struct{ old, new string }

func TestSeededViolations(t *testing.T) {
	tests := []struct {
		name     string
		edits    []edit
		resource string
		rule     string
	}{
		{
			name:     "shared role",
			edits:    []edit{{"Role: !GetAtt IamCallerRole.Arn", "Role: !GetAtt ApiRole.Arn"}},
			resource: "IamCallerFunction", rule: "own-role",
		},
		{
			name:     "rotation permission without SourceAccount",
			edits:    []edit{{"      Principal: secretsmanager.amazonaws.com\n      SourceAccount: !Ref AWS::AccountId\n", "      Principal: secretsmanager.amazonaws.com\n"}},
			resource: "RotatorInvokePermission", rule: "invoke-permission",
		},
		{
			name:     "rotator with GetRandomPassword widened to every action",
			edits:    []edit{{"Action: secretsmanager:GetRandomPassword", "Action: secretsmanager:*"}},
			resource: "RotatorRole", rule: "wildcard-action",
		},
		{
			name:     "role from outside the template",
			edits:    []edit{{"Role: !GetAtt IamCallerRole.Arn", "Role: arn:aws:iam::111122223333:role/shared"}},
			resource: "IamCallerFunction", rule: "own-role",
		},
		{
			name:     "s3 wildcard action",
			edits:    []edit{{"Action: s3:GetObject\n                Resource: !Sub arn:${AWS::Partition}:s3:::${ArtifactBucket}", "Action: s3:*\n                Resource: !Sub arn:${AWS::Partition}:s3:::${ArtifactBucket}"}},
			resource: "CloudFormationExecutionRole", rule: "wildcard-action",
		},
		{
			// kms:* for the account root is AWS's default key policy, which
			// delegates to IAM; for any other principal it is a wildcard.
			name: "wildcard action in a key policy",
			edits: []edit{
				{"              AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root\n", "              AWS: !GetAtt ApiRole.Arn\n"},
				{"              - kms:DescribeKey\n", "              - kms:*\n"},
			},
			resource: "NotesKey", rule: "wildcard-action",
		},
		{
			name:     "missing encryption-context condition",
			edits:    []edit{{"                Condition:\n                  StringEquals:\n                    kms:EncryptionContext:LambdaFunctionName: !Sub ${AWS::StackName}-api\n", ""}},
			resource: "ApiRole", rule: "kms-decrypt",
		},
		{
			name:     "decrypt on every key",
			edits:    []edit{{"Action: kms:Decrypt\n                Resource: !GetAtt NotesKey.Arn", "Action: kms:Decrypt\n                Resource: \"*\""}},
			resource: "ApiRole", rule: "kms-decrypt",
		},
		{
			name:     "SAM KMSDecryptPolicy template",
			edits:    []edit{{"      CodeUri: ./iam-caller\n", "      CodeUri: ./iam-caller\n      Policies:\n        - KMSDecryptPolicy:\n            KeyId: !Ref NotesKey\n"}},
			resource: "IamCallerFunction", rule: "kms-decrypt",
		},
		{
			name:     "any secret",
			edits:    []edit{{"Action: secretsmanager:GetSecretValue\n                Resource: !Ref UpstreamSecret", "Action: secretsmanager:GetSecretValue\n                Resource: !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*"}},
			resource: "ApiRole", rule: "secret-scope",
		},
		{
			name:     "unscoped invoke permission",
			edits:    []edit{{"Outputs:\n", "  OpenPermission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !Ref ApiFunction\n      Principal: apigateway.amazonaws.com\n      SourceArn: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*/*/*\n\nOutputs:\n"}},
			resource: "OpenPermission", rule: "invoke-permission",
		},
		{
			name:     "invoke permission without SourceArn",
			edits:    []edit{{"Outputs:\n", "  NoSourcePermission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !Ref ApiFunction\n      Principal: apigateway.amazonaws.com\n\nOutputs:\n"}},
			resource: "NoSourcePermission", rule: "invoke-permission",
		},
		{
			name:     "0.0.0.0/0 ingress",
			edits:    []edit{{"      GroupDescription: notes API function; no ingress, HTTPS to the VPC endpoints only\n", "      GroupDescription: notes API function; no ingress, HTTPS to the VPC endpoints only\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n"}},
			resource: "ApiSecurityGroup", rule: "open-ingress",
		},
		{
			name:     "function security group with ingress",
			edits:    []edit{{"      GroupDescription: notes API function; no ingress, HTTPS to the VPC endpoints only\n", "      GroupDescription: notes API function; no ingress, HTTPS to the VPC endpoints only\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          CidrIp: 10.0.0.0/8\n"}},
			resource: "ApiSecurityGroup", rule: "vpc-security-group",
		},
		{
			name:     "all-protocol egress",
			edits:    []edit{{"          IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          DestinationSecurityGroupId", "          IpProtocol: \"-1\"\n          DestinationSecurityGroupId"}},
			resource: "ApiSecurityGroup", rule: "vpc-security-group",
		},
		{
			name:     "no VPC endpoint for KMS",
			edits:    []edit{{"ServiceName: !Sub com.amazonaws.${AWS::Region}.kms", "ServiceName: !Sub com.amazonaws.${AWS::Region}.sts"}},
			resource: "ApiFunction", rule: "vpc-endpoint",
		},
		{
			name:     "hardcoded sensitive variable",
			edits:    []edit{{"          SIGNING_KEY: !Ref SigningKeyCiphertext", "          SIGNING_KEY: hunter2hunter2"}},
			resource: "ApiFunction", rule: "hardcoded-env",
		},
		{
			name:     "sensitive parameter not NoEcho",
			edits:    []edit{{"  SigningKeyCiphertext:\n    Type: String\n    NoEcho: true\n", "  SigningKeyCiphertext:\n    Type: String\n"}},
			resource: "ApiFunction", rule: "hardcoded-env",
		},
		{
			name:     "FullAccess managed policy",
			edits:    []edit{{"        - !Ref DeployBoundary\n", "        - !Ref DeployBoundary\n        - arn:aws:iam::aws:policy/AmazonS3FullAccess\n"}},
			resource: "DeployRole", rule: "admin-policy",
		},
		{
			name: "route without authorizer or API key",
			edits: []edit{
				{"            Path: /token\n", "            Path: /token\n            Auth:\n              Authorizer: NONE\n              ApiKeyRequired: false\n"},
				// The API's IP allow-list alone would keep the route closed.
				{"        ResourcePolicy:\n          IpRangeWhitelist:\n            - !Ref AllowedSourceCidr\n", ""},
			},
			resource: "IamCallerFunction", rule: "open-route",
		},
		{
			name:     "HTTP API route without authorizer",
			edits:    []edit{{"Properties: {ApiId: !Ref HttpApi, Method: DELETE, Path: \"/notes/{id}\"}", "Properties: {ApiId: !Ref HttpApi, Method: DELETE, Path: \"/notes/{id}\", Auth: {Authorizer: NONE}}"}},
			resource: "ApiFunction", rule: "open-route",
		},
		{
			name:     "public function URL",
			edits:    []edit{{"      CodeUri: ./iam-caller\n", "      CodeUri: ./iam-caller\n      FunctionUrlConfig:\n        AuthType: NONE\n"}},
			resource: "IamCallerFunction", rule: "open-route",
		},
		{
			name:     "key policy for everyone",
			edits:    []edit{{"              - kms:Encrypt\n            Resource: \"*\"\n", "              - kms:Encrypt\n            Resource: \"*\"\n          - Effect: Allow\n            Principal: {AWS: \"*\"}\n            Action: kms:Encrypt\n            Resource: \"*\"\n"}},
			resource: "NotesKey", rule: "wildcard-principal",
		},
		{
			name:     "credential in an environment value",
			edits:    []edit{{"          TRUSTSTORE_FILE: truststore.pem\n", "          TRUSTSTORE_FILE: truststore.pem\n          PARTNER: AKIAIOSFODNN7EXAMPLE\n"}},
			resource: "AuthorizerMtlsFunction", rule: "env-secret-value",
		},
		{
			name:     "duplicate key",
			edits:    []edit{{"      RetentionInDays: 30\n", "      RetentionInDays: 30\n      RetentionInDays: 1\n"}},
			resource: "AuthorizerCognitoLogs", rule: "duplicate-key",
		},
		{
			name:     "table encrypted with the AWS managed key",
			edits:    []edit{{"        KMSMasterKeyId: !GetAtt NotesKey.Arn\n      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n      DeletionProtectionEnabled: true\n\n  # The branch key store", "        KMSMasterKeyId: alias/aws/dynamodb\n      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n      DeletionProtectionEnabled: true\n\n  # The branch key store"}},
			resource: "NotesTable", rule: "dynamodb-sse",
		},
		{
			name:     "table without SSE on a KMS key",
			edits:    []edit{{"      SSESpecification:\n        SSEEnabled: true\n        SSEType: KMS\n        KMSMasterKeyId: !GetAtt NotesKey.Arn\n      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n      DeletionProtectionEnabled: true\n\n  # ---", "      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: true\n      DeletionProtectionEnabled: true\n\n  # ---"}},
			resource: "NotesKeyStoreTable", rule: "dynamodb-sse",
		},
		{
			name:     "SimpleTable",
			edits:    []edit{{"  # ---------------------------------------------------------------- identities\n", "  Cache:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n      SSESpecification: {SSEEnabled: true}\n\n  # ---------------------------------------------------------------- identities\n"}},
			resource: "Cache", rule: "dynamodb-sse",
		},
		{
			name:     "item actions on every table",
			edits:    []edit{{"dynamodb:DeleteItem]\n                Resource: !GetAtt NotesTable.Arn", "dynamodb:DeleteItem]\n                Resource: \"*\""}},
			resource: "ApiFunction", rule: "dynamodb-scope",
		},
		{
			name:     "item actions on a table ARN pattern",
			edits:    []edit{{"dynamodb:DeleteItem]\n                Resource: !GetAtt NotesTable.Arn", "dynamodb:DeleteItem]\n                Resource: !Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"}},
			resource: "ApiFunction", rule: "dynamodb-scope",
		},
		{
			name:     "item actions on a wildcard after the table",
			edits:    []edit{{"dynamodb:DeleteItem]\n                Resource: !GetAtt NotesTable.Arn", "dynamodb:DeleteItem]\n                Resource: !Sub ${NotesTable.Arn}*"}},
			resource: "ApiFunction", rule: "dynamodb-scope",
		},
		{
			name:     "item actions on another table than the function uses",
			edits:    []edit{{"          KEY_STORE_TABLE: !Ref NotesKeyStoreTable\n", ""}},
			resource: "ApiFunction", rule: "dynamodb-scope",
		},
		{
			name:     "no VPC endpoint for DynamoDB",
			edits:    []edit{{"ServiceName: !Sub com.amazonaws.${AWS::Region}.dynamodb", "ServiceName: !Sub com.amazonaws.${AWS::Region}.sts"}},
			resource: "ApiFunction", rule: "vpc-endpoint",
		},
		{
			name:     "branch key decrypt without the key store's context",
			edits:    []edit{{"                    kms:EncryptionContext:tablename: !Sub ${AWS::StackName}-keystore\n", ""}},
			resource: "ApiRole", rule: "kms-decrypt",
		},
		{
			name:     "wildcard resource for a scoped action",
			edits:    []edit{{"Action: [logs:CreateLogStream, logs:PutLogEvents]\n                Resource: !Sub ${IamCallerLogs.Arn}", "Action: [logs:CreateLogStream, logs:PutLogEvents]\n                Resource: \"*\""}},
			resource: "IamCallerRole", rule: "wildcard-resource",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := readTemplate(t)
			for _, e := range tt.edits {
				if !strings.Contains(tmpl, e.old) {
					t.Fatalf("seed: template does not contain %q", e.old)
				}
				tmpl = strings.Replace(tmpl, e.old, e.new, 1)
			}
			findings, err := samcheck.Check([]byte(tmpl), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				if f.Resource == tt.resource && f.Rule == tt.rule {
					if !strings.Contains(f.String(), tt.resource) || !strings.Contains(f.String(), tt.rule) {
						t.Fatalf("finding %q does not name the resource and the rule", f)
					}
					return
				}
			}
			t.Fatalf("no %s finding on %s; got %v", tt.rule, tt.resource, findings)
		})
	}
}

func TestCheckRejectsNonTemplates(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{name: "empty", in: "", want: samcheck.ErrParse},
		{name: "not yaml", in: "{{{", want: samcheck.ErrParse},
		{name: "no resources", in: "AWSTemplateFormatVersion: '2010-09-09'\n", want: samcheck.ErrParse},
		{name: "Fn::ForEach", in: `
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - Topic${Name}:
        Type: AWS::SNS::Topic
`, want: samcheck.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := samcheck.Check([]byte(tt.in), nil); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

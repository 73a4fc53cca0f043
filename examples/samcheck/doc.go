// Package samcheck enforces seclambda's serverless IAM and network rules on
// an AWS SAM or CloudFormation template, before it is deployed.
//
// It parses the template with github.com/awslabs/goformation/v7, which
// understands the YAML short forms and the intrinsic functions, and keeps
// every Ref, Fn::GetAtt and Fn::Sub as a ${Name} reference so that rules can
// follow them. [Check] returns one [Finding] per broken rule, naming the
// resource and the rule:
//
//   - own-role: each function has its own execution role, defined in the
//     template and shared with no other function.
//   - wildcard-action: no Allow statement grants an action with a * in it,
//     or uses NotAction.
//   - admin-policy: no *FullAccess, AdministratorAccess or PowerUserAccess
//     managed policy is attached.
//   - wildcard-resource: Resource "*" appears only for actions that AWS
//     supports on no narrower resource ([Options.StarResourceActions]).
//   - kms-decrypt: kms:Decrypt names one key and requires the
//     kms:EncryptionContext:LambdaFunctionName condition, or, for the
//     branch keys of a Hierarchical keyring's key store, the
//     kms:EncryptionContext:tablename condition.
//   - secret-scope: secretsmanager:GetSecretValue names specific secrets.
//   - hardcoded-env: an environment variable whose name marks it sensitive
//     (…_SECRET, …_PASSWORD, …_TOKEN, …_KEY) is not a literal, and the
//     parameter it comes from is NoEcho.
//   - invoke-permission: an AWS::Lambda::Permission has a SourceArn, and for
//     API Gateway one that names more than the whole API.
//   - vpc-security-group: a function in a VPC has its own security groups,
//     with no ingress, explicit egress and no all-protocol or open egress
//     other than HTTPS, and takes its subnets from parameters.
//   - open-ingress: no security group admits 0.0.0.0/0 or ::/0.
//   - vpc-endpoint: a function in a VPC that calls KMS, Secrets Manager or
//     DynamoDB has a VPC endpoint for that service in the template.
//   - dynamodb-sse: every DynamoDB table is encrypted at rest with a
//     customer managed KMS key (AWS::DynamoDB::Table with SSEType KMS and
//     KMSMasterKeyId; a SimpleTable cannot name one).
//   - dynamodb-scope: a function's role grants data-plane DynamoDB actions
//     (item reads and writes, queries, scans, PartiQL) only on tables named
//     by ARN from the template, with no wildcard, and only on tables that
//     the function's environment names.
//
// A template passes when Check returns no findings. The command
// github.com/seclambda/seclambda/examples/cmd/samcheck runs the same checks
// from the shell, for CI.
package samcheck

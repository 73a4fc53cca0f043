// Package samcheck enforces seclambda's serverless IAM, API and network
// rules on an AWS SAM or CloudFormation template, before it is deployed.
//
// It parses the template with github.com/awslabs/goformation/v7, which
// understands the YAML short forms and the intrinsic functions, and keeps
// every Ref, Fn::GetAtt and Fn::Sub as a ${Name} reference so that rules can
// follow them. [Check] returns one [Finding] per broken rule, naming the
// resource (or Globals) and the rule; [Rules] lists them:
//
//   - own-role: each function has its own execution role, defined in the
//     template and shared with no other function.
//   - wildcard-action: no Allow statement grants an action with a * in it,
//     or uses NotAction. Two exceptions: the read-like wildcards of
//     [Options.ReadOnlyWildcards] (by default List* and Describe* of any
//     service), and a resource policy statement whose principal is the
//     template's own account root, such as AWS's default key policy (kms:*
//     to the root), which hands the decision to the account's IAM policies.
//   - admin-policy: no *FullAccess, AdministratorAccess or PowerUserAccess
//     managed policy is attached.
//   - wildcard-resource: Resource "*" appears only for actions that AWS
//     supports on no narrower resource ([Options.StarResourceActions]).
//   - kms-decrypt: a role that Lambda assumes (or a policy attached to one)
//     allows kms:Decrypt on one key and requires the
//     kms:EncryptionContext:LambdaFunctionName condition, or, for the
//     branch keys of a Hierarchical keyring's key store, the
//     kms:EncryptionContext:tablename condition.
//   - secret-scope: secretsmanager:GetSecretValue names specific secrets.
//   - hardcoded-env: an environment variable whose name marks it sensitive
//     (…_SECRET, …_PASSWORD, …_TOKEN, and KEY after a word such as API,
//     SECRET, PRIVATE, ACCESS or SIGNING; not KEY alone, PARTITION_KEY or
//     KMS_KEY) is not written in the template, unless it is a KMS
//     ciphertext (AQICAH…) that the function's role may decrypt; and the
//     parameter it comes from is NoEcho. Dynamic references
//     ({{resolve:…}}) are accepted.
//   - env-secret-value: whatever its name, no environment variable of a
//     function or of Globals holds a credential: an AWS access key ID or
//     secret key, a PEM private key, a JWT, or Bearer or HTTP Basic
//     credentials. These are the detectors of package
//     github.com/seclambda/seclambda/redact, run through its Writer.
//   - invoke-permission: an AWS::Lambda::Permission allows only
//     lambda:InvokeFunction or lambda:InvokeFunctionUrl, and one for a
//     service has a SourceArn, for API Gateway one that names more than the
//     whole API; one for Secrets Manager (a rotation function) has a
//     SourceAccount instead.
//   - wildcard-principal: no Lambda permission, and no KMS key, S3 bucket,
//     SQS queue, SNS topic or Secrets Manager policy, grants to Principal
//     "*" (or {"AWS": "*"}) without a condition that narrows it
//     (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, kms:ViaService,
//     kms:CallerAccount and the like; a negated condition narrows nothing).
//     For a Lambda permission only PrincipalOrgID narrows "*": Lambda
//     documents SourceArn and SourceAccount for service principals. The "*"
//     that a public function URL needs is reported once, as open-route.
//   - open-route: no route can be called by anyone on the internet: an
//     AWS::ApiGateway::Method with AuthorizationType NONE and no API key, an
//     AWS::ApiGatewayV2::Route without authorization, a SAM Api event with
//     no authorizer (its own or the API's default), no AWS_IAM and no API
//     key, a SAM HttpApi event with no authorizer, or a function URL with
//     AuthType NONE. OPTIONS routes (CORS preflights) and private APIs are
//     exempt, and so are routes of an API whose resource policy admits a
//     restricted set of callers (IP, VPC or account allow-lists, or a
//     condition); a deny-list alone does not count.
//   - vpc-security-group: a function in a VPC has its own security groups,
//     with no ingress, explicit egress and no all-protocol or open egress
//     other than HTTPS. A security group that comes from a parameter is
//     chosen at deploy time and not checked; nor are subnets, since a
//     template cannot show whether a subnet routes to the internet.
//   - open-ingress: no security group admits the whole internet: 0.0.0.0/0
//     or ::/0 in any spelling (0000::/0, 0:0:0:0:0:0:0:0/0, ...), or a
//     parameter whose Default is one.
//   - vpc-endpoint: a function in a VPC that calls KMS, Secrets Manager or
//     DynamoDB has a VPC endpoint for that service in the template.
//   - dynamodb-sse: every DynamoDB table is encrypted at rest with a
//     customer managed KMS key (AWS::DynamoDB::Table with SSEType KMS and
//     KMSMasterKeyId; a SimpleTable cannot name one).
//   - dynamodb-scope: a function's role grants data-plane DynamoDB actions
//     (item reads and writes, queries, scans, PartiQL) only on tables named
//     by ARN from the template, with no wildcard, and only on tables that
//     the function's environment names.
//   - duplicate-key: no mapping key is written twice. CloudFormation
//     reportedly keeps the last value; samcheck checks that one too, and
//     reports the key, since a reader may see the first.
//
// # Suppressions
//
// A resource accepts a finding with an entry in its Metadata that names the
// rule and gives a reason, as cfn_nag (rules_to_suppress: id, reason) and
// checkov (skip: id, comment) do:
//
//	Health:
//	  Type: AWS::Serverless::Function
//	  Metadata:
//	    samcheck:
//	      suppress:
//	        - rule: open-route
//	          reason: public health check; returns no data
//
// The template's top-level Metadata does the same for findings on Globals.
// An entry without a reason suppresses nothing. Check leaves suppressed
// findings out unless [Options.IncludeSuppressed] is set; the command lists
// them, with their reason, without failing.
//
// # Limits
//
// samcheck reads one template as written. It does not expand the
// AWS::LanguageExtensions transform: a template with Fn::ForEach is refused
// with [ErrUnsupported] rather than half checked. It does not read OpenAPI
// definitions (DefinitionBody, DefinitionUri), so the authorization of routes
// defined only there is not checked, nor nested stacks, nor what parameters
// are given at deploy time (only their Default).
//
// A template passes when Check returns no findings. The command
// github.com/seclambda/seclambda/examples/cmd/samcheck runs the same checks
// from the shell, for CI, and writes SARIF 2.1.0 for code scanning.
package samcheck

package samcheck

// Rule describes one of samcheck's rules.
type Rule struct {
	// Name is the rule's name, as in [Finding.Rule] and in Metadata
	// suppressions.
	Name string
	// Summary says in one sentence what the rule requires.
	Summary string
}

// Rules returns every rule samcheck applies, in the order of the package
// documentation. The caller owns the returned slice.
func Rules() []Rule {
	return []Rule{
		{"own-role", "Each function has its own execution role, defined in the template and shared with no other function."},
		{"wildcard-action", "No Allow statement grants an action with a * in it, other than the read-only wildcards, or uses NotAction."},
		{"admin-policy", "No *FullAccess, AdministratorAccess or PowerUserAccess managed policy is attached."},
		{"wildcard-resource", "Resource \"*\" appears only for actions that AWS supports on no narrower resource."},
		{"kms-decrypt", "A role that Lambda assumes is allowed kms:Decrypt on one key, under the kms:EncryptionContext:LambdaFunctionName condition."},
		{"secret-scope", "secretsmanager:GetSecretValue names specific secrets."},
		{"hardcoded-env", "An environment variable whose name marks it sensitive is not a literal other than a KMS ciphertext, and its parameter is NoEcho."},
		{"env-secret-value", "No environment variable holds a credential (AWS keys, private keys, JWTs, Bearer or Basic credentials), whatever its name."},
		{"invoke-permission", "A Lambda permission only allows invoking, and for a service names the source resource (for API Gateway, a route or authorizer; for Secrets Manager, the SourceAccount)."},
		{"wildcard-principal", "No Lambda permission or KMS, S3, SQS, SNS or Secrets Manager resource policy grants to Principal \"*\" without a narrowing condition."},
		{"open-route", "No API route or function URL can be called by anyone on the internet: each has an authorizer, IAM, an API key or a restrictive resource policy."},
		{"vpc-security-group", "A function in a VPC has its own security groups, with no ingress and explicit egress limited to HTTPS."},
		{"open-ingress", "No security group admits the whole internet (0.0.0.0/0, ::/0 in any form, or a parameter defaulting to one)."},
		{"vpc-endpoint", "A function in a VPC that calls KMS or Secrets Manager has an interface endpoint for that service."},
		{"duplicate-key", "No mapping key is written twice; CloudFormation would keep only the last."},
	}
}

package samcheck_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/seclambda/seclambda/examples/samcheck"
)

// kmsBlob is shaped like an AWS KMS ciphertext blob (version bytes, then
// opaque data), as aws kms encrypt prints it.
var kmsBlob = base64.StdEncoding.EncodeToString(append([]byte{1, 2, 2, 0}, []byte(strings.Repeat("x", 120))...))

// fn is a SAM function with its own role, for templates that need one.
const fn = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Runtime: provided.al2023
`

// TestRules runs each rule on a small template and lists every finding it
// must produce, as "Resource rule"; anything else fails the case.
func TestRules(t *testing.T) {
	tests := []struct {
		name string
		tmpl string
		opts *samcheck.Options
		want []string
	}{
		// open-ingress: every spelling of a /0, and a parameter's Default.
		{name: "ipv6 open ingress, every form", tmpl: `
Resources:
  A:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: "0:0:0:0:0:0:0:0/0"}
  B:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: "0000::/00"}
  C:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: sg-1, IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIpv6: "::0/0"}
  D:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: "2001:800::/21"}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: "10.0.0.0/8"}
`, want: []string{"A open-ingress", "B open-ingress", "C open-ingress"}},
		{name: "open CIDR from a parameter's Default", tmpl: `
Parameters:
  V4: {Type: String, Default: 0.0.0.0/0}
  V6: {Type: String, Default: "::/0"}
  Narrow: {Type: String, Default: 10.0.0.0/8}
Resources:
  A:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref V4}
  B:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: sg-1, IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIpv6: !Ref V6}
  C:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: sg-1, IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: !Ref Narrow}
`, want: []string{"A open-ingress", "B open-ingress"}},

		// vpc-security-group: parameters and written subnets are accepted.
		{name: "security group parameter and subnet IDs", tmpl: `
Parameters:
  Sg: {Type: "AWS::EC2::SecurityGroup::Id"}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      VpcConfig:
        SecurityGroupIds: [!Ref Sg]
        SubnetIds: [subnet-0123456789abcdef0]
`},
		{name: "security group written as an ID", tmpl: `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      VpcConfig:
        SecurityGroupIds: [sg-0123456789abcdef0]
        SubnetIds: [subnet-0123456789abcdef0]
`, want: []string{"Fn vpc-security-group"}},

		// invoke-permission.
		{name: "permission for another action", tmpl: `
Resources:
  P:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:DeleteAlias
      FunctionName: f
      Principal: sns.amazonaws.com
      SourceArn: arn:aws:sns:eu-west-1:111122223333:t
`, want: []string{"P invoke-permission"}},
		{name: "account principal needs no SourceArn", tmpl: `
Resources:
  P:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: "111122223333"}
  Number:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: 111122223333}
  Own:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: !Ref AWS::AccountId}
`},
		{name: "service principal without SourceArn, however written", tmpl: `
Resources:
  Sub:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: !Sub "apigateway.${AWS::URLSuffix}"}
  Missing:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f}
`, want: []string{"Missing invoke-permission", "Sub invoke-permission"}},
		{name: "Secrets Manager permission needs SourceAccount", tmpl: `
Resources:
  Rotation:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: secretsmanager.amazonaws.com}
  ArnOnly:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: f
      Principal: !Sub secretsmanager.${AWS::URLSuffix}
      SourceArn: arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf
  Scoped:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: secretsmanager.amazonaws.com, SourceAccount: !Ref AWS::AccountId}
`, want: []string{"ArnOnly invoke-permission", "Rotation invoke-permission"}},

		// wildcard-principal.
		{name: "wildcard principals in resource policies", tmpl: `
Resources:
  Bucket:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::b/*"}
          - {Effect: Deny, Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: {Bool: {aws:SecureTransport: false}}}
  Queue:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [q]
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: "*"}, Action: sqs:SendMessage, Resource: q}
  Topic:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [t]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sns:Publish
            Resource: t
            Condition: {ArnLike: {aws:SourceArn: !Sub "arn:aws:s3:::${AWS::AccountId}-b"}}
          - Effect: Allow
            Principal: "*"
            Action: sns:Subscribe
            Resource: t
            Condition: {StringNotEquals: {aws:SourceAccount: "111122223333"}}
  Lenient:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [t]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sns:Publish
            Resource: t
            Condition: {StringEqualsIfExists: {aws:SourceAccount: "111122223333"}, "Null": {aws:SourceArn: "false"}}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
          - Effect: Allow
            Principal: {AWS: "*"}
            Action: [kms:Decrypt]
            Resource: "*"
            Condition:
              StringEquals: {kms:ViaService: secretsmanager.eu-west-1.amazonaws.com, kms:CallerAccount: !Ref AWS::AccountId}
`, want: []string{"Bucket wildcard-principal", "Lenient wildcard-principal", "Queue wildcard-principal", "Topic wildcard-principal"}},
		{name: "lambda permission to everyone", tmpl: `
Resources:
  Open:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: "*", SourceArn: "arn:aws:sns:us-east-1:806199016981:t"}
  Org:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: f, Principal: "*", PrincipalOrgID: o-abc}
`, want: []string{"Open wildcard-principal"}},
		{name: "public function URL is one open-route", tmpl: fn + `
  Url:
    Type: AWS::Lambda::Url
    Properties: {AuthType: NONE, TargetFunctionArn: !GetAtt Fn.Arn}
  UrlPermission:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunctionUrl, FunctionName: !Ref Fn, Principal: "*", FunctionUrlAuthType: NONE}
`, want: []string{"Url open-route"}},
		{name: "public function URL permission alone", tmpl: `
Resources:
  UrlPermission:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunctionUrl, FunctionName: f, Principal: "*", FunctionUrlAuthType: NONE}
`, want: []string{"UrlPermission open-route"}},

		// open-route.
		{name: "SAM function URL", tmpl: `
Globals:
  Function:
    FunctionUrlConfig: {AuthType: NONE}
Resources:
  Public:
    Type: AWS::Serverless::Function
    Properties: {FunctionUrlConfig: {AuthType: NONE}}
  Signed:
    Type: AWS::Serverless::Function
    Properties: {FunctionUrlConfig: {AuthType: AWS_IAM}}
`, want: []string{"Globals open-route", "Public open-route"}},
		{name: "SAM Api events", tmpl: `
Globals:
  Api:
    Auth: {ApiKeyRequired: true}
Resources:
  Guarded:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers: {Jwt: {UserPoolArn: arn}}
  Listed:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ResourcePolicy: {IpRangeWhitelist: [192.0.2.0/24]}
  Blocked:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: false
        ResourcePolicy: {IpRangeBlacklist: [192.0.2.0/24]}
  Private:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod, EndpointConfiguration: {Type: PRIVATE}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Default: {Type: Api, Properties: {RestApiId: !Ref Guarded, Path: /a, Method: get}}
        Preflight: {Type: Api, Properties: {RestApiId: !Ref Blocked, Path: /a, Method: options}}
        Listed: {Type: Api, Properties: {RestApiId: !Ref Listed, Path: /a, Method: get, Auth: {ApiKeyRequired: false}}}
        Private: {Type: Api, Properties: {RestApiId: !Ref Private, Path: /a, Method: get}}
        Implicit: {Type: Api, Properties: {Path: /a, Method: get}}
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        NoAuth: {Type: Api, Properties: {RestApiId: !Ref Guarded, Path: /b, Method: get, Auth: {Authorizer: NONE}}}
  DenyList:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Blocked, Path: /c, Method: get}}
`, want: []string{"DenyList open-route", "Open open-route"}},
		{name: "SAM HttpApi events", tmpl: `
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers: {Jwt: {JwtConfiguration: {issuer: https://example.com}}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Guarded: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /a, Method: GET}}
        Iam: {Type: HttpApi, Properties: {Path: /b, Method: GET, Auth: {Authorizer: AWS_IAM}}}
        Preflight: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /a, Method: OPTIONS, Auth: {Authorizer: NONE}}}
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Implicit: {Type: HttpApi}
`, want: []string{"Open open-route"}},
		{name: "REST and HTTP API resources", tmpl: `
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: a}
  AllowListed:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: b
      Policy:
        Statement:
          - {Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: "execute-api:/*"}
          - {Effect: Deny, Principal: "*", Action: execute-api:Invoke, Resource: "execute-api:/*", Condition: {NotIpAddress: {aws:SourceIp: [192.0.2.0/24]}}}
  DenyListed:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: c
      Policy:
        Statement:
          - {Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: "execute-api:/*"}
          - {Effect: Deny, Principal: "*", Action: execute-api:Invoke, Resource: "execute-api:/*", Condition: {IpAddress: {aws:SourceIp: [192.0.2.0/24]}}}
  Open:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: r, HttpMethod: GET}
  Key:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: r, HttpMethod: POST, AuthorizationType: NONE, ApiKeyRequired: true}
  Iam:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: r, HttpMethod: PUT, AuthorizationType: AWS_IAM}
  Preflight:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: r, HttpMethod: OPTIONS, AuthorizationType: NONE}
  Listed:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref AllowListed, ResourceId: r, HttpMethod: GET, AuthorizationType: NONE}
  Unlisted:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref DenyListed, ResourceId: r, HttpMethod: GET, AuthorizationType: NONE}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: GET /a}
  JwtRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: GET /b, AuthorizationType: JWT, AuthorizerId: a}
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: WEBSOCKET}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Socket, RouteKey: $connect}
  Message:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Socket, RouteKey: $default}
`, want: []string{"Connect open-route", "Open open-route", "Route open-route", "Unlisted open-route"}},

		// env-secret-value and hardcoded-env.
		{name: "credentials in environment values", tmpl: `
Globals:
  Function:
    Environment:
      Variables:
        UPSTREAM: AKIAIOSFODNN7EXAMPLE
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          CONFIG: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
          HEADER: "Bearer abcdefghijklmnop"
          TOKEN_FOR_TESTS: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl
          REGION: eu-west-1
`, want: []string{"Fn env-secret-value", "Globals env-secret-value"}},
		{name: "sensitive names", tmpl: `
Parameters:
  Plain: {Type: String}
  Hidden: {Type: String, NoEcho: true}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          key: value
          Key: Value
          PARTITION_KEY: pk
          CACERT_KEY: certs/ca.pem
          KMS_KEY: alias/app
          DB_PASSWORD: "{{resolve:ssm-secure:/app/db}}"
          EMPTY_TOKEN: ""
          SIGNING_KEY: ` + kmsBlob + `
          CLIENT_SECRET: !Ref Hidden
      Policies:
        - Statement:
            - {Effect: Allow, Action: kms:Decrypt, Resource: arn:aws:kms:eu-west-1:111122223333:key/k, Condition: {StringEquals: {kms:EncryptionContext:LambdaFunctionName: f}}}
  Leaky:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          API_KEY: secret123
          SESSION_TOKEN: !Ref Plain
          PRIVATE_KEY: ` + kmsBlob + `
`, want: []string{"Leaky hardcoded-env"}},

		// wildcard-action and kms-decrypt.
		{name: "read-only wildcards are allowed by default", tmpl: `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ["dynamodb:Describe*", "dynamodb:List*"], Resource: arn:aws:dynamodb:eu-west-1:111122223333:table/t}
`},
		{name: "read-only wildcards can be refused", opts: &samcheck.Options{ReadOnlyWildcards: []string{}}, tmpl: `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ["dynamodb:Describe*", "s3:Get*"], Resource: arn:aws:dynamodb:eu-west-1:111122223333:table/t}
`, want: []string{"Role wildcard-action"}},
		{name: "kms-decrypt applies to Lambda roles only", tmpl: `
Resources:
  Ec2Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: arn:aws:kms:eu-west-1:111122223333:key/k}]
  LambdaRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: arn:aws:kms:eu-west-1:111122223333:key/k}]
  Ec2Policy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref Ec2Role]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: kms:Decrypt, Resource: arn:aws:kms:eu-west-1:111122223333:key/k}]
`, want: []string{"LambdaRole kms-decrypt"}},

		// duplicate-key: reported, and the last value is the one checked.
		{name: "duplicate keys", tmpl: `
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      CidrIp: 10.0.0.0/8
      CidrIp: 0.0.0.0/0
  Sg:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: sg-1, IpProtocol: tcp, CidrIp: 10.0.0.0/8}
`, want: []string{"Sg duplicate-key"}},
		{name: "duplicate property keeps the last", tmpl: `
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      CidrIp: 10.0.0.0/8
      CidrIp: 0.0.0.0/0
`, want: []string{"Sg duplicate-key", "Sg open-ingress"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings, err := samcheck.Check([]byte(tt.tmpl), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findings {
				if k := f.Resource + " " + f.Rule; !slices.Contains(got, k) {
					got = append(got, k)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q\n%v", got, want, findings)
			}
		})
	}
}

func TestSuppression(t *testing.T) {
	const tmpl = `
Metadata:
  samcheck:
    suppress:
      - {rule: env-secret-value, reason: AWS's documented example key}
Globals:
  Function:
    Environment:
      Variables: {EXAMPLE: AKIAIOSFODNN7EXAMPLE}
Resources:
  Health:
    Type: AWS::Serverless::Function
    Metadata:
      samcheck:
        suppress:
          - rule: open-route
            reason: public health check; returns no data
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {Path: /health, Method: GET}}
  NoReason:
    Type: AWS::Serverless::Function
    Metadata:
      samcheck:
        suppress:
          - rule: open-route
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {Path: /x, Method: GET}}
`
	tests := []struct {
		name string
		opts *samcheck.Options
		want []string // "Resource rule suppressed-reason"
	}{
		{name: "default", want: []string{"NoReason open-route "}},
		{name: "include suppressed", opts: &samcheck.Options{IncludeSuppressed: true}, want: []string{
			"Globals env-secret-value AWS's documented example key",
			"Health open-route public health check; returns no data",
			"NoReason open-route ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings, err := samcheck.Check([]byte(tmpl), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range findings {
				got = append(got, f.Resource+" "+f.Rule+" "+f.Suppressed)
				if f.Resource == "NoReason" && !strings.Contains(f.Message, "gives no reason") {
					t.Errorf("finding does not say its suppression was ignored: %s", f)
				}
				if f.Line == 0 {
					t.Errorf("finding has no line: %s", f)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

import { fakeHex, fakeKeyId, fakeName } from './fake-ids.js';
import type { StackTemplate, TemplateResource } from './stage-templates.js';

/** What a resource's identity formats need: where it lives and how to read its own properties. */
export interface IdentityScope {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** A property resolved to a string, or undefined when the template leaves it out. */
  property(name: string): string | undefined;
  /** Fails with the stack, logical id and intrinsic named. */
  fail(intrinsic: string, reason: string): never;
}

/** `Ref` and `Fn::GetAtt` of one resource type. */
interface IdentityFormat {
  ref(scope: IdentityScope): string;
  attributes?: Readonly<Record<string, (scope: IdentityScope) => string>>;
}

const arn = (scope: IdentityScope, service: string, resource: string, regional = true, account = true) =>
  `arn:${scope.partition}:${service}:${regional ? scope.region : ''}:${account ? scope.account : ''}:${resource}`;
const named = (scope: IdentityScope, property: string, maxLength: number, lowerCase = false) =>
  scope.property(property) ?? fakeName(scope.stack.stackName, scope.logicalId, maxLength, lowerCase);
const hexId = (prefix: string, length: number) => (scope: IdentityScope) =>
  `${prefix}-${fakeHex(length, prefix, scope.stack.stackName, scope.logicalId)}`;

const queueName = (scope: IdentityScope) => named(scope, 'QueueName', 80);
const topicName = (scope: IdentityScope) => named(scope, 'TopicName', 256);
const bucketName = (scope: IdentityScope) => named(scope, 'BucketName', 63, true);
const roleName = (scope: IdentityScope) => named(scope, 'RoleName', 64);
const logGroupName = (scope: IdentityScope) => named(scope, 'LogGroupName', 512);
const functionName = (scope: IdentityScope) => named(scope, 'FunctionName', 64);
const secretArn = (scope: IdentityScope) =>
  arn(
    scope,
    'secretsmanager',
    `secret:${named(scope, 'Name', 256)}-${fakeHex(6, 'secret', scope.logicalId)}`,
  );
const vaultName = (scope: IdentityScope) => named(scope, 'BackupVaultName', 50);
const clusterName = (scope: IdentityScope) => named(scope, 'ClusterName', 255);
const repositoryName = (scope: IdentityScope) => named(scope, 'RepositoryName', 256, true);
const keyArn = (scope: IdentityScope) =>
  arn(scope, 'kms', `key/${fakeKeyId(scope.stack.stackName, scope.logicalId)}`);

/**
 * How each resource type answers `Ref` and `Fn::GetAtt`, following the CloudFormation
 * reference; physical names CloudFormation would generate are stable stand-ins.
 */
export const IDENTITY_FORMATS: Readonly<Record<string, IdentityFormat>> = {
  'AWS::KMS::Key': {
    ref: (scope) => fakeKeyId(scope.stack.stackName, scope.logicalId),
    attributes: { Arn: keyArn, KeyId: (scope) => fakeKeyId(scope.stack.stackName, scope.logicalId) },
  },
  'AWS::KMS::Alias': {
    ref: (scope) => scope.property('AliasName') ?? scope.fail('Ref', 'alias without AliasName'),
  },
  'AWS::SQS::Queue': {
    ref: (scope) => `https://sqs.${scope.region}.amazonaws.com/${scope.account}/${queueName(scope)}`,
    attributes: { Arn: (scope) => arn(scope, 'sqs', queueName(scope)), QueueName: queueName },
  },
  'AWS::SNS::Topic': {
    ref: (scope) => arn(scope, 'sns', topicName(scope)),
    attributes: { TopicArn: (scope) => arn(scope, 'sns', topicName(scope)), TopicName: topicName },
  },
  'AWS::S3::Bucket': {
    ref: bucketName,
    attributes: {
      Arn: (scope) => arn(scope, 's3', bucketName(scope), false, false),
      DomainName: (scope) => `${bucketName(scope)}.s3.amazonaws.com`,
      RegionalDomainName: (scope) => `${bucketName(scope)}.s3.${scope.region}.amazonaws.com`,
    },
  },
  'AWS::IAM::Role': {
    ref: roleName,
    attributes: {
      Arn: (scope) => arn(scope, 'iam', `role${scope.property('Path') ?? '/'}${roleName(scope)}`, false),
      RoleId: hexId('AROA', 17),
    },
  },
  'AWS::IAM::ManagedPolicy': {
    ref: (scope) => arn(scope, 'iam', `policy/${named(scope, 'ManagedPolicyName', 128)}`, false),
  },
  'AWS::IAM::OIDCProvider': {
    ref: (scope) =>
      arn(scope, 'iam', `oidc-provider/${(scope.property('Url') ?? '').replace(/^https:\/\//, '')}`, false),
  },
  'AWS::SecretsManager::Secret': { ref: secretArn, attributes: { Id: secretArn } },
  'AWS::SecretsManager::SecretTargetAttachment': {
    ref: (scope) => scope.property('SecretId') ?? scope.fail('Ref', 'attachment without SecretId'),
  },
  'AWS::SSM::Parameter': {
    ref: (scope) => named(scope, 'Name', 1011),
  },
  'AWS::RDS::DBInstance': {
    ref: (scope) => named(scope, 'DBInstanceIdentifier', 63, true),
    attributes: {
      DbiResourceId: (scope) =>
        `db-${fakeHex(26, 'dbi', scope.stack.stackName, scope.logicalId).toUpperCase()}`,
      DBInstanceArn: (scope) => arn(scope, 'rds', `db:${named(scope, 'DBInstanceIdentifier', 63, true)}`),
      'Endpoint.Address': (scope) =>
        `${named(scope, 'DBInstanceIdentifier', 63, true)}.${fakeHex(12, 'rds')}.${scope.region}.rds.amazonaws.com`,
      'Endpoint.Port': (scope) => scope.property('Port') ?? '5432',
    },
  },
  // Refs of load balancer listeners, rules and target groups are their ARNs (a release's traffic role names them).
  'AWS::ElasticLoadBalancingV2::ListenerRule': {
    ref: (scope) =>
      arn(
        scope,
        'elasticloadbalancing',
        `listener-rule/app/citadel/${fakeHex(16, 'alb', scope.stack.stackName)}/${fakeHex(16, 'listener', scope.stack.stackName, scope.logicalId)}/${fakeHex(16, 'rule', scope.stack.stackName, scope.logicalId)}`,
      ),
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    ref: (scope) =>
      arn(
        scope,
        'elasticloadbalancing',
        `listener/app/citadel/${fakeHex(16, 'alb', scope.stack.stackName)}/${fakeHex(16, 'listener', scope.stack.stackName, scope.logicalId)}`,
      ),
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    ref: (scope) =>
      arn(
        scope,
        'elasticloadbalancing',
        `targetgroup/${named(scope, 'Name', 32)}/${fakeHex(16, 'tg', scope.stack.stackName, scope.logicalId)}`,
      ),
  },
  // Ref of a DB subnet group is its name (lower-cased by RDS).
  'AWS::RDS::DBSubnetGroup': {
    ref: (scope) => named(scope, 'DBSubnetGroupName', 255, true),
  },
  'AWS::Logs::LogGroup': {
    ref: logGroupName,
    attributes: { Arn: (scope) => arn(scope, 'logs', `log-group:${logGroupName(scope)}:*`) },
  },
  'AWS::Lambda::Function': {
    ref: functionName,
    attributes: { Arn: (scope) => arn(scope, 'lambda', `function:${functionName(scope)}`) },
  },
  'AWS::ECS::Cluster': {
    ref: clusterName,
    attributes: { Arn: (scope) => arn(scope, 'ecs', `cluster/${clusterName(scope)}`) },
  },
  'AWS::ECS::TaskDefinition': {
    ref: (scope) => arn(scope, 'ecs', `task-definition/${named(scope, 'Family', 255)}:1`),
    attributes: {
      TaskDefinitionArn: (scope) => arn(scope, 'ecs', `task-definition/${named(scope, 'Family', 255)}:1`),
    },
  },
  'AWS::ECR::Repository': {
    ref: repositoryName,
    attributes: {
      Arn: (scope) => arn(scope, 'ecr', `repository/${repositoryName(scope)}`),
      RepositoryUri: (scope) =>
        `${scope.account}.dkr.ecr.${scope.region}.amazonaws.com/${repositoryName(scope)}`,
    },
  },
  'AWS::Backup::BackupVault': {
    ref: vaultName,
    attributes: {
      BackupVaultName: vaultName,
      BackupVaultArn: (scope) => arn(scope, 'backup', `backup-vault:${vaultName(scope)}`),
    },
  },
  'AWS::CloudTrail::Trail': {
    ref: (scope) => named(scope, 'TrailName', 128),
    attributes: { Arn: (scope) => arn(scope, 'cloudtrail', `trail/${named(scope, 'TrailName', 128)}`) },
  },
  'AWS::StepFunctions::StateMachine': {
    ref: (scope) => arn(scope, 'states', `stateMachine:${named(scope, 'StateMachineName', 80)}`),
  },
  'AWS::Events::Rule': {
    ref: (scope) => named(scope, 'Name', 64),
    attributes: { Arn: (scope) => arn(scope, 'events', `rule/${named(scope, 'Name', 64)}`) },
  },
  'AWS::EC2::VPCEndpoint': { ref: hexId('vpce', 17) },
  'AWS::EC2::VPC': { ref: hexId('vpc', 17), attributes: { DefaultSecurityGroup: hexId('sg', 17) } },
  'AWS::EC2::Subnet': { ref: hexId('subnet', 17) },
  'AWS::EC2::SecurityGroup': { ref: hexId('sg', 17), attributes: { GroupId: hexId('sg', 17) } },
  'AWS::Config::ConfigurationRecorder': { ref: (scope) => named(scope, 'Name', 256) },
};

/** `Ref` of a resource, by its type's format; fails for a type the proof does not know. */
export function refOf(scope: IdentityScope): string {
  const format = IDENTITY_FORMATS[scope.resource.Type];
  if (!format) scope.fail('Ref', `no Ref format for resource type ${scope.resource.Type}`);
  return format.ref(scope);
}

/** `Fn::GetAtt` of a resource; fails for an attribute the proof does not know. */
export function attributeOf(scope: IdentityScope, attribute: string): string {
  const format = IDENTITY_FORMATS[scope.resource.Type]?.attributes?.[attribute];
  if (!format) scope.fail('Fn::GetAtt', `no format for ${scope.resource.Type}.${attribute}`);
  return format(scope);
}

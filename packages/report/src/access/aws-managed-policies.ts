import type { PolicyDocument } from './iam-simulator.js';

const document = (...Statement: Record<string, unknown>[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement,
});

const LAMBDA_LOGS = {
  Effect: 'Allow',
  Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: '*',
};

/**
 * The AWS managed policies Citadel's roles attach, as published by AWS (statements that
 * matter to the access proof; the backup policy is an excerpt of its KMS, vault and RDS
 * statements, the Config policy an excerpt of its read-only discovery actions). A managed policy missing here fails the proof instead of being ignored.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': document(LAMBDA_LOGS),
  'service-role/AWSLambdaVPCAccessExecutionRole': document(LAMBDA_LOGS, {
    Effect: 'Allow',
    Action: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    Resource: '*',
  }),
  'service-role/AmazonRDSEnhancedMonitoringRole': document(
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'],
      Resource: 'arn:aws:logs:*:*:log-group:RDS*',
    },
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
      Resource: 'arn:aws:logs:*:*:log-group:RDS*:log-stream:*',
    },
  ),
  'service-role/AWSBackupServiceRolePolicyForBackup': document(
    {
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    {
      Effect: 'Allow',
      Action: 'kms:GenerateDataKeyWithoutPlaintext',
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { StringLike: { 'kms:ViaService': 'rds.*.amazonaws.com' } },
    },
    { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['backup:DescribeBackupVault', 'backup:CopyIntoBackupVault'],
      Resource: 'arn:aws:backup:*:*:backup-vault:*',
    },
    {
      Effect: 'Allow',
      Action: [
        'rds:CreateDBSnapshot',
        'rds:DescribeDBSnapshots',
        'rds:DescribeDBInstances',
        'rds:AddTagsToResource',
        'rds:ListTagsForResource',
        'rds:CopyDBSnapshot',
        'rds:DeleteDBSnapshot',
      ],
      Resource: '*',
    },
  ),
  'service-role/AWS_ConfigRole': document({
    Effect: 'Allow',
    Action: [
      'cloudtrail:DescribeTrails',
      'ec2:Describe*',
      'ecs:Describe*',
      'elasticloadbalancing:Describe*',
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      'lambda:GetFunction',
      'lambda:GetPolicy',
      'logs:DescribeLogGroups',
      'rds:Describe*',
      's3:GetBucketPolicy',
      's3:GetEncryptionConfiguration',
      's3:ListAllMyBuckets',
      'sns:GetTopicAttributes',
      'sqs:GetQueueAttributes',
    ],
    Resource: '*',
  }),
};

/** The document of an AWS managed policy ARN, or a clear error when the proof does not know it. */
export function awsManagedPolicy(arn: string, usedBy: string): PolicyDocument {
  const name = /^arn:aws[\w-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  const policy = name ? AWS_MANAGED_POLICIES[name] : undefined;
  if (!policy) {
    throw new Error(
      `${usedBy} attaches ${arn}, which the access proof does not know; add its document to AWS_MANAGED_POLICIES`,
    );
  }
  return policy;
}

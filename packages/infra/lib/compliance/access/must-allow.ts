import { APP_DATABASE_USER } from '../../stacks/app-stack.js';
import type { AccessRow } from './access-row.js';
import {
  HIPAA_ACCESS,
  HIPAA_AUDIT,
  HIPAA_ENCRYPTION,
  PCI_10_2,
  PCI_3_5,
  PCI_7_2_1,
  PCI_7_2_2,
} from './frameworks.js';

const API_TASK = '{app:ApiTaskRole.Arn}';
const API_EXECUTION = '{app:ApiExecutionRole.Arn}';
const PROCESSOR = '{app:PaymentsProcessorFunctionServiceRole.Arn}';
const BOOTSTRAP = '{app:DatabaseBootstrapProviderHandlerFunctionServiceRole.Arn}';
const CERTIFICATE_HANDLER = '{app:CloudflareCertificateProviderHandlerFunctionServiceRole.Arn}';
const DNS_HANDLER = '{app:CloudflareDnsProviderHandlerFunctionServiceRole.Arn}';
const QUEUE = '{app:PaymentsQueue.Arn}';
const MESSAGES_KEY = '{network:KeysMessagesKey.Arn}';
const SECRETS_KEY = '{network:KeysSecretsKey.Arn}';
const MASTER_SECRET = '{data:PostgresInstanceSecretAttachment.Ref}';
const APP_DB_USER = `arn:aws:rds-db:{region}:{account}:dbuser:{data:PostgresInstance.DbiResourceId}/${APP_DATABASE_USER}`;
const CLOUDFLARE_TOKEN =
  'arn:aws:secretsmanager:{region}:{account}:secret:citadel/{environment}/cloudflare-api-token-AbCdEf';
const TRAIL_BUCKET = '{baseline:BaselineTrailBucket.Arn}';
const TRAIL = '{baseline:BaselineTrail.Arn}';
const via = (service: string) => ({ 'kms:ViaService': `${service}.{region}.amazonaws.com` });
const LEAST = [PCI_7_2_1, PCI_7_2_2, HIPAA_ACCESS];
const AUDIT = [PCI_10_2, HIPAA_AUDIT];
const KEYS = [PCI_3_5, HIPAA_ENCRYPTION];

/** Calls the API tasks make at run time. */
const API_ROWS: readonly AccessRow[] = [
  {
    who: API_TASK,
    action: 'sqs:SendMessage',
    resource: QUEUE,
    via: 'sqs',
    why: 'the API queues accepted payments (SendMessageBatch authorizes as SendMessage)',
    frameworks: LEAST,
  },
  {
    who: API_TASK,
    action: 'kms:GenerateDataKey',
    resource: MESSAGES_KEY,
    context: via('sqs'),
    why: 'SQS encrypts each message the API sends under the messages key',
    frameworks: KEYS,
  },
  {
    who: API_TASK,
    action: 'kms:Decrypt',
    resource: MESSAGES_KEY,
    context: via('sqs'),
    why: 'SQS reuses a cached data key for the API sends',
    frameworks: KEYS,
  },
  {
    who: API_TASK,
    action: 'rds-db:connect',
    resource: APP_DB_USER,
    why: 'the API signs in to PostgreSQL with an IAM token as the application user',
    frameworks: LEAST,
  },
  {
    who: API_EXECUTION,
    action: 'ecr:GetAuthorizationToken',
    resource: '*',
    via: 'ecr.api',
    why: 'ECS signs in to ECR before pulling the API image',
    frameworks: LEAST,
  },
  {
    who: API_EXECUTION,
    action: 'ecr:BatchGetImage',
    resource: '{shared:ApiImagesRepository.Arn}',
    via: 'ecr.dkr',
    why: 'ECS pulls the API image manifest',
    frameworks: LEAST,
  },
  {
    who: API_EXECUTION,
    action: 'ecr:GetDownloadUrlForLayer',
    resource: '{shared:ApiImagesRepository.Arn}',
    via: 'ecr.dkr',
    why: 'ECS downloads the API image layers',
    frameworks: LEAST,
  },
  {
    who: API_EXECUTION,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::prod-{region}-starport-layer-bucket/layer',
    via: 's3',
    endpointOnly: true,
    why: 'ECR serves image layers from its own S3 bucket through the S3 gateway endpoint',
    frameworks: LEAST,
  },
  {
    who: 'arn:aws:iam::{account}:role/citadel-workload',
    action: 's3:GetObject',
    resource: '{network:AccessLogsBucket.Arn}/AccessLogs/object',
    via: 's3',
    endpointOnly: true,
    why: 'the S3 gateway endpoint admits principals of the account to Citadel buckets',
    frameworks: LEAST,
  },
  {
    who: 'arn:aws:iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{region}',
    identity: ['*'],
    action: 'kms:CreateGrant',
    resource: '{shared:ImagesKey.Arn}',
    context: { ...via('ecr'), 'kms:GrantIsForAWSResource': 'true' },
    why: 'creating the repository gives ECR a grant on the images key, which ECR uses for every push and pull',
    frameworks: KEYS,
  },
  {
    who: API_EXECUTION,
    action: 'logs:PutLogEvents',
    resource: 'arn:aws:logs:{region}:{account}:log-group:{app:ApiLogsLogGroup.Ref}:log-stream:api/api/task',
    via: 'logs',
    why: 'the awslogs driver ships the API container logs',
    frameworks: AUDIT,
  },
  {
    who: API_EXECUTION,
    action: 'logs:CreateLogStream',
    resource: 'arn:aws:logs:{region}:{account}:log-group:{app:ApiLogsLogGroup.Ref}:log-stream:api/api/task',
    via: 'logs',
    why: 'the awslogs driver opens one stream per task',
    frameworks: AUDIT,
  },
];

const KEY_PARAMETER = 'arn:aws:ssm:{region}:{account}:parameter{app:JwksMirrorParameter.Ref}';
const KEY_MIRROR = '{app:JwksMirrorFunctionServiceRole.Arn}';

/** The identity provider's keys: the mirror writes them to SSM, the API tasks read them through the SSM endpoint. */
const KEY_SET_ROWS: readonly AccessRow[] = [
  {
    who: API_TASK,
    action: 'ssm:GetParameter',
    resource: KEY_PARAMETER,
    via: 'ssm',
    skipWhenAbsent: true,
    why: 'the API reads the mirrored identity provider keys to verify tokens',
    frameworks: LEAST,
  },
  {
    who: 'events.amazonaws.com',
    action: 'lambda:InvokeFunction',
    resource: '{app:JwksMirrorFunction.Arn}',
    context: { 'aws:SourceArn': '{app:JwksMirrorSchedule.Arn}', 'aws:SourceAccount': '{account}' },
    skipWhenAbsent: true,
    why: 'the schedule runs the key mirror',
    frameworks: LEAST,
  },
  ...['ssm:GetParameter', 'ssm:PutParameter'].map((action): AccessRow => ({
    who: KEY_MIRROR,
    action,
    resource: KEY_PARAMETER,
    skipWhenAbsent: true,
    why: 'the key mirror compares and writes the identity provider keys',
    frameworks: LEAST,
  })),
];

/** Calls the payment processor and the deploy-time functions make. */
const FUNCTION_ROWS: readonly AccessRow[] = [
  ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'].map(
    (action): AccessRow => ({
      who: PROCESSOR,
      action,
      resource: QUEUE,
      why: 'the SQS event source mapping polls, deletes and retries payments with the function role',
      frameworks: LEAST,
    }),
  ),
  {
    who: PROCESSOR,
    action: 'kms:Decrypt',
    resource: MESSAGES_KEY,
    context: via('sqs'),
    why: 'SQS decrypts payments received by the processor',
    frameworks: KEYS,
  },
  {
    who: PROCESSOR,
    action: 'rds-db:connect',
    resource: APP_DB_USER,
    why: 'the processor records outcomes as the application user',
    frameworks: LEAST,
  },
  {
    who: PROCESSOR,
    action: 'kms:Decrypt',
    resource: '{network:KeysFunctionEnvironmentKey.Arn}',
    context: via('lambda'),
    why: 'Lambda decrypts the function environment',
    frameworks: KEYS,
  },
  {
    who: PROCESSOR,
    action: 'logs:PutLogEvents',
    resource:
      'arn:aws:logs:{region}:{account}:log-group:{app:PaymentsProcessorLogsLogGroup.Ref}:log-stream:stream',
    why: 'the processor writes its logs',
    frameworks: AUDIT,
  },
  {
    who: BOOTSTRAP,
    action: 'secretsmanager:GetSecretValue',
    resource: MASTER_SECRET,
    via: 'secretsmanager',
    why: 'the bootstrap signs in as the master user to create the application role and migrate',
    frameworks: LEAST,
  },
  {
    who: BOOTSTRAP,
    action: 'kms:Decrypt',
    resource: SECRETS_KEY,
    context: via('secretsmanager'),
    why: 'Secrets Manager decrypts the master secret for the bootstrap',
    frameworks: KEYS,
  },
  ...[
    'secretsmanager:GetSecretValue',
    'secretsmanager:PutSecretValue',
    'secretsmanager:UpdateSecretVersionStage',
  ].map((action): AccessRow => ({
    who: 'arn:aws:iam::{account}:role/citadel-secret-rotation',
    identity: ['secretsmanager:*', 'kms:Decrypt', 'kms:GenerateDataKey'],
    action,
    resource: MASTER_SECRET,
    via: 'secretsmanager',
    why: 'the hosted rotation function (its role granted these by the rotation template) rotates the master password; the secret policy must not block it',
    frameworks: LEAST,
  })),
  ...['kms:Decrypt', 'kms:GenerateDataKey'].map((action): AccessRow => ({
    who: 'arn:aws:iam::{account}:role/citadel-secret-rotation',
    identity: ['kms:Decrypt', 'kms:GenerateDataKey'],
    action,
    resource: SECRETS_KEY,
    context: via('secretsmanager'),
    why: 'rotation reads and writes secret versions under the secrets key',
    frameworks: KEYS,
  })),
  ...[CERTIFICATE_HANDLER, DNS_HANDLER].map((who): AccessRow => ({
    who,
    action: 'secretsmanager:GetSecretValue',
    resource: CLOUDFLARE_TOKEN,
    skipWhenAbsent: true,
    why: 'the Cloudflare handlers read the API token',
    frameworks: LEAST,
  })),
  ...[CERTIFICATE_HANDLER, DNS_HANDLER].map((who): AccessRow => ({
    who,
    action: 'kms:Decrypt',
    resource: SECRETS_KEY,
    context: via('secretsmanager'),
    skipWhenAbsent: true,
    why: 'Secrets Manager decrypts the Cloudflare token',
    frameworks: KEYS,
  })),
  ...['acm:RequestCertificate', 'acm:ListCertificates'].map((action): AccessRow => ({
    who: CERTIFICATE_HANDLER,
    action,
    resource: '*',
    skipWhenAbsent: true,
    why: 'the certificate handler requests and finds its certificate',
    frameworks: LEAST,
  })),
  ...['acm:DescribeCertificate', 'acm:AddTagsToCertificate', 'acm:DeleteCertificate'].map(
    (action): AccessRow => ({
      who: CERTIFICATE_HANDLER,
      action,
      resource: 'arn:aws:acm:{region}:{account}:certificate/0f0e0d0c-0b0a-0908-0706-050403020100',
      skipWhenAbsent: true,
      why: 'the certificate handler validates, tags and deletes its certificate',
      frameworks: LEAST,
    }),
  ),
];

/** Deliveries by AWS services the design depends on. */
const DELIVERY_ROWS: readonly AccessRow[] = [
  {
    who: 'cloudwatch.amazonaws.com',
    action: 'sns:Publish',
    resource: '{monitoring:AlarmTopic.Ref}',
    context: {
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': 'arn:aws:cloudwatch:{region}:{account}:alarm:citadel-{environment}-alarm',
    },
    why: 'alarms notify the on-call through the alarm topic',
    frameworks: AUDIT,
  },
  ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action): AccessRow => ({
    who: 'cloudwatch.amazonaws.com',
    action,
    resource: MESSAGES_KEY,
    context: { 'aws:SourceAccount': '{account}' },
    why: 'the alarm topic is encrypted under the messages key',
    frameworks: KEYS,
  })),
  {
    who: 'cloudtrail.amazonaws.com',
    action: 's3:GetBucketAcl',
    resource: TRAIL_BUCKET,
    context: { 'aws:SourceAccount': '{account}', 'aws:SourceArn': TRAIL },
    skipWhenAbsent: true,
    why: 'CloudTrail checks the bucket ACL before delivering',
    frameworks: AUDIT,
  },
  {
    who: 'cloudtrail.amazonaws.com',
    action: 's3:PutObject',
    resource: `${TRAIL_BUCKET}/AWSLogs/{account}/CloudTrail/{region}/2026/11/30/log.json.gz`,
    context: {
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': TRAIL,
    },
    skipWhenAbsent: true,
    why: 'CloudTrail delivers log files',
    frameworks: AUDIT,
  },
  {
    who: 'cloudtrail.amazonaws.com',
    action: 'kms:GenerateDataKey',
    resource: '{baseline:BaselineTrailKey.Arn}',
    context: {
      'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL,
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': TRAIL,
    },
    skipWhenAbsent: true,
    why: 'CloudTrail encrypts each log file under the trail key',
    frameworks: KEYS,
  },
  {
    who: 'cloudtrail.amazonaws.com',
    action: 'kms:DescribeKey',
    resource: '{baseline:BaselineTrailKey.Arn}',
    context: { 'aws:SourceAccount': '{account}', 'aws:SourceArn': TRAIL },
    skipWhenAbsent: true,
    why: 'CloudTrail validates the trail key (DescribeKey carries no encryption context)',
    frameworks: KEYS,
  },
  {
    who: 'delivery.logs.amazonaws.com',
    action: 's3:GetBucketAcl',
    resource: '{network:FlowLogsBucket.Arn}',
    context: {
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': 'arn:aws:logs:{region}:{account}:delivery-source:flow',
    },
    why: 'flow-log delivery checks the bucket ACL',
    frameworks: AUDIT,
  },
  {
    who: 'delivery.logs.amazonaws.com',
    action: 's3:PutObject',
    resource: '{network:FlowLogsBucket.Arn}/AWSLogs/{account}/vpcflowlogs/{region}/2026/11/30/flow.log.gz',
    context: {
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SourceAccount': '{account}',
      'aws:SourceArn': 'arn:aws:logs:{region}:{account}:delivery-source:flow',
    },
    why: 'flow logs are delivered to S3',
    frameworks: AUDIT,
  },
  {
    who: 'delivery.logs.amazonaws.com',
    action: 'kms:GenerateDataKey',
    resource: '{network:KeysLogsKey.Arn}',
    context: { 'aws:SourceAccount': '{account}' },
    why: 'flow-log objects are encrypted under the logs key',
    frameworks: KEYS,
  },
  {
    who: '{network:FlowLogsDeliveryRole.Arn}',
    action: 'logs:PutLogEvents',
    resource: 'arn:aws:logs:{region}:{account}:log-group:{network:FlowLogsLogGroup.Ref}:log-stream:eni-0',
    why: 'flow logs are delivered to CloudWatch Logs with the delivery role',
    frameworks: AUDIT,
  },
  {
    who: 'arn:aws:iam::{elbAccount}:root',
    identity: ['s3:PutObject'],
    action: 's3:PutObject',
    resource:
      '{app:EdgeAccessLogsBucket.Arn}/alb/AWSLogs/{account}/elasticloadbalancing/{region}/2026/11/30/access.log.gz',
    why: 'the load balancer delivers access logs from the regional ELB account',
    frameworks: AUDIT,
  },
  {
    who: '{data:BackupPlanDatabaseRole.Arn}',
    action: 'kms:CreateGrant',
    resource: '{network:KeysBackupsKey.Arn}',
    context: { ...via('backup'), 'kms:GrantIsForAWSResource': 'true' },
    why: 'AWS Backup encrypts recovery points in the vault under the backups key',
    frameworks: KEYS,
  },
  {
    who: '{data:BackupPlanDatabaseRole.Arn}',
    action: 'kms:DescribeKey',
    resource: '{network:KeysBackupsKey.Arn}',
    context: via('backup'),
    why: 'AWS Backup checks the vault key',
    frameworks: KEYS,
  },
  {
    who: '{data:BackupPlanDatabaseRole.Arn}',
    action: 'backup:CopyIntoBackupVault',
    resource: '{data:BackupVault.BackupVaultArn}',
    why: 'AWS Backup writes recovery points into the vault',
    frameworks: LEAST,
  },
  ...['s3:GetBucketAcl', 's3:ListBucket'].map((action): AccessRow => ({
    who: 'config.amazonaws.com',
    action,
    resource: '{*:*Config*Bucket.Arn}',
    context: { 'aws:SourceAccount': '{account}' },
    skipWhenAbsent: true,
    why: 'AWS Config checks its delivery bucket',
    frameworks: AUDIT,
  })),
  {
    who: 'config.amazonaws.com',
    action: 's3:PutObject',
    resource: '{*:*Config*Bucket.Arn}/AWSLogs/{account}/Config/snapshot.json.gz',
    context: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': '{account}' },
    skipWhenAbsent: true,
    why: 'AWS Config delivers configuration snapshots and history',
    frameworks: AUDIT,
  },
];

/** Every call the code makes and every delivery the design depends on; all must be allowed. */
export const MUST_ALLOW: readonly AccessRow[] = [
  ...API_ROWS,
  ...KEY_SET_ROWS,
  ...FUNCTION_ROWS,
  ...DELIVERY_ROWS,
];

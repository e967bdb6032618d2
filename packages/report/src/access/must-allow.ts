import type { AccessRow } from './access-row.js';
import { DELIVERY_ROWS } from './delivery-rows.js';
import { FUNCTION_ROWS } from './function-rows.js';
import {
  API_EXECUTION,
  API_TASK,
  APP_DB_USER,
  AUDIT,
  KEYS,
  LEAST,
  MESSAGES_KEY,
  QUEUE,
  via,
} from './row-names.js';
import { CHANGE_RECORD_ALLOW } from './change-record-rows.js';

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

/** Every call the code makes and every delivery the design depends on; all must be allowed. */
export const MUST_ALLOW: readonly AccessRow[] = [
  ...API_ROWS,
  ...CHANGE_RECORD_ALLOW,
  ...KEY_SET_ROWS,
  ...FUNCTION_ROWS,
  ...DELIVERY_ROWS,
];

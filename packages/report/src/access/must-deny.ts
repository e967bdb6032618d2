import type { AccessRow } from './access-row.js';
import { CHANGE_RECORD_DENY } from './change-record-rows.js';
import { HIPAA_ACCESS, HIPAA_ENCRYPTION, PCI_3_5, PCI_7_2_1, PCI_7_2_2 } from './frameworks.js';
import { APP_DB_USER, PROCESSOR, PROCESSOR_DB_USER } from './row-names.js';

const API_TASK = '{app:ApiTaskRole.Arn}';
const LEAST = [PCI_7_2_1, PCI_7_2_2, HIPAA_ACCESS];
const KEYS = [PCI_3_5, HIPAA_ENCRYPTION];
const LOG_BUCKETS = [
  '{network:FlowLogsBucket.Arn}',
  '{network:AccessLogsBucket.Arn}',
  '{app:EdgeAccessLogsBucket.Arn}',
];

/** What the API tasks must never be able to do, whatever a compromised task attempts. */
export const MUST_DENY: readonly AccessRow[] = [
  {
    who: API_TASK,
    action: 'rds-db:connect',
    resource: PROCESSOR_DB_USER,
    why: "the API cannot sign in as the payment processor's database user, which alone may settle payments",
    frameworks: LEAST,
  },
  {
    who: PROCESSOR,
    action: 'rds-db:connect',
    resource: APP_DB_USER,
    why: "the processor cannot sign in as the API's database user, which may read and create patients",
    frameworks: LEAST,
  },
  {
    who: API_TASK,
    action: 'secretsmanager:GetSecretValue',
    resource: '{data:PostgresInstanceSecretAttachment.Ref}',
    via: 'secretsmanager',
    why: 'the API never holds the database master password',
    frameworks: LEAST,
  },
  {
    who: API_TASK,
    action: 'kms:Decrypt',
    resource: '{network:KeysBackupsKey.Arn}',
    context: { 'kms:ViaService': 'backup.{region}.amazonaws.com' },
    why: 'the API cannot read backups',
    frameworks: KEYS,
  },
  {
    who: API_TASK,
    action: 'kms:Decrypt',
    resource: '{network:KeysBackupsKey.Arn}',
    via: 'kms',
    why: 'the API cannot decrypt with the backups key directly',
    frameworks: KEYS,
  },
  {
    who: API_TASK,
    action: 'kms:Decrypt',
    resource: '{network:KeysMessagesKey.Arn}',
    via: 'kms',
    why: 'the messages key works only through SQS and SNS (kms:ViaService), never called directly',
    frameworks: KEYS,
  },
  ...LOG_BUCKETS.map((bucket): AccessRow => ({
    who: API_TASK,
    action: 's3:PutObject',
    resource: `${bucket}/AWSLogs/{account}/forged.log`,
    via: 's3',
    why: 'the API cannot forge or overwrite log evidence',
    frameworks: LEAST,
  })),
  {
    who: API_TASK,
    action: 's3:PutObject',
    resource: '{baseline:BaselineTrailBucket.Arn}/AWSLogs/{account}/forged.json.gz',
    via: 's3',
    skipWhenAbsent: true,
    why: 'the API cannot forge CloudTrail evidence',
    frameworks: LEAST,
  },
  {
    who: API_TASK,
    action: 'logs:DeleteLogGroup',
    resource: 'arn:aws:logs:{region}:{account}:log-group:{app:ApiLogsLogGroup.Ref}:*',
    via: 'logs',
    why: 'the API cannot erase its own logs',
    frameworks: LEAST,
  },
  {
    who: '{app:ApiExecutionRole.Arn}',
    action: 'ecr:PutImage',
    resource: '{shared:ApiImagesRepository.Arn}',
    via: 'ecr.api',
    why: 'tasks pull images; only the deploy role pushes',
    frameworks: LEAST,
  },
  {
    who: 'events.amazonaws.com',
    action: 'lambda:InvokeFunction',
    resource: '{app:JwksMirrorFunction.Arn}',
    context: {
      'aws:SourceArn': 'arn:aws:events:{region}:000000000000:rule/foreign',
      'aws:SourceAccount': '000000000000',
    },
    skipWhenAbsent: true,
    why: "only the environment's own schedule may run the key mirror",
    frameworks: LEAST,
  },
  {
    who: 'arn:aws:iam::{account}:role/citadel-workload',
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::someone-elses-bucket/data',
    via: 's3',
    endpointOnly: true,
    why: 'the S3 gateway endpoint admits only the ECR layer bucket and Citadel buckets',
    frameworks: LEAST,
  },
  ...CHANGE_RECORD_DENY,
];

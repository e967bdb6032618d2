import type { AccessRow } from './access-row.js';
import { HIPAA_EVALUATION, PCI_6_5_1 } from './frameworks.js';

const DEPLOY_ROLE = '{shared:GithubDeployRole.Arn}';
const BUCKET = '{shared:ChangeRecordsBucket.Arn}';
const KEY = '{shared:ChangeRecordsKey.Arn}';
const RECORD = `${BUCKET}/records/{environment}/20261130T093001.000Z-3f6c2b1e9a0d4c7b8e5f1a2d3c4b5a6978695a4b.json`;
const ADMIN = 'arn:aws:iam::{account}:role/citadel-account-admin';
const CHANGES = [PCI_6_5_1, HIPAA_EVALUATION];

/** What every deploy must be able to do to record itself. */
export const CHANGE_RECORD_ALLOW: readonly AccessRow[] = [
  {
    who: DEPLOY_ROLE,
    action: 's3:PutObject',
    resource: RECORD,
    why: "a deploy writes its change record under the environment's record prefix",
    frameworks: CHANGES,
  },
  ...['report.md', 'report.json'].map((suffix): AccessRow => ({
    who: DEPLOY_ROLE,
    action: 's3:PutObject',
    resource: RECORD.replace(/\.json$/, `.${suffix}`),
    why: 'a deploy stores the report of the revision it deploys next to its change record',
    frameworks: CHANGES,
  })),
  {
    who: DEPLOY_ROLE,
    action: 'kms:GenerateDataKey',
    resource: KEY,
    context: { 'kms:ViaService': 's3.{region}.amazonaws.com' },
    why: 'S3 encrypts the record under the change-record key on the deploy role’s behalf',
    frameworks: CHANGES,
  },
  {
    who: DEPLOY_ROLE,
    action: 'cloudwatch:DescribeAlarms',
    resource: 'arn:aws:cloudwatch:{region}:{account}:alarm:citadel-{environment}-monitoring-ApiErrors-1A2B3C',
    why: "the record keeps the state of the environment's alarms after the deploy",
    frameworks: CHANGES,
  },
  {
    who: DEPLOY_ROLE,
    action: 'cloudformation:DescribeStacks',
    resource: 'arn:aws:cloudformation:{region}:{account}:stack/citadel-{environment}-app/1a2b3c4d',
    why: 'the record tells a rolled-back deploy from a failed one by the stack status',
    frameworks: CHANGES,
  },
];

/** What must never happen to a change record, whoever asks. */
export const CHANGE_RECORD_DENY: readonly AccessRow[] = [
  ...['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'].flatMap(
    (action): AccessRow[] => [
      {
        who: DEPLOY_ROLE,
        action,
        resource: RECORD,
        why: 'the deploy role cannot remove or unlock the record of its own deploy',
        frameworks: CHANGES,
      },
      {
        who: ADMIN,
        identity: ['*'],
        action,
        resource: RECORD,
        why: 'not even an administrator of the account can remove or unlock a change record (bucket policy deny, on top of Object Lock)',
        frameworks: CHANGES,
      },
    ],
  ),
  {
    who: DEPLOY_ROLE,
    action: 's3:PutObject',
    resource: RECORD,
    context: { 'aws:SecureTransport': 'false' },
    why: 'a record is never sent without TLS',
    frameworks: CHANGES,
  },
  {
    who: DEPLOY_ROLE,
    action: 's3:PutObject',
    resource: `${BUCKET}/elsewhere/record.json`,
    why: "the deploy role writes only under the environment's record prefix",
    frameworks: CHANGES,
  },
  {
    who: DEPLOY_ROLE,
    action: 's3:PutObjectRetention',
    resource: RECORD,
    why: "the deploy role cannot change a record's lock",
    frameworks: CHANGES,
  },
  {
    who: DEPLOY_ROLE,
    action: 'kms:Decrypt',
    resource: KEY,
    context: { 'kms:ViaService': 's3.{region}.amazonaws.com' },
    why: 'the deploy role writes records but cannot read them back',
    frameworks: CHANGES,
  },
  {
    who: DEPLOY_ROLE,
    action: 'cloudwatch:DescribeAlarms',
    resource: 'arn:aws:cloudwatch:{region}:{account}:alarm:someone-elses-alarm',
    why: "the deploy role reads the state of this environment's alarms only",
    frameworks: CHANGES,
  },
];

import {
  BackupClient,
  BackupServiceException,
  ListBackupJobsCommand,
  ListCopyJobsCommand,
  ListRestoreJobsCommand,
  ListRestoreTestingPlansCommand,
} from '@aws-sdk/client-backup';
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigRulesCommand,
  DescribeConformancePacksCommand,
  GetComplianceDetailsByConfigRuleCommand,
  GetConformancePackComplianceDetailsCommand,
  GetResourceConfigHistoryCommand,
  ListDiscoveredResourcesCommand,
} from '@aws-sdk/client-config-service';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';

/** Hand-written from the API reference shapes; ids and ARNs are placeholders of the prod config's account. */
export const ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';
/** The change-record bucket prod's shared stack creates (changeRecordBucketName). */
export const BUCKET = 'citadel-prod-records-333333333333-eu-west-1';
const meta = (requestId: string) => ({ httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 });

/** A GetObject body as the SDK hands it back: a Node stream with the SDK's transform helpers. */
function streamBody(text: string) {
  const bytes = Buffer.from(text, 'utf8');
  return Object.assign(Readable.from([bytes]), {
    transformToString: (encoding = 'utf8') => Promise.resolve(bytes.toString(encoding as BufferEncoding)),
    transformToByteArray: () => Promise.resolve(new Uint8Array(bytes)),
  });
}

/** Returns the page for a token, failing the test on a token the fixture never handed out. */
function paged<T>(pages: Record<string, T>, token: string | undefined): T {
  const page = pages[token ?? 'first'];
  if (!page) throw new Error(`fixture: unexpected page token ${String(token)}`);
  return page;
}

const finding = (id: string, fields: Record<string, unknown>) => ({
  SchemaVersion: '2018-10-08',
  Id: `arn:aws:securityhub:${REGION}:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0/${id}/finding/0b9e6c4a-${id}`,
  ProductArn: `arn:aws:securityhub:${REGION}::product/aws/securityhub`,
  GeneratorId: `aws-foundational-security-best-practices/v/1.0.0/${id}`,
  AwsAccountId: ACCOUNT,
  Types: [
    'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices',
  ],
  Title: `${id} control`,
  Description: 'A control from the fixture.',
  Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${ACCOUNT}`, Partition: 'aws', Region: REGION }],
  Compliance: { Status: 'FAILED' },
  ...fields,
});

export const FINDINGS = {
  first: {
    $metadata: meta('sh-1'),
    Findings: [
      finding('S3.5', {
        CreatedAt: '2026-01-10T08:00:00.000Z',
        FirstObservedAt: '2026-01-10T08:00:00.000Z',
        LastObservedAt: '2026-03-30T08:00:00.000Z',
        UpdatedAt: '2026-03-30T08:00:00.000Z',
        Severity: { Label: 'MEDIUM', Normalized: 40 },
        Workflow: { Status: 'NEW' },
        RecordState: 'ACTIVE',
      }),
    ],
    NextToken: 'sh-page-2',
  },
  'sh-page-2': {
    $metadata: meta('sh-2'),
    Findings: [
      finding('IAM.6', {
        CreatedAt: '2026-02-01T00:00:00.000Z',
        FirstObservedAt: '2026-02-01T00:00:00.000Z',
        LastObservedAt: '2026-02-05T00:00:00.000Z',
        UpdatedAt: '2026-02-05T12:00:00.000Z',
        Severity: { Label: 'CRITICAL', Normalized: 90 },
        Workflow: { Status: 'RESOLVED' },
        RecordState: 'ARCHIVED',
        Compliance: { Status: 'PASSED' },
      }),
    ],
  },
};

const complianceItem = (time: string, compliance: string) => ({
  version: '1.3',
  accountId: ACCOUNT,
  configurationItemCaptureTime: new Date(time),
  configurationItemStatus: 'OK',
  configurationStateId: String(Date.parse(time)),
  arn: `arn:aws:s3:::citadel-prod-assets`,
  resourceType: 'AWS::Config::ResourceCompliance',
  resourceId: 'AWS::S3::Bucket/citadel-prod-assets',
  awsRegion: REGION,
  configuration: JSON.stringify({
    complianceType: compliance,
    configRuleList: [{ configRuleName: 's3-bucket-ssl-requests-only', complianceType: compliance }],
    resourceId: 'citadel-prod-assets',
    resourceType: 'AWS::S3::Bucket',
  }),
});

/** The revision reports the deploys stored next to their records, Markdown and JSON. */
export const REPORTS: Record<string, string> = {
  'records/prod/2026-02-03T10-00-00Z.report.md':
    '# Revision report: prod at a1b2c3d4e5f60718293a4b5c6d7e8f9012345678\n',
  'records/prod/2026-02-03T10-00-00Z.report.json':
    '{"environment":"prod","commit":"a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"}\n',
  'records/prod/2026-03-04T10-00-00Z.report.md':
    '# Revision report: prod at ffffffffffffffffffffffffffffffffffffffff — ünïcödé\n',
  'records/prod/2026-03-04T10-00-00Z.report.json':
    '{"environment":"prod","commit":"ffffffffffffffffffffffffffffffffffffffff"}\n',
};

const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

/** The `report` entry a record holds for the report stored under `base`.report.md/.json. */
export function reportEntry(base: string) {
  return {
    key: `${base}.report.md`,
    sha256: sha256(REPORTS[`${base}.report.md`] ?? ''),
    jsonKey: `${base}.report.json`,
    jsonSha256: sha256(REPORTS[`${base}.report.json`] ?? ''),
  };
}

export const RECORDS: Record<string, string> = {
  'records/prod/2026-02-03T10-00-00Z.json': JSON.stringify({
    schemaVersion: 1,
    environment: 'prod',
    startedAt: '2026-02-03T10:00:00Z',
    commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    approver: 'ops-lead',
    report: reportEntry('records/prod/2026-02-03T10-00-00Z'),
  }),
  'records/prod/2026-03-04T10-00-00Z.json': `{"schemaVersion":"2","environment":"prod","startedAt":"2026-03-04T10:00:00Z","source":{"commit":"ffffffffffffffffffffffffffffffffffffffff"},"note":"ünïcödé ✓ | pipe","report":${JSON.stringify(reportEntry('records/prod/2026-03-04T10-00-00Z'))}}`,
  'records/prod/2025-12-01T10-00-00Z.json': JSON.stringify({
    schemaVersion: 1,
    environment: 'prod',
    startedAt: '2025-12-01T10:00:00Z',
  }),
  'records/prod/copied-from-qa.json': JSON.stringify({
    schemaVersion: 1,
    environment: 'qa',
    startedAt: '2026-02-01T00:00:00Z',
  }),
  'records/prod/truncated.json': '{"schemaVersion":1,"environ',
};

const trailEvent = (name: string, time: string, role: string) => ({
  EventId: `e-${name}-${time}`,
  EventName: name,
  ReadOnly: 'false',
  AccessKeyId: 'ASIAEXAMPLEFIXTURE00',
  EventTime: new Date(time),
  EventSource: 'iam.amazonaws.com',
  Username: 'citadel-deploy',
  Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: role }],
  CloudTrailEvent: JSON.stringify({ eventName: name, requestParameters: { roleName: role } }),
});

export interface AccountMocks {
  readonly sts: ReturnType<typeof mockClient>;
  readonly config: ReturnType<typeof mockClient>;
  readonly securityHub: ReturnType<typeof mockClient>;
  readonly backup: ReturnType<typeof mockClient>;
  readonly s3: ReturnType<typeof mockClient>;
  readonly cloudTrail: ReturnType<typeof mockClient>;
  restore(): void;
}

/** Mocks one account's answers; each paginated call hands out two pages. */
export function mockAccount(
  account = ACCOUNT,
  options: {
    /** Objects of the change-record bucket to add or replace. */
    readonly objects?: Record<string, string>;
    /** Objects of the change-record bucket that are not there. */
    readonly deleted?: readonly string[];
  } = {},
): AccountMocks {
  const sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({
    $metadata: meta('sts-1'),
    UserId: 'AROAEXAMPLEFIXTURE000:evidence',
    Account: account,
    Arn: `arn:aws:sts::${account}:assumed-role/citadel-evidence-reader/evidence`,
  });

  const config = mockClient(ConfigServiceClient);
  config.on(DescribeConfigRulesCommand).callsFake((input: { NextToken?: string }) =>
    paged(
      {
        first: {
          $metadata: meta('cfg-1'),
          ConfigRules: [
            {
              ConfigRuleName: 's3-bucket-ssl-requests-only',
              ConfigRuleState: 'ACTIVE',
              Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_SSL_REQUESTS_ONLY' },
            },
          ],
          NextToken: 'rules-2',
        },
        'rules-2': {
          $metadata: meta('cfg-2'),
          ConfigRules: [
            {
              ConfigRuleName: 'rds-storage-encrypted',
              ConfigRuleState: 'ACTIVE',
              Source: { Owner: 'AWS', SourceIdentifier: 'RDS_STORAGE_ENCRYPTED' },
            },
          ],
        },
      },
      input.NextToken,
    ),
  );
  config
    .on(GetComplianceDetailsByConfigRuleCommand)
    .callsFake((input: { ConfigRuleName?: string; NextToken?: string }) => {
      const result = (resource: string, compliance: string) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: {
            ConfigRuleName: input.ConfigRuleName,
            ResourceType: 'AWS::S3::Bucket',
            ResourceId: resource,
          },
          OrderingTimestamp: new Date('2026-03-30T00:00:00Z'),
        },
        ComplianceType: compliance,
        ResultRecordedTime: new Date('2026-03-30T00:05:00Z'),
        ConfigRuleInvokedTime: new Date('2026-03-30T00:00:00Z'),
      });
      return paged(
        {
          first: {
            $metadata: meta('eval-1'),
            EvaluationResults: [result('citadel-prod-assets', 'COMPLIANT')],
            NextToken: 'eval-2',
          },
          'eval-2': {
            $metadata: meta('eval-2'),
            EvaluationResults: [result('citadel-prod-logs', 'NON_COMPLIANT')],
          },
        },
        input.NextToken,
      );
    });
  config.on(DescribeConformancePacksCommand).resolves({
    $metadata: meta('cp-1'),
    ConformancePackDetails: [
      {
        ConformancePackName: 'citadel-pci',
        ConformancePackArn: `arn:aws:config:${REGION}:${ACCOUNT}:conformance-pack/citadel-pci/conformance-pack-abc`,
        ConformancePackId: 'conformance-pack-abc',
      },
    ],
  });
  config.on(GetConformancePackComplianceDetailsCommand).resolves({
    $metadata: meta('cp-2'),
    ConformancePackName: 'citadel-pci',
    ConformancePackRuleEvaluationResults: [
      {
        ComplianceType: 'COMPLIANT',
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: { ConfigRuleName: 'rds-storage-encrypted-conformance-pack-abc' },
        },
        ConfigRuleInvokedTime: new Date('2026-03-01T00:00:00Z'),
        ResultRecordedTime: new Date('2026-03-01T00:01:00Z'),
      },
    ],
  });
  config.on(ListDiscoveredResourcesCommand).resolves({
    $metadata: meta('ldr-1'),
    resourceIdentifiers: [
      { resourceType: 'AWS::Config::ResourceCompliance', resourceId: 'AWS::S3::Bucket/citadel-prod-assets' },
    ],
  });
  config.on(GetResourceConfigHistoryCommand).callsFake((input: { nextToken?: string }) =>
    paged(
      {
        first: {
          $metadata: meta('hist-1'),
          configurationItems: [
            complianceItem('2026-01-05T00:00:00Z', 'COMPLIANT'),
            complianceItem('2026-02-10T00:00:00Z', 'NON_COMPLIANT'),
          ],
          nextToken: 'hist-2',
        },
        'hist-2': {
          $metadata: meta('hist-2'),
          configurationItems: [complianceItem('2026-02-11T00:00:00Z', 'COMPLIANT')],
        },
      },
      input.nextToken,
    ),
  );

  const securityHub = mockClient(SecurityHubClient);
  securityHub
    .on(GetFindingsCommand)
    .callsFake((input: { NextToken?: string }) => paged(FINDINGS, input.NextToken));

  const backup = mockClient(BackupClient);
  const vault = `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:citadel-prod`;
  backup.on(ListBackupJobsCommand).callsFake((input: { NextToken?: string }) =>
    paged(
      {
        first: {
          $metadata: meta('bj-1'),
          BackupJobs: [
            {
              BackupJobId: 'bj-1',
              BackupVaultArn: vault,
              State: 'COMPLETED',
              CreationDate: new Date('2026-01-02T03:00:00Z'),
              ResourceType: 'RDS',
            },
          ],
          NextToken: 'bj-2',
        },
        'bj-2': {
          $metadata: meta('bj-2'),
          BackupJobs: [
            {
              BackupJobId: 'bj-2',
              BackupVaultArn: vault,
              State: 'FAILED',
              StatusMessage: 'Snapshot quota',
              CreationDate: new Date('2026-01-03T03:00:00Z'),
              ResourceType: 'RDS',
            },
          ],
        },
      },
      input.NextToken,
    ),
  );
  backup.on(ListCopyJobsCommand).resolves({
    $metadata: meta('cj-1'),
    CopyJobs: [
      {
        CopyJobId: 'cj-1',
        State: 'COMPLETED',
        SourceBackupVaultArn: vault,
        DestinationBackupVaultArn: `arn:aws:backup:eu-central-1:${ACCOUNT}:backup-vault:citadel-prod-copy`,
        CreationDate: new Date('2026-01-02T05:00:00Z'),
      },
    ],
  });
  backup.on(ListRestoreJobsCommand).resolves({
    $metadata: meta('rj-1'),
    RestoreJobs: [
      {
        RestoreJobId: 'rj-1',
        Status: 'COMPLETED',
        CreationDate: new Date('2026-02-15T06:00:00Z'),
        ValidationStatus: 'SUCCESSFUL',
        CreatedBy: {
          RestoreTestingPlanArn: `arn:aws:backup:${REGION}:${ACCOUNT}:restore-testing-plan:citadel_prod-abc`,
        },
      },
    ],
  });
  backup.on(ListRestoreTestingPlansCommand).resolves({
    $metadata: meta('rtp-1'),
    RestoreTestingPlans: [
      {
        RestoreTestingPlanName: 'citadel_prod',
        RestoreTestingPlanArn: `arn:aws:backup:${REGION}:${ACCOUNT}:restore-testing-plan:citadel_prod-abc`,
        CreationTime: new Date('2025-11-01T00:00:00Z'),
        ScheduleExpression: 'cron(0 6 ? * SUN *)',
      },
    ],
  });

  const s3 = mockClient(S3Client);
  const objects: Record<string, string> = { ...RECORDS, ...REPORTS, ...options.objects };
  for (const key of options.deleted ?? []) delete objects[key];
  const keys = Object.keys(objects).sort();
  s3.on(ListObjectsV2Command).callsFake((input: { ContinuationToken?: string }) =>
    paged(
      {
        first: {
          $metadata: meta('s3-1'),
          IsTruncated: true,
          Contents: keys.slice(0, 2).map((Key) => ({
            Key,
            ETag: `"${Key.length}"`,
            Size: objects[Key]?.length,
            LastModified: new Date('2026-03-05T00:00:00Z'),
          })),
          NextContinuationToken: 's3-page-2',
          KeyCount: 2,
        },
        's3-page-2': {
          $metadata: meta('s3-2'),
          IsTruncated: false,
          Contents: keys.slice(2).map((Key) => ({
            Key,
            ETag: `"${Key.length}"`,
            Size: objects[Key]?.length,
            LastModified: new Date('2026-03-05T00:00:00Z'),
          })),
          KeyCount: keys.length - 2,
        },
      },
      input.ContinuationToken,
    ),
  );
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const body = objects[input.Key];
    if (body === undefined) {
      throw new NoSuchKey({
        message: 'The specified key does not exist.',
        $metadata: { ...meta(`get-${input.Key}`), httpStatusCode: 404 },
      });
    }
    return {
      $metadata: meta(`get-${input.Key}`),
      ETag: `"${input.Key.length}"`,
      LastModified: new Date('2026-03-05T00:00:00Z'),
      ContentType: input.Key.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'application/json',
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date('2033-03-05T00:00:00Z'),
      Body: streamBody(body),
    };
  });

  const cloudTrail = mockClient(CloudTrailClient);
  cloudTrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
    const name = input.LookupAttributes?.[0]?.AttributeValue ?? '';
    if (name === 'UpdateAssumeRolePolicy') {
      return paged(
        {
          first: {
            $metadata: meta('ct-1'),
            Events: [trailEvent(name, '2026-02-20T09:00:00Z', 'citadel-prod-deploy')],
            NextToken: 'ct-2',
          },
          'ct-2': {
            $metadata: meta('ct-2'),
            Events: [trailEvent(name, '2026-03-20T09:00:00Z', 'citadel-prod-deploy')],
          },
        },
        input.NextToken,
      );
    }
    return {
      $metadata: meta(`ct-${name}`),
      Events: name === 'CreateRole' ? [trailEvent(name, '2026-01-15T09:00:00Z', 'citadel-prod-task')] : [],
    };
  });

  return {
    sts,
    config,
    securityHub,
    backup,
    s3,
    cloudTrail,
    restore: () => [sts, config, securityHub, backup, s3, cloudTrail].forEach((mock) => mock.restore()),
  };
}

/** The error the Backup client throws for an unmodelled AccessDeniedException (HTTP 403). */
export function backupAccessDenied(action: string): BackupServiceException {
  return new BackupServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403, requestId: 'denied-1', attempts: 1, totalRetryDelay: 0 },
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/citadel-evidence-reader/evidence is not authorized to perform: ${action}`,
  });
}

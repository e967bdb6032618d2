import type { PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import {
  DescribeRestoreJobCommand,
  ListRestoreJobsCommand,
  type DescribeRestoreJobCommandOutput,
  type ListRestoreJobsCommandInput,
  type ListRestoreJobsCommandOutput,
  type RestoreJobsListMember,
  type PutRestoreValidationResultCommandInput,
  type PutRestoreValidationResultCommandOutput,
} from '@aws-sdk/client-backup';
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { RestoreJobs } from '../../src/restore-validation/validate-restore.js';
import type { StagedSecretsReader } from '../../src/restore-validation/restored-connection.js';

export const ACCOUNT = '123456789012';
export const PLAN_ARN = `arn:aws:backup:eu-west-1:${ACCOUNT}:restore-testing-plan:citadel_dev_database-8b4d2c1e-63a0-4f5e-9d7c-1a2b3c4d5e6f`;
export const OTHER_PLAN_ARN = `arn:aws:backup:eu-west-1:${ACCOUNT}:restore-testing-plan:citadel_qa_database-0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f`;
export const JOB_ID = '6C7C1E9A-2F3B-4D5E-8A9B-0C1D2E3F4A5B';
export const RESTORED_ARN = `arn:aws:rds:eu-west-1:${ACCOUNT}:db:awsbackup-restore-test-5e0f8a1b2c3d`;
export const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:citadel/dev/database/master-AbCdEf`;
export const SOURCE_HOST = 'citadel-dev-postgres.c9akciq32.eu-west-1.rds.amazonaws.com';

/**
 * A Restore Job State Change as AWS Backup sends it to EventBridge for a completed RDS
 * restore, field for field as in the State: COMPLETED example of AWS Backup's EventBridge
 * reference; which plan started the job is not in it.
 */
export function restoreJobEvent(detail: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: 'a8d9e7f6-5c4b-3a2d-1e0f-9a8b7c6d5e4f',
    'detail-type': 'Restore Job State Change',
    source: 'aws.backup',
    account: ACCOUNT,
    time: '2026-11-29T05:42:10Z',
    region: 'eu-west-1',
    resources: [`arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:awsbackup:job-0a1b2c3d`],
    detail: {
      restoreJobId: JOB_ID,
      backupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:citadel-dev-database`,
      recoveryPointArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:awsbackup:job-0a1b2c3d`,
      sourceResourceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:citadel-dev-postgres`,
      backupSizeInBytes: '0',
      creationDate: '2026-11-29T05:00:00.742Z',
      iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/citadel-dev-restore-testing`,
      percentDone: 0,
      resourceType: 'RDS',
      status: 'COMPLETED',
      createdResourceArn: RESTORED_ARN,
      completionDate: '2026-11-29T05:41:30.128Z',
      ...detail,
    },
  };
}

/** DescribeRestoreJob's answer for a completed restore test of the plan. */
export function describedJob(
  overrides: Partial<DescribeRestoreJobCommandOutput> = {},
): DescribeRestoreJobCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    AccountId: ACCOUNT,
    RestoreJobId: JOB_ID,
    RecoveryPointArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:awsbackup:job-0a1b2c3d`,
    SourceResourceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:citadel-dev-postgres`,
    BackupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:citadel-dev-database`,
    CreationDate: new Date('2026-11-29T05:00:00Z'),
    CompletionDate: new Date('2026-11-29T05:41:30Z'),
    Status: 'COMPLETED',
    PercentDone: '100.00%',
    BackupSizeInBytes: 21474836480,
    IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/citadel-dev-restore-testing`,
    CreatedResourceArn: RESTORED_ARN,
    ResourceType: 'RDS',
    RecoveryPointCreationDate: new Date('2026-11-29T03:31:07Z'),
    CreatedBy: { RestoreTestingPlanArn: PLAN_ARN },
    ValidationStatus: 'VALIDATING',
    ...overrides,
  };
}

/**
 * AWS Backup at the API boundary: one restore job to describe, every validation result put,
 * and ListRestoreJobs answering from `listed` a page of `pageSize` at a time, filtered by
 * plan, status and completion time as AWS Backup filters.
 */
export class FakeBackup implements RestoreJobs {
  readonly calls: string[] = [];
  readonly results: PutRestoreValidationResultCommandInput[] = [];
  readonly listRequests: ListRestoreJobsCommandInput[] = [];

  constructor(
    private readonly job: DescribeRestoreJobCommandOutput = describedJob(),
    private readonly listed: readonly RestoreJobsListMember[] = [],
    private readonly pageSize = 2,
  ) {}

  send(command: DescribeRestoreJobCommand): Promise<DescribeRestoreJobCommandOutput>;
  send(command: PutRestoreValidationResultCommand): Promise<PutRestoreValidationResultCommandOutput>;
  send(command: ListRestoreJobsCommand): Promise<ListRestoreJobsCommandOutput>;
  async send(
    command: DescribeRestoreJobCommand | PutRestoreValidationResultCommand | ListRestoreJobsCommand,
  ): Promise<
    DescribeRestoreJobCommandOutput | PutRestoreValidationResultCommandOutput | ListRestoreJobsCommandOutput
  > {
    this.calls.push(command.constructor.name.replace(/Command$/, ''));
    if (command instanceof ListRestoreJobsCommand) {
      const input = command.input;
      this.listRequests.push(input);
      const matching = this.listed.filter(
        (job) =>
          (!input.ByRestoreTestingPlanArn ||
            job.CreatedBy?.RestoreTestingPlanArn === input.ByRestoreTestingPlanArn) &&
          (!input.ByStatus || job.Status === input.ByStatus) &&
          (!input.ByCompleteAfter || (job.CompletionDate ?? new Date(0)) > input.ByCompleteAfter),
      );
      const start = Number(input.NextToken ?? 0);
      const end = start + this.pageSize;
      return {
        $metadata: { httpStatusCode: 200 },
        RestoreJobs: matching.slice(start, end),
        ...(end < matching.length ? { NextToken: String(end) } : {}),
      };
    }
    if (command.input.RestoreJobId !== this.job.RestoreJobId) {
      throw Object.assign(new Error('Restore job not found'), { name: 'ResourceNotFoundException' });
    }
    if (command instanceof DescribeRestoreJobCommand) return this.job;
    this.results.push(command.input);
    return { $metadata: { httpStatusCode: 204 } };
  }
}

/** One entry of ListRestoreJobs for a drill of the plan that completed at `completedAt`. */
export function listedJob(
  completedAt: string,
  overrides: Partial<RestoreJobsListMember> = {},
): RestoreJobsListMember {
  const completion = new Date(completedAt);
  return {
    AccountId: ACCOUNT,
    RestoreJobId: `JOB-${completedAt.replace(/[^0-9]/g, '')}`,
    RecoveryPointArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:awsbackup:job-0a1b2c3d`,
    SourceResourceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:citadel-dev-postgres`,
    BackupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:citadel-dev-database`,
    CreationDate: new Date(completion.getTime() - 40 * 60_000),
    CompletionDate: completion,
    Status: 'COMPLETED',
    PercentDone: '100.00%',
    BackupSizeInBytes: 21474836480,
    IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/citadel-dev-restore-testing`,
    CreatedResourceArn: RESTORED_ARN,
    ResourceType: 'RDS',
    CreatedBy: { RestoreTestingPlanArn: PLAN_ARN },
    ValidationStatus: 'SUCCESSFUL',
    ValidationStatusMessage: 'restored in 40 min (RTO 240 min)',
    DeletionStatus: 'SUCCESSFUL',
    ...overrides,
  };
}

/** Secrets Manager at the API boundary, by version stage; a stage left out does not exist. */
export class FakeStagedSecrets implements StagedSecretsReader {
  readonly requested: string[] = [];

  constructor(private readonly stages: Readonly<Record<string, string>>) {}

  async send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> {
    const stage = command.input.VersionStage ?? 'AWSCURRENT';
    this.requested.push(stage);
    const value = command.input.SecretId === SECRET_ARN ? this.stages[stage] : undefined;
    if (value === undefined) {
      throw Object.assign(
        new Error("Secrets Manager can't find the specified secret value for staging label"),
        {
          name: 'ResourceNotFoundException',
        },
      );
    }
    return {
      $metadata: { httpStatusCode: 200 },
      ARN: SECRET_ARN,
      SecretString: value,
      VersionStages: [stage],
    };
  }
}

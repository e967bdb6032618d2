import type { BackupClient } from '@aws-sdk/client-backup';
import {
  ListBackupJobsCommand,
  ListCopyJobsCommand,
  ListRestoreJobsCommand,
  ListRestoreTestingPlansCommand,
  type BackupJob,
  type CopyJob,
  type ListBackupJobsCommandOutput,
  type ListCopyJobsCommandOutput,
  type ListRestoreJobsCommandOutput,
  type ListRestoreTestingPlansCommandOutput,
  type RestoreJobsListMember,
} from '@aws-sdk/client-backup';
import type { EvidencePeriod } from '../period.js';
import { NEXT_TOKEN, itemsOf, recordPages, type RecordedCall } from '../recorded-call.js';

export interface BackupEvidence {
  readonly region: string;
  readonly backupJobs: RecordedCall<object, ListBackupJobsCommandOutput>;
  readonly copyJobs: RecordedCall<object, ListCopyJobsCommandOutput>;
  readonly restoreJobs: RecordedCall<object, ListRestoreJobsCommandOutput>;
  readonly restoreTestingPlans: RecordedCall<object, ListRestoreTestingPlansCommandOutput>;
}

/** Backup, copy and restore jobs created in the period; restore jobs carry the restore tests' validation status. */
export async function collectBackupJobs(
  client: BackupClient,
  region: string,
  period: EvidencePeriod,
): Promise<BackupEvidence> {
  const at = (operation: string, action = operation) => ({
    call: `Backup.${operation}`,
    action: `backup:${action}`,
    region,
  });
  const window = { ByCreatedAfter: period.start, ByCreatedBefore: period.end, MaxResults: 1000 };
  const backupJobs = await recordPages(
    at('ListBackupJobs'),
    window,
    (r) => client.send(new ListBackupJobsCommand(r)),
    NEXT_TOKEN,
  );
  const copyJobs = await recordPages(
    at('ListCopyJobs'),
    window,
    (r) => client.send(new ListCopyJobsCommand(r)),
    NEXT_TOKEN,
  );
  const restoreJobs = await recordPages(
    at('ListRestoreJobs'),
    window,
    (r) => client.send(new ListRestoreJobsCommand(r)),
    NEXT_TOKEN,
  );
  const restoreTestingPlans = await recordPages(
    at('ListRestoreTestingPlans'),
    { MaxResults: 1000 },
    (r) => client.send(new ListRestoreTestingPlansCommand(r)),
    NEXT_TOKEN,
  );
  return { region, backupJobs, copyJobs, restoreJobs, restoreTestingPlans };
}

/** Counts by state for the summary. */
export function backupCounts(evidence: BackupEvidence): Record<string, Record<string, number>> {
  const count = (states: readonly (string | undefined)[]) =>
    states.reduce<Record<string, number>>((counts, state) => {
      const key = state ?? 'UNKNOWN';
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {});
  const restores = itemsOf(evidence.restoreJobs, (page) => page.RestoreJobs);
  return {
    backup: count(itemsOf(evidence.backupJobs, (page) => page.BackupJobs).map((job: BackupJob) => job.State)),
    copy: count(itemsOf(evidence.copyJobs, (page) => page.CopyJobs).map((job: CopyJob) => job.State)),
    restore: count(restores.map((job: RestoreJobsListMember) => job.Status)),
    restoreTestValidation: count(
      restores
        .filter((job) => job.CreatedBy?.RestoreTestingPlanArn)
        .map((job) => job.ValidationStatus ?? 'NOT_VALIDATED'),
    ),
  };
}

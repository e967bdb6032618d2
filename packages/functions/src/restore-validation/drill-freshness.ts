import { ListRestoreJobsCommand, type ListRestoreJobsCommandOutput } from '@aws-sdk/client-backup';

/** Name of the metric the daily check emits: days since a drill of the plan last passed validation. */
export const DAYS_SINCE_SUCCESSFUL_DRILL = 'DaysSinceSuccessfulDrill';

/** How far back the check looks, in days: longer than the longest drill schedule (31 days) plus a day's grace. */
export const FRESHNESS_LOOKBACK_DAYS = 62;

/** Pages of ListRestoreJobs read at most; a plan makes one job per drill, so a few suffice. */
const MAX_PAGES = 20;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The ListRestoreJobs call the daily check makes; `BackupClient` satisfies it. */
export interface RestoreJobLister {
  send(command: ListRestoreJobsCommand): Promise<ListRestoreJobsCommandOutput>;
}

/** What the daily check found: the newest drill that passed validation, and how long ago. */
export interface DrillFreshness {
  readonly environment: string;
  readonly checkedAt: string;
  readonly lastSuccessfulJobId: string | null;
  readonly lastSuccessfulAt: string | null;
  /** Days (two decimals) since that drill completed; the lookback when none passed within it. */
  readonly daysSinceSuccessfulDrill: number;
}

/**
 * Reads the plan's completed restore jobs of the lookback window from AWS Backup and finds
 * the newest whose validation this function reported SUCCESSFUL. AWS Backup is the record:
 * a drill counts only once its validation result is stored there.
 */
export async function drillFreshness(
  backup: RestoreJobLister,
  planArn: string,
  environment: string,
  now: Date,
): Promise<DrillFreshness> {
  let newest: { id: string; at: Date } | undefined;
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await backup.send(
      new ListRestoreJobsCommand({
        ByRestoreTestingPlanArn: planArn,
        ByStatus: 'COMPLETED',
        ByCompleteAfter: new Date(now.getTime() - FRESHNESS_LOOKBACK_DAYS * DAY_MS),
        NextToken: nextToken,
      }),
    );
    for (const job of page.RestoreJobs ?? []) {
      // The filter is AWS Backup's; the plan is checked again so a job of another plan never counts.
      if (job.CreatedBy?.RestoreTestingPlanArn !== planArn) continue;
      if (job.ValidationStatus !== 'SUCCESSFUL' || !job.CompletionDate || !job.RestoreJobId) continue;
      if (!newest || job.CompletionDate > newest.at)
        newest = { id: job.RestoreJobId, at: job.CompletionDate };
    }
    nextToken = page.NextToken;
    pages += 1;
  } while (nextToken && pages < MAX_PAGES);
  const days = newest ? Math.max(0, (now.getTime() - newest.at.getTime()) / DAY_MS) : FRESHNESS_LOOKBACK_DAYS;
  return {
    environment,
    checkedAt: now.toISOString(),
    lastSuccessfulJobId: newest?.id ?? null,
    lastSuccessfulAt: newest?.at.toISOString() ?? null,
    daysSinceSuccessfulDrill: Math.round(days * 100) / 100,
  };
}

/**
 * The check as one CloudWatch embedded-metric-format line: `DaysSinceSuccessfulDrill` in
 * the environment's namespace with the `Environment` dimension the drill alarm reads.
 */
export function freshnessMetricRecord(
  freshness: DrillFreshness,
  namespace: string,
  timestamp = Date.now(),
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Environment']],
          Metrics: [{ Name: DAYS_SINCE_SUCCESSFUL_DRILL, Unit: 'None' }],
        },
      ],
    },
    Environment: freshness.environment,
    [DAYS_SINCE_SUCCESSFUL_DRILL]: freshness.daysSinceSuccessfulDrill,
    evidence: 'restore-drill-freshness',
    ...freshness,
  };
}

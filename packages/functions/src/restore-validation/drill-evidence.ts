import type { DescribeRestoreJobCommandOutput } from '@aws-sdk/client-backup';
import type { DatabaseCheck } from './database-checks.js';
import type { RestoreValidationSettings } from './settings.js';

/** One restore drill's record: what the logs keep and the metrics the alarms read. */
export interface DrillEvidence {
  readonly environment: string;
  readonly restoreJobId: string;
  readonly recoveryPointArn: string | null;
  readonly recoveryPointCreationDate: string | null;
  readonly restoreStartedAt: string | null;
  readonly restoreCompletedAt: string | null;
  /** CreationDate → CompletionDate of the restore job, in whole minutes rounded up; null when AWS Backup gave no dates. */
  readonly restoreMinutes: number | null;
  readonly rtoMinutes: number;
  readonly withinRto: boolean;
  readonly passed: boolean;
  readonly problems: readonly string[];
  readonly appliedMigration: string | null;
  readonly expectedMigration: string | null;
  readonly rowCounts: Readonly<Record<string, number>>;
}

/** Names of the metrics each drill emits. */
export const DRILL_METRICS = {
  restoreMinutes: 'RestoreDurationMinutes',
  failed: 'RestoreValidationFailed',
} as const;

export function drillEvidence({
  described,
  check,
  problems,
  settings,
}: {
  readonly described: DescribeRestoreJobCommandOutput;
  readonly check: DatabaseCheck | undefined;
  readonly problems: readonly string[];
  readonly settings: RestoreValidationSettings;
}): DrillEvidence {
  const started = described.CreationDate;
  const completed = described.CompletionDate;
  const restoreMinutes =
    started && completed ? Math.ceil((completed.getTime() - started.getTime()) / 60_000) : null;
  return {
    environment: settings.environmentName,
    restoreJobId: described.RestoreJobId ?? '',
    recoveryPointArn: described.RecoveryPointArn ?? null,
    recoveryPointCreationDate: described.RecoveryPointCreationDate?.toISOString() ?? null,
    restoreStartedAt: started?.toISOString() ?? null,
    restoreCompletedAt: completed?.toISOString() ?? null,
    restoreMinutes,
    rtoMinutes: settings.rtoMinutes,
    withinRto: restoreMinutes !== null && restoreMinutes <= settings.rtoMinutes,
    passed: problems.length === 0,
    problems,
    appliedMigration: check?.appliedMigration ?? null,
    expectedMigration: check?.expectedMigration ?? null,
    rowCounts: { ...check?.rowCounts },
  };
}

/**
 * The evidence as one CloudWatch embedded-metric-format line: CloudWatch Logs keeps the
 * record and turns `RestoreDurationMinutes` and `RestoreValidationFailed` into metrics in
 * the environment's namespace, with the `Environment` dimension the alarms read.
 */
export function embeddedMetricRecord(
  evidence: DrillEvidence,
  namespace: string,
  timestamp = Date.now(),
): Record<string, unknown> {
  const metrics: { Name: string; Unit: string }[] = [{ Name: DRILL_METRICS.failed, Unit: 'Count' }];
  if (evidence.restoreMinutes !== null) metrics.push({ Name: DRILL_METRICS.restoreMinutes, Unit: 'None' });
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Environment']], Metrics: metrics }],
    },
    Environment: evidence.environment,
    [DRILL_METRICS.failed]: evidence.passed ? 0 : 1,
    ...(evidence.restoreMinutes !== null ? { [DRILL_METRICS.restoreMinutes]: evidence.restoreMinutes } : {}),
    evidence: 'restore-drill',
    ...evidence,
  };
}

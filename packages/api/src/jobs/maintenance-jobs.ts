import {
  OUTBOX_ROLE,
  RETENTION_ROLE,
  purgeExpiredIdempotencyKeys,
  resendStalePendingPayments,
  type ConnectionSource,
  type JobName,
  type OutboxResult,
  type RetentionResult,
  type SendPayments,
} from '@citadel/db';

export type JobResult = RetentionResult | OutboxResult;

export interface MaintenanceJob {
  /** The database role the job signs in as, unless DB_USER says otherwise. */
  readonly role: string;
  /** The job needs a payment queue to send to. */
  readonly needsQueue: boolean;
  run(database: ConnectionSource, send: SendPayments): Promise<JobResult>;
}

/** Every job `node jobs.mjs <job-name>` and local mode can run, by name. */
export const MAINTENANCE_JOBS: Readonly<Record<JobName, MaintenanceJob>> = {
  'idempotency-retention': {
    role: RETENTION_ROLE,
    needsQueue: false,
    run: (database) => purgeExpiredIdempotencyKeys(database),
  },
  'payment-outbox': {
    role: OUTBOX_ROLE,
    needsQueue: true,
    run: (database, send) => resendStalePendingPayments(database, send),
  },
};

export const JOB_NAMES = Object.keys(MAINTENANCE_JOBS) as JobName[];

export function isJobName(name: string | undefined): name is JobName {
  return name !== undefined && Object.hasOwn(MAINTENANCE_JOBS, name);
}

/**
 * What a run's log line carries: counts, the cut-off and the run id (which is also the
 * audit row's request id). No payment ids, keys or principals.
 */
export function runSummary(result: JobResult): Record<string, unknown> {
  if (result.skipped) return { job: result.job, outcome: 'skipped' };
  const { job, skipped: _skipped, ...counts } = result;
  return { job, outcome: 'success', ...counts };
}

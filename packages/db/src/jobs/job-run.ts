import type pg from 'pg';

/** Where a job gets its one connection: a pool, or in tests a source that hands out a prepared client. */
export type ConnectionSource = Pick<pg.Pool, 'connect'>;

/**
 * First key of the two-key advisory locks the jobs take. Two-key locks never collide with
 * the single-key lock the migrator takes, and advisory locks are per database.
 */
const JOB_LOCK_CLASS = 0x43495444; // 'CITD'

/** Second key of each job's advisory lock: one run of a job at a time per database. */
export const JOB_LOCK_IDS = {
  'idempotency-retention': 1,
  'payment-outbox': 2,
} as const;

export type JobName = keyof typeof JOB_LOCK_IDS;

export interface JobRunSummary {
  /** Stored in `resource_id`: counts and the cut-off, never a patient's data. */
  readonly summary: string;
  /** `success` when the run finished, `failed` when it stopped on an error after doing part of its work. */
  readonly outcome: 'success' | 'failed';
}

/**
 * Runs `work` on one connection while holding the job's session advisory lock. A second
 * run started meanwhile (an overlapping schedule, a manual run) does not wait or fail: it
 * returns `null` at once and touches nothing. The lock is released with the connection.
 */
export async function runExclusively<T>(
  source: ConnectionSource,
  job: JobName,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T | null> {
  const client = await source.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      [JOB_LOCK_CLASS, JOB_LOCK_IDS[job]],
    );
    if (!rows[0]?.locked) return null;
    try {
      return await work(client);
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [JOB_LOCK_CLASS, JOB_LOCK_IDS[job]])
        .catch((error: unknown) => {
          // A connection that cannot unlock may still hold the lock: it is closed, not reused.
          broken = error instanceof Error ? error : new Error(String(error));
        });
    }
  } finally {
    client.release(broken);
  }
}

/** The one audit row a run writes, as the job's own role, with the run id as its request id. */
export async function recordJobRun(
  client: Pick<pg.PoolClient, 'query'>,
  run: {
    readonly subject: string;
    readonly action: string;
    readonly resourceType: string;
    readonly runId: string;
  } & JobRunSummary,
): Promise<void> {
  await client.query(
    `INSERT INTO audit_events (subject, action, resource_type, resource_id, request_id, outcome)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [run.subject, run.action, run.resourceType, run.summary, run.runId, run.outcome],
  );
}

/** Throws a RangeError naming the option when `value` is not an integer in [min, max]. */
export function checkedInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}; received ${String(value)}`);
  }
  return value;
}

/** A timestamp as PostgreSQL text in UTC with microseconds, so it round-trips exactly as a parameter. */
export const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

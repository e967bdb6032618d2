import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  checkedInteger,
  recordJobRun,
  runExclusively,
  UTC_MICROS,
  type ConnectionSource,
} from './job-run.js';

/**
 * How long an idempotency record is replayed to a retry of the same key. After this the
 * API treats the key as new (a new payment), and the retention job deletes the record.
 */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

/** Rows per DELETE statement: each statement holds its row locks only briefly. */
export const RETENTION_BATCH_SIZE = 1_000;

/** Rows one run deletes at most; a larger backlog is finished by the next runs. */
export const RETENTION_MAX_ROWS_PER_RUN = 100_000;

export const RETENTION_AUDIT_SUBJECT = 'idempotency-retention';

export interface RetentionOptions {
  /** @default RETENTION_BATCH_SIZE */
  readonly batchSize?: number;
  /** @default RETENTION_MAX_ROWS_PER_RUN */
  readonly maxRowsPerRun?: number;
}

export type RetentionResult =
  | {
      readonly job: 'idempotency-retention';
      /** Another run held the job's lock; this one did nothing. */
      readonly skipped: true;
    }
  | {
      readonly job: 'idempotency-retention';
      readonly skipped: false;
      readonly runId: string;
      readonly deleted: number;
      readonly statements: number;
      /** Records created at or before this instant (database clock, UTC) were expired. */
      readonly cutoff: string;
      /** False when the run stopped at `maxRowsPerRun` with expired records possibly left. */
      readonly complete: boolean;
    };

/**
 * Deletes idempotency records older than the window, oldest first, in statements of
 * `batchSize` rows, until none is left or `maxRowsPerRun` rows are gone, and writes one
 * audit row (`purge` on `idempotency_key`) summarising the run. The cut-off is taken once,
 * from the database's clock, so the job host's clock does not matter and records written
 * during the run are never in scope. Runs as `citadel_retention`.
 */
export async function purgeExpiredIdempotencyKeys(
  source: ConnectionSource,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const batchSize = checkedInteger('batchSize', options.batchSize ?? RETENTION_BATCH_SIZE, 1, 10_000);
  const maxRowsPerRun = checkedInteger(
    'maxRowsPerRun',
    options.maxRowsPerRun ?? RETENTION_MAX_ROWS_PER_RUN,
    1,
    10_000_000,
  );
  const run = await runExclusively(source, 'idempotency-retention', (client) =>
    purge(client, batchSize, maxRowsPerRun),
  );
  return run ?? { job: 'idempotency-retention', skipped: true };
}

async function purge(
  client: pg.PoolClient,
  batchSize: number,
  maxRowsPerRun: number,
): Promise<RetentionResult> {
  const runId = randomUUID();
  const { rows } = await client.query<{ cutoff: string }>(
    `SELECT to_char((now() - make_interval(hours => $1)) AT TIME ZONE 'UTC', ${UTC_MICROS}) AS cutoff`,
    [IDEMPOTENCY_WINDOW_HOURS],
  );
  const cutoff = (rows[0] as { cutoff: string }).cutoff;
  let deleted = 0;
  let statements = 0;
  let complete = false;
  const audit = (outcome: 'success' | 'failed') =>
    recordJobRun(client, {
      subject: RETENTION_AUDIT_SUBJECT,
      action: 'purge',
      resourceType: 'idempotency_key',
      runId,
      outcome,
      summary: `deleted ${deleted} created at or before ${cutoff}`,
    });
  try {
    while (deleted < maxRowsPerRun) {
      const limit = Math.min(batchSize, maxRowsPerRun - deleted);
      // The outer created_at test is re-checked on a row changed since the snapshot, so a key
      // the API has just reused (created_at renewed) is not deleted.
      const result = await client.query(
        `DELETE FROM idempotency_keys
          WHERE (principal, key) IN (
                  SELECT principal, key FROM idempotency_keys
                   WHERE created_at <= $1::timestamptz
                   ORDER BY created_at
                   LIMIT $2)
            AND created_at <= $1::timestamptz`,
        [cutoff, limit],
      );
      statements += 1;
      deleted += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < limit) {
        complete = true;
        break;
      }
    }
  } catch (error) {
    await audit('failed').catch(() => undefined);
    throw error;
  }
  await audit('success');
  return { job: 'idempotency-retention', skipped: false, runId, deleted, statements, cutoff, complete };
}

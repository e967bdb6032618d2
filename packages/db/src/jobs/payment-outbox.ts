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
 * A payment still `pending` this long after it was created is sent to the queue again: its
 * first message was most likely never sent. Well above the time a queued payment takes to settle.
 */
export const OUTBOX_RESEND_AFTER_MINUTES = 5;

/** Payment ids read, and handed to `send`, per page. */
export const OUTBOX_PAGE_SIZE = 100;

/** Payments one run sends at most; a larger backlog is finished by the next runs. */
export const OUTBOX_MAX_PAYMENTS_PER_RUN = 10_000;

export const OUTBOX_AUDIT_SUBJECT = 'payment-outbox';

/**
 * Hands payment ids to the payment queue. Throwing stops the run; the payments stay pending
 * and the next run sends them again. Sending an id twice is harmless: the processor
 * changes only a payment that is still pending.
 */
export type SendPayments = (paymentIds: readonly string[]) => Promise<void>;

export interface OutboxOptions {
  /** @default OUTBOX_PAGE_SIZE */
  readonly pageSize?: number;
  /** @default OUTBOX_MAX_PAYMENTS_PER_RUN */
  readonly maxPaymentsPerRun?: number;
}

export type OutboxResult =
  | {
      readonly job: 'payment-outbox';
      /** Another run held the job's lock; this one did nothing. */
      readonly skipped: true;
    }
  | {
      readonly job: 'payment-outbox';
      readonly skipped: false;
      readonly runId: string;
      readonly sent: number;
      readonly pages: number;
      /** Payments pending and created at or before this instant (database clock, UTC) were sent. */
      readonly cutoff: string;
      /** False when the run stopped at `maxPaymentsPerRun` with stale payments possibly left. */
      readonly complete: boolean;
    };

interface PendingRow {
  id: string;
  createdAt: string;
}

/**
 * Sends every payment still `pending` and older than the threshold to the queue again, in
 * pages ordered by creation time, and writes one audit row (`resend` on `payment`)
 * summarising the run. The cut-off is taken once from the database's clock; payments
 * created during the run are out of scope, and one settled meanwhile is skipped by the
 * processor. Runs as `citadel_outbox`, which reads only a payment's id, status and age.
 */
export async function resendStalePendingPayments(
  source: ConnectionSource,
  send: SendPayments,
  options: OutboxOptions = {},
): Promise<OutboxResult> {
  const pageSize = checkedInteger('pageSize', options.pageSize ?? OUTBOX_PAGE_SIZE, 1, 1_000);
  const maxPaymentsPerRun = checkedInteger(
    'maxPaymentsPerRun',
    options.maxPaymentsPerRun ?? OUTBOX_MAX_PAYMENTS_PER_RUN,
    1,
    1_000_000,
  );
  const run = await runExclusively(source, 'payment-outbox', (client) =>
    resend(client, send, pageSize, maxPaymentsPerRun),
  );
  return run ?? { job: 'payment-outbox', skipped: true };
}

async function resend(
  client: pg.PoolClient,
  send: SendPayments,
  pageSize: number,
  maxPaymentsPerRun: number,
): Promise<OutboxResult> {
  const runId = randomUUID();
  const { rows } = await client.query<{ cutoff: string }>(
    `SELECT to_char((now() - make_interval(mins => $1)) AT TIME ZONE 'UTC', ${UTC_MICROS}) AS cutoff`,
    [OUTBOX_RESEND_AFTER_MINUTES],
  );
  const cutoff = (rows[0] as { cutoff: string }).cutoff;
  let sent = 0;
  let pages = 0;
  let complete = false;
  let after: PendingRow | null = null;
  const audit = (outcome: 'success' | 'failed') =>
    recordJobRun(client, {
      subject: OUTBOX_AUDIT_SUBJECT,
      action: 'resend',
      resourceType: 'payment',
      runId,
      outcome,
      summary: `sent ${sent} pending created at or before ${cutoff}`,
    });
  try {
    while (sent < maxPaymentsPerRun) {
      const limit = Math.min(pageSize, maxPaymentsPerRun - sent);
      const page: pg.QueryResult<PendingRow> = await client.query<PendingRow>(
        `SELECT id, to_char(created_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS "createdAt"
           FROM payments
          WHERE status = 'pending'
            AND created_at <= $1::timestamptz
            AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
          ORDER BY created_at, id
          LIMIT $4`,
        [cutoff, after?.createdAt ?? null, after?.id ?? null, limit],
      );
      pages += 1;
      if (page.rows.length > 0) {
        await send(page.rows.map((row) => row.id));
        sent += page.rows.length;
        after = page.rows.at(-1) ?? null;
      }
      if (page.rows.length < limit) {
        complete = true;
        break;
      }
    }
  } catch (error) {
    await audit('failed').catch(() => undefined);
    throw error;
  }
  await audit('success');
  return { job: 'payment-outbox', skipped: false, runId, sent, pages, cutoff, complete };
}

import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  OUTBOX_AUDIT_SUBJECT,
  OUTBOX_RESEND_AFTER_MINUTES,
  OUTBOX_ROLE,
  processPayment,
  resendStalePendingPayments,
  simulatedGateway,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { insertPendingPayment, paymentState } from '../payments/fixtures.js';
import { insertAgedPendingPayment, jobAuditRows, transactionAsRole, withHookAfter } from './fixtures.js';

const STALE = OUTBOX_RESEND_AFTER_MINUTES + 1;

describe('resendStalePendingPayments', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let outbox: pg.Pool;
  let processor: pg.Pool;

  /** Collects every id handed to the queue, page by page. */
  function recordingQueue(): { pages: string[][]; send: (ids: readonly string[]) => Promise<void> } {
    const pages: string[][] = [];
    return { pages, send: async (ids) => void pages.push([...ids]) };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 4 });
    outbox = new pg.Pool({ connectionString: database.outboxUrl, max: 4 });
    processor = new pg.Pool({ connectionString: database.processorUrl, max: 4 });
  });
  beforeEach(async () => {
    // Earlier tests' payments are moved out of scope: failed, as the processor would.
    await admin.query(
      `UPDATE payments SET status = 'failed', failure_reason = 'test', processed_at = now() WHERE status = 'pending'`,
    );
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await Promise.all([admin.end(), outbox.end(), processor.end()]);
    await database.drop();
  });

  it.each([
    ['a page size of 0', { pageSize: 0 }],
    ['a page size above 1,000', { pageSize: 1_001 }],
    ['a fractional page size', { pageSize: 2.5 }],
    ['a run limit that is not a number', { maxPaymentsPerRun: Number.NaN }],
    ['a negative run limit', { maxPaymentsPerRun: -5 }],
  ])('fails when given %s, before touching the database', async (_case, options) => {
    // Prepare
    const connect = vi.fn();
    const queue = recordingQueue();

    // Act
    const act = resendStalePendingPayments({ connect }, queue.send, options);

    // Assess
    await expect(act).rejects.toThrow(RangeError);
    expect(connect).not.toHaveBeenCalled();
  });

  it('sends pending payments older than the threshold, and no fresh, settled or failed ones, as citadel_outbox', async () => {
    // Prepare
    const stale = await insertAgedPendingPayment(admin, STALE);
    await insertAgedPendingPayment(admin, OUTBOX_RESEND_AFTER_MINUTES - 1);
    const settled = await insertAgedPendingPayment(admin, STALE);
    await processPayment(processor, settled, simulatedGateway);
    const queue = recordingQueue();

    // Act
    const result = await resendStalePendingPayments(outbox, queue.send);

    // Assess
    expect(result).toMatchObject({ skipped: false, sent: 1, complete: true });
    expect(queue.pages).toEqual([[stale]]);
  });

  it('writes one audit row per run that says how many payments it sent and up to when', async () => {
    // Prepare
    const before = (await jobAuditRows(admin, OUTBOX_AUDIT_SUBJECT)).length;
    for (let i = 0; i < 3; i += 1) await insertAgedPendingPayment(admin, STALE);

    // Act
    const result = await resendStalePendingPayments(outbox, recordingQueue().send, { pageSize: 2 });

    // Assess
    if (result.skipped) throw new Error('the run was skipped');
    expect((await jobAuditRows(admin, OUTBOX_AUDIT_SUBJECT)).slice(before)).toEqual([
      {
        action: 'resend',
        resource_type: 'payment',
        resource_id: `sent 3 pending created at or before ${result.cutoff}`,
        request_id: result.runId,
        outcome: 'success',
      },
    ]);
  });

  it('sends nothing, and never calls the queue, when no payment is stale', async () => {
    // Prepare
    const send = vi.fn(async () => undefined);

    // Act
    const result = await resendStalePendingPayments(outbox, send);

    // Assess
    expect(result).toMatchObject({ skipped: false, sent: 0, pages: 1, complete: true });
    expect(send).not.toHaveBeenCalled();
  });

  it('pages through more payments than one page holds, oldest first, each once', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push(await insertAgedPendingPayment(admin, STALE + 10 - i));
    const queue = recordingQueue();

    // Act
    const result = await resendStalePendingPayments(outbox, queue.send, { pageSize: 3 });

    // Assess
    expect(result).toMatchObject({ sent: 10, pages: 4, complete: true });
    expect(queue.pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(queue.pages.flat()).toEqual(ids);
  });

  it('pages correctly through payments created in the same microsecond', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) ids.push(await insertPendingPayment(admin));
    await admin.query(
      `UPDATE payments SET created_at = date_trunc('second', now()) - interval '1 hour' WHERE id = ANY($1)`,
      [ids],
    );
    const queue = recordingQueue();

    // Act
    const result = await resendStalePendingPayments(outbox, queue.send, { pageSize: 2 });

    // Assess
    expect(result).toMatchObject({ sent: 7, complete: true });
    expect([...queue.pages.flat()].sort()).toEqual([...ids].sort());
  });

  it('stops at the run limit and says the backlog is not done', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) ids.push(await insertAgedPendingPayment(admin, STALE + 10 - i));
    const queue = recordingQueue();

    // Act
    const result = await resendStalePendingPayments(outbox, queue.send, {
      pageSize: 3,
      maxPaymentsPerRun: 5,
    });

    // Assess
    expect(result).toMatchObject({ sent: 5, complete: false });
    expect(queue.pages.flat()).toEqual(ids.slice(0, 5));
  });

  it.each([
    ['exactly at the threshold', '0 seconds', 'sent'],
    ['one microsecond younger than the threshold', '-1 microsecond', 'left alone'],
    ['one microsecond older than the threshold', '1 microsecond', 'sent'],
  ])('a payment %s is %s', async (_case, pastThreshold, fate) => {
    // Prepare: in one transaction now() is fixed, so the payment sits exactly where stated.
    let paymentId = '';
    const run = await transactionAsRole(database.adminUrl, OUTBOX_ROLE, async (client) => {
      paymentId = await insertPendingPayment(client as unknown as pg.Pool);
      await client.query(
        `UPDATE payments SET created_at = now() - make_interval(mins => $2) - $3::interval WHERE id = $1`,
        [paymentId, OUTBOX_RESEND_AFTER_MINUTES, pastThreshold],
      );
    });
    const queue = recordingQueue();

    try {
      // Act
      await resendStalePendingPayments(run.source, queue.send);

      // Assess
      expect(queue.pages.flat()).toEqual(fate === 'sent' ? [paymentId] : []);
    } finally {
      await run.finish();
    }
  });

  it('takes its cut-off from the database clock, not from the clock of the host it runs on', async () => {
    // Prepare: the job host's clock runs a day ahead.
    await insertPendingPayment(admin);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(Date.now() + 24 * 3600 * 1000));
    const queue = recordingQueue();

    // Act
    const result = await resendStalePendingPayments(outbox, queue.send);

    // Assess
    expect(result).toMatchObject({ sent: 0 });
    expect(queue.pages).toEqual([]);
  });

  it('leaves alone a payment created during the run, and one settled during the run', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push(await insertAgedPendingPayment(admin, STALE + 10 - i));
    const queue = recordingQueue();
    let createdDuringRun = '';
    const source = withHookAfter(outbox, /FROM payments/, async () => {
      createdDuringRun = await insertPendingPayment(admin);
      await processPayment(processor, ids[3] as string, simulatedGateway);
    });

    // Act
    const result = await resendStalePendingPayments(source, queue.send, { pageSize: 2 });

    // Assess
    expect(result).toMatchObject({ sent: 3, complete: true });
    expect(queue.pages.flat()).toEqual(ids.slice(0, 3));
    expect(queue.pages.flat()).not.toContain(createdDuringRun);
  });

  it('fails when the queue refuses, records the failed run, and leaves the payments pending', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push(await insertAgedPendingPayment(admin, STALE + 10 - i));
    const before = (await jobAuditRows(admin, OUTBOX_AUDIT_SUBJECT)).length;
    let calls = 0;
    const send = async () => {
      calls += 1;
      if (calls === 2) throw new Error('queue unavailable');
    };

    // Act
    const act = resendStalePendingPayments(outbox, send, { pageSize: 2 });

    // Assess
    await expect(act).rejects.toThrow('queue unavailable');
    const rows = (await jobAuditRows(admin, OUTBOX_AUDIT_SUBJECT)).slice(before);
    expect(rows).toEqual([
      expect.objectContaining({ outcome: 'failed', resource_id: expect.stringMatching(/^sent 2 /) }),
    ]);
    for (const id of ids) expect(await paymentState(admin, id)).toMatchObject({ status: 'pending' });
  });

  it('runs once at a time: a run started while another is sending does nothing', async () => {
    // Prepare
    const stale = await insertAgedPendingPayment(admin, STALE);
    const sent: string[] = [];
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inSend = new Promise<void>((resolve) => (entered = resolve));
    const slowSend = async (ids: readonly string[]) => {
      sent.push(...ids);
      entered();
      await new Promise<void>((resolve) => (release = resolve));
    };

    // Act
    const first = resendStalePendingPayments(outbox, slowSend);
    await inSend;
    const second = await resendStalePendingPayments(outbox, async (ids) => void sent.push(...ids));
    release();

    // Assess
    expect(second).toEqual({ job: 'payment-outbox', skipped: true });
    expect(await first).toMatchObject({ skipped: false, sent: 1 });
    expect(sent).toEqual([stale]);
  });

  it('neither fails nor sends a payment twice when two runs start together', async () => {
    // Prepare
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) ids.push(await insertAgedPendingPayment(admin, STALE));
    const sent: string[] = [];
    const send = async (page: readonly string[]) => {
      sent.push(...page);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };

    // Act
    const results = await Promise.all([
      resendStalePendingPayments(outbox, send, { pageSize: 2 }),
      resendStalePendingPayments(outbox, send, { pageSize: 2 }),
    ]);

    // Assess
    expect(results.filter((result) => !result.skipped).length).toBeGreaterThanOrEqual(1);
    expect([...sent].sort()).toEqual([...ids].sort());
  });

  it('is harmless when a payment is sent twice: the real processor settles it once and then changes nothing', async () => {
    // Prepare: the API's own message and the outbox's resend both reach the processor.
    const paymentId = await insertAgedPendingPayment(admin, STALE);
    const queue = recordingQueue();
    await resendStalePendingPayments(outbox, queue.send);

    // Act
    const deliveries = await Promise.all(
      [paymentId, ...queue.pages.flat()].map((id) => processPayment(processor, id, simulatedGateway)),
    );
    const later = await processPayment(processor, paymentId, simulatedGateway);

    // Assess
    expect(queue.pages.flat()).toEqual([paymentId]);
    expect([...deliveries].sort()).toEqual(['already_processed', 'settled']);
    expect(later).toBe('already_processed');
    expect(await paymentState(admin, paymentId)).toEqual({
      status: 'settled',
      failure_reason: null,
      processed: true,
      audit_events: 1,
    });
  });
});

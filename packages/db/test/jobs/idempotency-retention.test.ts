import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  IDEMPOTENCY_WINDOW_HOURS,
  JOB_LOCK_IDS,
  RETENTION_AUDIT_SUBJECT,
  RETENTION_ROLE,
  purgeExpiredIdempotencyKeys,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import {
  countIdempotencyRecords,
  insertIdempotencyRecord,
  jobAuditRows,
  transactionAsRole,
  withHookAfter,
} from './fixtures.js';

describe('purgeExpiredIdempotencyKeys', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let retention: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 4 });
    retention = new pg.Pool({ connectionString: database.retentionUrl, max: 4 });
  });
  beforeEach(async () => {
    await admin.query('DELETE FROM idempotency_keys');
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await Promise.all([admin.end(), retention.end()]);
    await database.drop();
  });

  it.each([
    ['a batch size of 0', { batchSize: 0 }],
    ['a negative batch size', { batchSize: -1 }],
    ['a fractional batch size', { batchSize: 1.5 }],
    ['a batch size that is not a number', { batchSize: Number.NaN }],
    ['a batch size above 10,000', { batchSize: 10_001 }],
    ['a run limit of 0', { maxRowsPerRun: 0 }],
    ['an infinite run limit', { maxRowsPerRun: Number.POSITIVE_INFINITY }],
  ])('fails when given %s, before touching the database', async (_case, options) => {
    // Prepare
    await insertIdempotencyRecord(admin, { ageHours: 48 });
    const connect = vi.fn();

    // Act
    const act = purgeExpiredIdempotencyKeys({ connect }, options);

    // Assess
    await expect(act).rejects.toThrow(RangeError);
    expect(connect).not.toHaveBeenCalled();
    expect(await countIdempotencyRecords(admin)).toBe(1);
  });

  it('deletes records older than the window and keeps younger ones, as citadel_retention', async () => {
    // Prepare
    const expired = await insertIdempotencyRecord(admin, { ageHours: IDEMPOTENCY_WINDOW_HOURS + 1 });
    const young = await insertIdempotencyRecord(admin, { ageHours: IDEMPOTENCY_WINDOW_HOURS - 1 });

    // Act
    const result = await purgeExpiredIdempotencyKeys(retention);

    // Assess
    expect(result).toMatchObject({ skipped: false, deleted: 1, statements: 1, complete: true });
    const { rows } = await admin.query<{ key: string }>('SELECT key FROM idempotency_keys');
    expect(rows.map((row) => row.key)).toEqual([young.key]);
    expect(rows.map((row) => row.key)).not.toContain(expired.key);
  });

  it('writes one audit row per run that says how many records it deleted and up to when', async () => {
    // Prepare
    const before = (await jobAuditRows(admin, RETENTION_AUDIT_SUBJECT)).length;
    for (let i = 0; i < 3; i += 1) await insertIdempotencyRecord(admin, { ageHours: 30 });

    // Act
    const result = await purgeExpiredIdempotencyKeys(retention, { batchSize: 2 });

    // Assess
    if (result.skipped) throw new Error('the run was skipped');
    const rows = (await jobAuditRows(admin, RETENTION_AUDIT_SUBJECT)).slice(before);
    expect(rows).toEqual([
      {
        action: 'purge',
        resource_type: 'idempotency_key',
        resource_id: `deleted 3 created at or before ${result.cutoff}`,
        request_id: result.runId,
        outcome: 'success',
      },
    ]);
  });

  it('deletes nothing and still records the run on an empty table', async () => {
    // Prepare
    const before = (await jobAuditRows(admin, RETENTION_AUDIT_SUBJECT)).length;

    // Act
    const result = await purgeExpiredIdempotencyKeys(retention);

    // Assess
    expect(result).toMatchObject({ skipped: false, deleted: 0, statements: 1, complete: true });
    expect((await jobAuditRows(admin, RETENTION_AUDIT_SUBJECT)).length).toBe(before + 1);
  });

  it('deletes more records than one batch holds, a batch per statement', async () => {
    // Prepare
    for (let i = 0; i < 10; i += 1) await insertIdempotencyRecord(admin, { ageHours: 25 + i });

    // Act
    const result = await purgeExpiredIdempotencyKeys(retention, { batchSize: 3 });

    // Assess
    expect(result).toMatchObject({ deleted: 10, statements: 4, complete: true });
    expect(await countIdempotencyRecords(admin)).toBe(0);
  });

  it('stops at the run limit, oldest first, and says the backlog is not done', async () => {
    // Prepare
    const records = [];
    for (let i = 0; i < 8; i += 1) records.push(await insertIdempotencyRecord(admin, { ageHours: 25 + i }));

    // Act
    const result = await purgeExpiredIdempotencyKeys(retention, { batchSize: 3, maxRowsPerRun: 5 });

    // Assess
    expect(result).toMatchObject({ deleted: 5, statements: 2, complete: false });
    const { rows } = await admin.query<{ key: string }>(
      'SELECT key FROM idempotency_keys ORDER BY created_at',
    );
    // The three youngest of the expired records (25, 26 and 27 hours old) are left.
    expect(rows.map((row) => row.key)).toEqual(
      records
        .slice(0, 3)
        .reverse()
        .map((record) => record.key),
    );
  });

  it.each([
    ['exactly at the window', '0 seconds', 'deleted'],
    ['one microsecond inside the window', '-1 microsecond', 'kept'],
    ['one microsecond past the window', '1 microsecond', 'deleted'],
  ])('a record %s is %s', async (_case, pastWindow, fate) => {
    const kept = fate === 'kept';
    // Prepare: in one transaction now() is fixed, so the record sits exactly where stated.
    const run = await transactionAsRole(database.adminUrl, RETENTION_ROLE, async (client) => {
      await insertIdempotencyRecord(client, {
        createdAtSql: `now() - make_interval(hours => ${IDEMPOTENCY_WINDOW_HOURS}) - interval '${pastWindow}'`,
      });
    });

    try {
      // Act
      const result = await purgeExpiredIdempotencyKeys(run.source);

      // Assess
      expect(result).toMatchObject({ skipped: false, deleted: kept ? 0 : 1 });
      const { rows } = await run.client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM idempotency_keys',
      );
      expect(rows[0]?.n).toBe(kept ? 1 : 0);
    } finally {
      await run.finish();
    }
  });

  it('takes its cut-off from the database clock, not from the clock of the host it runs on', async () => {
    // Prepare: the job host's clock runs ten years ahead.
    const young = await insertIdempotencyRecord(admin, { ageHours: 1 });
    const future = await insertIdempotencyRecord(admin, { ageHours: -2 });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000));

    // Act
    const result = await purgeExpiredIdempotencyKeys(retention);

    // Assess
    expect(result).toMatchObject({ deleted: 0 });
    const { rows } = await admin.query<{ key: string }>(
      'SELECT key FROM idempotency_keys ORDER BY created_at',
    );
    expect(rows.map((row) => row.key)).toEqual([young.key, future.key]);
  });

  it('keeps a record written during the run', async () => {
    // Prepare
    for (let i = 0; i < 4; i += 1) await insertIdempotencyRecord(admin, { ageHours: 30 });
    let writtenDuringRun = '';
    const source = withHookAfter(retention, /DELETE FROM idempotency_keys/, async () => {
      writtenDuringRun = (await insertIdempotencyRecord(admin, { ageHours: 0 })).key;
    });

    // Act
    const result = await purgeExpiredIdempotencyKeys(source, { batchSize: 2 });

    // Assess
    expect(result).toMatchObject({ deleted: 4, complete: true });
    const { rows } = await admin.query<{ key: string }>('SELECT key FROM idempotency_keys');
    expect(rows.map((row) => row.key)).toEqual([writtenDuringRun]);
  });

  it('runs once at a time: a run started while another holds the lock does nothing', async () => {
    // Prepare
    await insertIdempotencyRecord(admin, { ageHours: 30 });
    const holder = await admin.connect();
    await holder.query('SELECT pg_advisory_lock($1, $2)', [
      0x43495444,
      JOB_LOCK_IDS['idempotency-retention'],
    ]);
    const before = (await jobAuditRows(admin, RETENTION_AUDIT_SUBJECT)).length;

    try {
      // Act
      const result = await purgeExpiredIdempotencyKeys(retention);

      // Assess
      expect(result).toEqual({ job: 'idempotency-retention', skipped: true });
      expect(await countIdempotencyRecords(admin)).toBe(1);
      expect((await jobAuditRows(admin, RETENTION_AUDIT_SUBJECT)).length).toBe(before);
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      holder.release();
    }
  });

  it('neither fails nor deletes a record twice when two runs start together', async () => {
    // Prepare
    for (let i = 0; i < 25; i += 1) await insertIdempotencyRecord(admin, { ageHours: 30 });

    // Act
    const results = await Promise.all([
      purgeExpiredIdempotencyKeys(retention, { batchSize: 2 }),
      purgeExpiredIdempotencyKeys(retention, { batchSize: 2 }),
    ]);

    // Assess
    const deleted = results.map((result) => (result.skipped ? 0 : result.deleted));
    expect(deleted.reduce((sum, n) => sum + n, 0)).toBe(25);
    expect(await countIdempotencyRecords(admin)).toBe(0);
  });

  it('leaves exactly the records younger than its cut-off, whatever the ages and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -2, max: 3 * IDEMPOTENCY_WINDOW_HOURS, noNaN: true }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 7 }),
        async (ages, batchSize) => {
          // Prepare
          await admin.query('DELETE FROM idempotency_keys');
          for (const ageHours of ages) await insertIdempotencyRecord(admin, { ageHours });

          // Act
          const result = await purgeExpiredIdempotencyKeys(retention, { batchSize });

          // Assess
          if (result.skipped) throw new Error('the run was skipped');
          const { rows } = await admin.query<{ expired: number; kept: number }>(
            `SELECT count(*) FILTER (WHERE created_at <= $1::timestamptz)::int AS expired,
                    count(*) FILTER (WHERE created_at > $1::timestamptz)::int AS kept
               FROM idempotency_keys`,
            [result.cutoff],
          );
          const younger = ages.filter((age) => age < IDEMPOTENCY_WINDOW_HOURS - 0.01).length;
          const older = ages.filter((age) => age > IDEMPOTENCY_WINDOW_HOURS + 0.01).length;
          expect(rows[0]?.expired).toBe(0);
          expect(rows[0]?.kept).toBeGreaterThanOrEqual(younger);
          expect(result.deleted).toBeGreaterThanOrEqual(older);
          expect(result.deleted + (rows[0]?.kept ?? 0)).toBe(ages.length);
        },
      ),
      { numRuns: 15 },
    );
  });
});

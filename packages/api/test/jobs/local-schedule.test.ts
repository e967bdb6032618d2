import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalJobSchedule } from '../../src/jobs/local-schedule.js';

describe('local maintenance job schedule', () => {
  let database: TestDatabase;
  let admin: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  it('runs each job on its timer as its own role, logs one line per run, and stops running when stopped', async () => {
    // Prepare
    const patient = await admin.query<{ id: string }>(
      `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
       VALUES ('Jane Roe', '1980-01-01', gen_random_uuid()::text, 'test') RETURNING id`,
    );
    const stale = await admin.query<{ id: string }>(
      `INSERT INTO payments (patient_id, amount, currency, description, created_by, created_at)
       VALUES ($1, 2500, 'EUR', 'consultation', 'test', now() - interval '1 hour') RETURNING id`,
      [patient.rows[0]?.id],
    );
    await admin.query(
      `INSERT INTO idempotency_keys (principal, key, request_hash, payment_id, response_status, response_body, created_at)
       VALUES ('user-1', gen_random_uuid(), 'h', $1, 201, '{}', now() - interval '2 days')`,
      [stale.rows[0]?.id],
    );
    const sent: string[] = [];
    const lines: Array<Record<string, unknown>> = [];
    const log = {
      info: (fields: Record<string, unknown>) => void lines.push(fields),
      error: (fields: Record<string, unknown>) => void lines.push(fields),
    };

    // Act
    const schedule = startLocalJobSchedule({
      databaseUrls: { 'idempotency-retention': database.retentionUrl, 'payment-outbox': database.outboxUrl },
      send: async (ids) => void sent.push(...ids),
      log: log as never,
      intervalsMs: { 'idempotency-retention': 40, 'payment-outbox': 25 },
    });
    for (let waited = 0; waited < 5_000; waited += 20) {
      const jobs = new Set(lines.map((line) => line.job));
      if (jobs.has('idempotency-retention') && jobs.has('payment-outbox')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await schedule.stop();
    const linesAtStop = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 150));

    // Assess
    expect(lines).toContainEqual(
      expect.objectContaining({ job: 'idempotency-retention', outcome: 'success', deleted: 1 }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ job: 'payment-outbox', outcome: 'success' }));
    expect(lines.filter((line) => line.outcome === 'failed')).toEqual([]);
    expect(sent).toContain(stale.rows[0]?.id);
    expect(lines.length).toBe(linesAtStop);
  });
});

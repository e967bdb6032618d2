import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaselineProcess, type BaselineProcess } from '../../bench/support/baseline-process.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../bench/support/postgres.js';
import { paymentBody } from '../../bench/support/seed.js';

/**
 * The benchmark's baseline is only a fair floor if it does the database work the API does:
 * PaymentRepository's statements, including the idempotency window and the audit rows.
 */
describe('benchmark baseline server', () => {
  let postgres: PrivatePostgres;
  let baseline: BaselineProcess;
  let admin: pg.Pool;
  let patientId: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    admin = new pg.Pool({ connectionString: postgres.adminUrl, max: 2 });
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
       VALUES ('Baseline Patient', '1980-02-29', $1, 'baseline') RETURNING id`,
      [`MRN-${randomUUID().slice(0, 8)}`],
    );
    patientId = (rows[0] as { id: string }).id;
    baseline = await startBaselineProcess({ databaseUrl: postgres.appUrl, poolMax: 2 });
  }, 120_000);

  afterAll(async () => {
    await baseline?.stop();
    await admin?.end();
    await postgres?.destroy();
  });

  const create = (key: string) =>
    fetch(`${baseline.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: paymentBody(patientId),
    });

  it('creates a payment with its idempotency record and audit row, and reads it back audited', async () => {
    // Act
    const key = randomUUID();
    const created = await create(key);
    const payment = (await created.json()) as { id: string; status: string; amount: number };
    const read = await fetch(`${baseline.url}/v1/payments/${payment.id}`);

    // Assess
    expect(created.status).toBe(201);
    expect(payment).toMatchObject({ status: 'pending', amount: 1000 });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(payment);
    const record = await admin.query(
      `SELECT payment_id, response_status, response_body FROM idempotency_keys WHERE principal = 'baseline' AND key = $1`,
      [key],
    );
    expect(record.rows).toEqual([{ payment_id: payment.id, response_status: 201, response_body: payment }]);
    const audit = await admin.query(
      `SELECT action, outcome FROM audit_events WHERE resource_id = $1 ORDER BY id`,
      [payment.id],
    );
    expect(audit.rows).toEqual([
      { action: 'create', outcome: 'success' },
      { action: 'read', outcome: 'success' },
    ]);
  });

  it('audits a read of an unknown payment as not_found and answers 404', async () => {
    // Act
    const id = randomUUID();
    const read = await fetch(`${baseline.url}/v1/payments/${id}`);

    // Assess
    expect(read.status).toBe(404);
    const audit = await admin.query(`SELECT action, outcome FROM audit_events WHERE resource_id = $1`, [id]);
    expect(audit.rows).toEqual([{ action: 'read', outcome: 'not_found' }]);
  });

  it('treats a key older than the idempotency window as new and takes its record over, as the API does', async () => {
    // Prepare: a record for the key, 25 hours old, naming another payment.
    const key = randomUUID();
    const old = await create(randomUUID());
    const oldPayment = (await old.json()) as { id: string };
    await admin.query(
      `INSERT INTO idempotency_keys (principal, key, request_hash, payment_id, response_status, response_body, created_at)
       VALUES ('baseline', $1, 'stale', $2, 201, '{}', now() - interval '25 hours')`,
      [key, oldPayment.id],
    );

    // Act
    const created = await create(key);
    const payment = (await created.json()) as { id: string };

    // Assess
    expect(created.status).toBe(201);
    expect(payment.id).not.toBe(oldPayment.id);
    const record = await admin.query(
      `SELECT payment_id, request_hash FROM idempotency_keys WHERE principal = 'baseline' AND key = $1`,
      [key],
    );
    expect(record.rows).toHaveLength(1);
    expect(record.rows[0]).toMatchObject({ payment_id: payment.id });
    expect(record.rows[0].request_hash).not.toBe('stale');
  });
});

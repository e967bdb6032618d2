import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IDEMPOTENCY_WINDOW_HOURS,
  PaymentRepository,
  type IdempotentRequest,
  type NewPayment,
  type Payment,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

const audit = { subject: 'user-1', requestId: null, sourceIp: null };
const toResponse = (payment: Payment) => ({ status: 201, body: payment });

describe('PaymentRepository idempotency window', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let api: pg.Pool;
  let payments: PaymentRepository;
  let patientId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    api = new pg.Pool({ connectionString: database.appUrl, max: 6 });
    payments = new PaymentRepository(api);
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
       VALUES ('Test Patient', '1980-01-01', gen_random_uuid()::text, 'test') RETURNING id`,
    );
    patientId = rows[0]?.id as string;
  });
  afterAll(async () => {
    await Promise.all([admin.end(), api.end()]);
    await database.drop();
  });

  function newPayment(description = 'visit'): NewPayment {
    return { patientId, amount: 2500, currency: 'EUR', description };
  }

  function request(key: string, requestHash = 'hash-a'): IdempotentRequest {
    return { principal: 'user-1', key, requestHash };
  }

  /** Creates a payment under a fresh key, then ages its record by `ageHours` on the database clock. */
  async function paymentWithAgedKey(ageHours: number): Promise<{ key: string; paymentId: string }> {
    const key = randomUUID();
    const created = await payments.create(newPayment(), request(key), audit, toResponse);
    if (created.kind !== 'created') throw new Error(`expected a new payment, got ${created.kind}`);
    await admin.query(
      `UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $2::float8 * 3600) WHERE key = $1`,
      [key, ageHours],
    );
    return { key, paymentId: created.payment.id };
  }

  it('replays a key a minute before its window ends', async () => {
    // Prepare
    const first = await paymentWithAgedKey(IDEMPOTENCY_WINDOW_HOURS - 1 / 60);

    // Act
    const retry = await payments.create(newPayment(), request(first.key), audit, toResponse);

    // Assess
    expect(retry).toMatchObject({ kind: 'replayed', paymentId: first.paymentId });
  });

  it('creates a new payment for a key reused after its window, and replays the new one after that', async () => {
    // Prepare
    const first = await paymentWithAgedKey(IDEMPOTENCY_WINDOW_HOURS + 1 / 60);

    // Act
    const reuse = await payments.create(newPayment(), request(first.key), audit, toResponse);
    const retry = await payments.create(newPayment(), request(first.key), audit, toResponse);

    // Assess
    if (reuse.kind !== 'created') throw new Error(`expected a new payment, got ${reuse.kind}`);
    expect(reuse.payment.id).not.toBe(first.paymentId);
    expect(retry).toMatchObject({ kind: 'replayed', paymentId: reuse.payment.id });
    const { rows } = await admin.query('SELECT payment_id FROM idempotency_keys WHERE key = $1', [first.key]);
    expect(rows).toEqual([{ payment_id: reuse.payment.id }]);
  });

  it('creates a new payment, not a conflict, for an expired key reused with another body', async () => {
    // Prepare
    const first = await paymentWithAgedKey(IDEMPOTENCY_WINDOW_HOURS * 2);

    // Act
    const reuse = await payments.create(
      newPayment('another visit'),
      request(first.key, 'hash-b'),
      audit,
      toResponse,
    );

    // Assess
    expect(reuse.kind).toBe('created');
  });

  it('still answers a conflict for a live key reused with another body', async () => {
    // Prepare
    const first = await paymentWithAgedKey(1);

    // Act
    const reuse = await payments.create(
      newPayment('another visit'),
      request(first.key, 'hash-b'),
      audit,
      toResponse,
    );

    // Assess
    expect(reuse).toEqual({ kind: 'key_reused_with_other_request' });
  });

  it('creates one new payment when the same expired key is reused by concurrent requests', async () => {
    // Prepare
    const first = await paymentWithAgedKey(IDEMPOTENCY_WINDOW_HOURS + 1);
    const { rows: before } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM payments');

    // Act
    const results = await Promise.all(
      Array.from({ length: 5 }, () => payments.create(newPayment(), request(first.key), audit, toResponse)),
    );

    // Assess
    const created = results.filter((result) => result.kind === 'created');
    expect(created).toHaveLength(1);
    const winner = created[0]?.kind === 'created' ? created[0].payment.id : '';
    for (const result of results.filter((r) => r.kind !== 'created')) {
      expect(result).toMatchObject({ kind: 'replayed', paymentId: winner });
    }
    // Losers roll back their payment insert: only the winner's payment remains.
    const { rows: after } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM payments');
    expect((after[0]?.n ?? 0) - (before[0]?.n ?? 0)).toBe(1);
  });
});

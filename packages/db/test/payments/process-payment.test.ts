import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPayment, simulatedGateway, type PaymentGateway } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { insertPendingPayment, paymentState } from './fixtures.js';

describe('processPayment', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let processor: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    processor = new pg.Pool({ connectionString: database.processorUrl, max: 4 });
  });
  afterAll(async () => {
    await processor.end();
    await admin.end();
    await database.drop();
  });

  it('settles a pending payment and records who processed it', async () => {
    // Prepare
    const paymentId = await insertPendingPayment(admin, 2500);

    // Act
    const result = await processPayment(processor, paymentId, simulatedGateway);

    // Assess
    expect(result).toBe('settled');
    expect(await paymentState(admin, paymentId)).toEqual({
      status: 'settled',
      failure_reason: null,
      processed: true,
      audit_events: 1,
    });
    const audit = await admin.query(
      `SELECT subject, action, resource_type, outcome FROM audit_events WHERE resource_id = $1`,
      [paymentId],
    );
    expect(audit.rows).toEqual([
      { subject: 'payment-processor', action: 'process', resource_type: 'payment', outcome: 'settled' },
    ]);
  });

  it('fails a payment the gateway declines, with the reason', async () => {
    const paymentId = await insertPendingPayment(admin, 1099);

    const result = await processPayment(processor, paymentId, simulatedGateway, 'local-queue');

    expect(result).toBe('failed');
    expect(await paymentState(admin, paymentId)).toEqual({
      status: 'failed',
      failure_reason: 'card_declined',
      processed: true,
      audit_events: 1,
    });
    const audit = await admin.query(`SELECT subject, outcome FROM audit_events WHERE resource_id = $1`, [
      paymentId,
    ]);
    expect(audit.rows).toEqual([{ subject: 'local-queue', outcome: 'failed' }]);
  });

  it('changes nothing when the same payment is delivered again', async () => {
    const paymentId = await insertPendingPayment(admin);
    await processPayment(processor, paymentId, simulatedGateway);
    const charges: string[] = [];
    const recording: PaymentGateway = {
      charge: async (payment) => {
        charges.push(payment.id);
        return { outcome: 'failed', reason: 'should_not_be_called' };
      },
    };

    const result = await processPayment(processor, paymentId, recording);

    expect(result).toBe('already_processed');
    expect(charges).toEqual([]);
    expect(await paymentState(admin, paymentId)).toMatchObject({ status: 'settled', audit_events: 1 });
  });

  it('reports a payment that does not exist as not_found', async () => {
    expect(await processPayment(processor, randomUUID(), simulatedGateway)).toBe('not_found');
  });

  it('moves a payment exactly once when two deliveries race', async () => {
    // Prepare: a slow gateway keeps the first transaction open while the others arrive.
    const paymentId = await insertPendingPayment(admin);
    let charges = 0;
    const slow: PaymentGateway = {
      charge: async () => {
        charges += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return { outcome: 'settled' };
      },
    };

    // Act
    const results = await Promise.all([1, 2, 3].map(() => processPayment(processor, paymentId, slow)));

    // Assess
    expect(results.sort()).toEqual(['already_processed', 'already_processed', 'settled']);
    expect(charges).toBe(1);
    expect(await paymentState(admin, paymentId)).toMatchObject({ status: 'settled', audit_events: 1 });
  });

  it('leaves the payment pending when the gateway throws, so the message is retried', async () => {
    const paymentId = await insertPendingPayment(admin);
    const broken: PaymentGateway = {
      charge: async () => {
        throw new Error('acquirer unreachable');
      },
    };

    await expect(processPayment(processor, paymentId, broken)).rejects.toThrow('acquirer unreachable');

    expect(await paymentState(admin, paymentId)).toEqual({
      status: 'pending',
      failure_reason: null,
      processed: false,
      audit_events: 0,
    });
    expect(await processPayment(processor, paymentId, simulatedGateway)).toBe('settled');
  });
});

import { randomUUID } from 'node:crypto';
import { formatPaymentMessage } from '@citadel/db';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext, sqsEvent, sqsRecord } from './sqs-event.js';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

describe('payment processor handler', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let handler: Handler;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    // The deployed module, wired to this database as the processor's own role.
    vi.stubEnv('DATABASE_URL', database.processorUrl);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    ({ handler } = await import('../../src/payment-processor/handler.js'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await admin.end();
    await database.drop();
  });

  async function pendingPayment(amount: number): Promise<string> {
    const patient = await admin.query<{ id: string }>(
      `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
       VALUES ('Test Patient', '1975-05-05', $1, 'test') RETURNING id`,
      [`MRN-${randomUUID()}`],
    );
    const payment = await admin.query<{ id: string }>(
      `INSERT INTO payments (patient_id, amount, currency, description, created_by)
       VALUES ($1, $2, 'USD', 'visit', 'test') RETURNING id`,
      [patient.rows[0]?.id, amount],
    );
    return payment.rows[0]?.id as string;
  }

  async function state(
    paymentId: string,
  ): Promise<{ status: string; failure_reason: string | null; audits: number }> {
    const { rows } = await admin.query(
      `SELECT status, failure_reason,
              (SELECT count(*)::int FROM audit_events WHERE resource_id = $2 AND action = 'process') AS audits
         FROM payments WHERE id = $1`,
      [paymentId, paymentId],
    );
    return rows[0];
  }

  it('settles a queued payment and reports no failures', async () => {
    // Prepare
    const paymentId = await pendingPayment(4200);

    // Act
    const response = await handler(sqsEvent(sqsRecord(formatPaymentMessage({ paymentId }))), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await state(paymentId)).toEqual({ status: 'settled', failure_reason: null, audits: 1 });
  });

  it('fails a payment the gateway declines and consumes the message', async () => {
    const paymentId = await pendingPayment(4299);

    const response = await handler(sqsEvent(sqsRecord(formatPaymentMessage({ paymentId }))), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await state(paymentId)).toEqual({ status: 'failed', failure_reason: 'card_declined', audits: 1 });
  });

  it('has no double effect when a message is delivered twice, in one batch and again later', async () => {
    const paymentId = await pendingPayment(1000);
    const body = formatPaymentMessage({ paymentId });

    const first = await handler(sqsEvent(sqsRecord(body), sqsRecord(body)), lambdaContext());
    const redelivery = await handler(sqsEvent(sqsRecord(body, 2)), lambdaContext());

    expect(first).toEqual({ batchItemFailures: [] });
    expect(redelivery).toEqual({ batchItemFailures: [] });
    expect(await state(paymentId)).toEqual({ status: 'settled', failure_reason: null, audits: 1 });
  });

  it.each([
    ['not JSON', 'paymentId=123'],
    ['JSON without a paymentId', '{"id":"x"}'],
    ['a paymentId that is not a UUID', '{"paymentId":"12345"}'],
    ['an empty body', ''],
  ])('reports a poison message (%s) as a batch item failure and processes the rest', async (_case, body) => {
    // Prepare
    const paymentId = await pendingPayment(700);
    const poison = sqsRecord(body);
    const good = sqsRecord(formatPaymentMessage({ paymentId }));

    // Act
    const response = await handler(sqsEvent(poison, good), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    expect(await state(paymentId)).toMatchObject({ status: 'settled' });
  });

  it('reports a batch made only of a poison message as a failure instead of throwing', async () => {
    const poison = sqsRecord('{');

    const response = await handler(sqsEvent(poison), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
  });

  it('reports a message for a payment that does not exist as a failure', async () => {
    const unknown = sqsRecord(formatPaymentMessage({ paymentId: randomUUID() }));

    const response = await handler(sqsEvent(unknown), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: unknown.messageId }] });
  });
});

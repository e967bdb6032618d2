import type pg from 'pg';
import type { PaymentGateway } from './gateway.js';

export type ProcessPaymentResult = 'settled' | 'failed' | 'already_processed' | 'not_found';

interface PendingPaymentRow {
  id: string;
  amount: string;
  currency: string;
  description: string;
  status: 'pending' | 'settled' | 'failed';
}

/**
 * Moves one `pending` payment to `settled` or `failed` through the gateway, with its
 * audit event, in a single transaction that holds the row lock (`FOR UPDATE`). A second
 * delivery of the same message, concurrent or later, waits for the lock, then finds the
 * payment no longer pending and changes nothing: `already_processed`.
 *
 * The gateway is called while the lock is held, so at most one charge per payment is in
 * flight; a real acquirer must also deduplicate on the payment id in case the commit
 * after a successful charge fails and the message is delivered again.
 */
export async function processPayment(
  pool: pg.Pool,
  paymentId: string,
  gateway: PaymentGateway,
  actor = 'payment-processor',
): Promise<ProcessPaymentResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<PendingPaymentRow>(
      `SELECT id, amount::text AS amount, currency, description, status
         FROM payments WHERE id = $1 FOR UPDATE`,
      [paymentId],
    );
    const payment = rows[0];
    if (!payment || payment.status !== 'pending') {
      await client.query('COMMIT');
      return payment ? 'already_processed' : 'not_found';
    }
    const result = await gateway.charge({
      id: payment.id,
      amount: Number(payment.amount),
      currency: payment.currency,
      description: payment.description,
    });
    const failureReason = result.outcome === 'failed' ? result.reason : null;
    await client.query(
      `UPDATE payments SET status = $2, failure_reason = $3, processed_at = clock_timestamp() WHERE id = $1`,
      [payment.id, result.outcome, failureReason],
    );
    await client.query(
      `INSERT INTO audit_events (subject, action, resource_type, resource_id, outcome)
       VALUES ($1, 'process', 'payment', $2, $3)`,
      [actor, payment.id, result.outcome],
    );
    await client.query('COMMIT');
    return result.outcome;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      // A connection that cannot roll back is not returned to the pool.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

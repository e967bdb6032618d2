import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** Inserts a patient and a pending payment directly, as the API would, and returns the payment id. */
export async function insertPendingPayment(admin: pg.Pool, amount = 2500): Promise<string> {
  const patient = await admin.query<{ id: string }>(
    `INSERT INTO patients (name, date_of_birth, medical_record_number, created_by)
     VALUES ('Test Patient', '1980-01-01', $1, 'test') RETURNING id`,
    [`MRN-${randomUUID()}`],
  );
  const payment = await admin.query<{ id: string }>(
    `INSERT INTO payments (patient_id, amount, currency, description, created_by)
     VALUES ($1, $2, 'EUR', 'consultation', 'test') RETURNING id`,
    [patient.rows[0]?.id, amount],
  );
  const id = payment.rows[0]?.id;
  if (!id) throw new Error('payment insert returned no id');
  return id;
}

export interface PaymentState {
  status: string;
  failure_reason: string | null;
  processed: boolean;
  audit_events: number;
}

export async function paymentState(admin: pg.Pool, paymentId: string): Promise<PaymentState | undefined> {
  const { rows } = await admin.query<PaymentState>(
    `SELECT status, failure_reason, processed_at IS NOT NULL AS processed,
            (SELECT count(*)::int FROM audit_events
              WHERE resource_type = 'payment' AND resource_id = $2 AND action = 'process') AS audit_events
       FROM payments WHERE id = $1`,
    [paymentId, paymentId],
  );
  return rows[0];
}

import { AUDIT_COLUMNS, auditedFindStatement } from './audit.js';

/**
 * The SQL text of every statement `PaymentRepository` sends for a read and a create, in
 * one place so that anything that must run exactly the same SQL (the benchmark's baseline
 * server) imports it instead of copying it.
 */
export const PAYMENT_FIELDS = `id, patient_id AS "patientId", amount::float8 AS amount, currency, description, status,
  failure_reason AS "failureReason",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt",
  to_char(processed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "processedAt"`;

export const PAYMENT_STATEMENTS = {
  /** $1 id, $2 subject, $3 request id, $4 source IP, $5 resource type, $6 action. */
  findByIdAudited: auditedFindStatement('payments', PAYMENT_FIELDS),
  /** $1 principal, $2 key, $3 include an expired record, $4 the window in hours. */
  findStoredResponse: `SELECT request_hash AS "requestHash", payment_id AS "paymentId", response_status AS status, response_body AS body
       FROM idempotency_keys
       WHERE principal = $1 AND key = $2 AND ($3 OR created_at > now() - make_interval(hours => $4))`,
  /** $1 patient, $2 amount, $3 currency, $4 description, $5 created by. */
  insertPayment: `INSERT INTO payments (patient_id, amount, currency, description, created_by)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING ${PAYMENT_FIELDS}`,
  /**
   * Claims the key for the new payment, or takes over a record older than the window
   * ($7 hours); no row comes back when a live record holds the key.
   */
  claimKey: `INSERT INTO idempotency_keys (principal, key, request_hash, payment_id, response_status, response_body)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (principal, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, payment_id = EXCLUDED.payment_id,
               response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body,
               created_at = EXCLUDED.created_at
           WHERE idempotency_keys.created_at <= now() - make_interval(hours => $7)`,
  /** $1 subject, $2 payment id, $3 request id, $4 source IP. */
  auditCreate: `INSERT INTO audit_events ${AUDIT_COLUMNS} VALUES ($1, 'create', 'payment', $2, $3, $4, 'success')`,
} as const;

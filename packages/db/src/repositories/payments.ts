import type pg from 'pg';
import type { AuditContext } from './audit.js';
import { AUDIT_COLUMNS, findByIdAudited, recordAuditEvent } from './audit.js';
import { PAYMENT_STATEMENTS } from './payment-statements.js';
import { isForeignKeyViolation } from '../database-errors.js';
import { IDEMPOTENCY_WINDOW_HOURS } from '../jobs/idempotency-retention.js';

export type PaymentStatus = 'pending' | 'settled' | 'failed';

export interface NewPayment {
  readonly patientId: string;
  /** Integer amount in the currency's minor unit (cents). */
  readonly amount: number;
  /** ISO 4217 code. */
  readonly currency: string;
  readonly description: string;
}

export interface Payment extends NewPayment {
  readonly id: string;
  readonly status: PaymentStatus;
  readonly failureReason: string | null;
  readonly createdAt: string;
  readonly processedAt: string | null;
}

export interface IdempotentRequest {
  /** Idempotency keys are scoped to the principal that sent them. */
  readonly principal: string;
  readonly key: string;
  /** Fingerprint of the request body; a retry with another body is a conflict. */
  readonly requestHash: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export type CreatePaymentResult =
  | { readonly kind: 'created'; readonly payment: Payment; readonly response: StoredResponse }
  | {
      readonly kind: 'replayed';
      readonly paymentId: string;
      /** The payment as it is now (settled or failed by then, perhaps), read and audited as a `replay`. */
      readonly payment: Payment;
      /** The response first sent; its status is replayed, its body is the payment at that time. */
      readonly response: StoredResponse;
    }
  | { readonly kind: 'key_reused_with_other_request' };

type StoredKey =
  | { readonly kind: 'replayed'; readonly paymentId: string; readonly response: StoredResponse }
  | { readonly kind: 'key_reused_with_other_request'; readonly paymentId: string };

export class UnknownPatientError extends Error {
  override readonly name = 'UnknownPatientError';
}

/**
 * Payments and their idempotency keys. Creating a payment, recording the key with the
 * response to replay, and the audit row commit in one transaction; a concurrent duplicate
 * waits on the key's primary key and then replays the winner's response.
 */
export class PaymentRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Creates the payment, or answers a retry of the same key: a replay returns the payment's
   * current state and is audited as a `replay`; the key reused with another body is audited
   * as a `conflict` on the key's payment. Every outcome leaves exactly one audit row.
   */
  async create(
    payment: NewPayment,
    request: IdempotentRequest,
    audit: AuditContext,
    toResponse: (payment: Payment) => StoredResponse,
  ): Promise<CreatePaymentResult> {
    const outcome = await this.findOrInsert(payment, request, audit, toResponse);
    if (outcome.kind === 'created') return outcome;
    if (outcome.kind === 'key_reused_with_other_request') {
      await recordAuditEvent(
        this.pool,
        { action: 'create', resourceType: 'payment', resourceId: outcome.paymentId, outcome: 'conflict' },
        audit,
      );
      return { kind: 'key_reused_with_other_request' };
    }
    const current = await findByIdAudited<Payment>(
      this.pool,
      { statement: PAYMENT_STATEMENTS.findByIdAudited, resourceType: 'payment', action: 'replay' },
      outcome.paymentId,
      audit,
    );
    return { ...outcome, payment: current ?? (outcome.response.body as Payment) };
  }

  /**
   * A key lost between a refused claim and the lookup after it (its record expired and was
   * deleted in that instant) is tried once more, as a new key.
   */
  private async findOrInsert(
    payment: NewPayment,
    request: IdempotentRequest,
    audit: AuditContext,
    toResponse: (payment: Payment) => StoredResponse,
  ): Promise<
    StoredKey | { readonly kind: 'created'; readonly payment: Payment; readonly response: StoredResponse }
  > {
    for (let attempt = 1; ; attempt += 1) {
      const outcome =
        (await this.findStoredResponse(request)) ?? (await this.insert(payment, request, audit, toResponse));
      if (outcome) return outcome;
      if (attempt === 2) throw new Error('the idempotency record disappeared twice while claiming its key');
    }
  }

  private async insert(
    payment: NewPayment,
    request: IdempotentRequest,
    audit: AuditContext,
    toResponse: (payment: Payment) => StoredResponse,
  ): Promise<
    | StoredKey
    | { readonly kind: 'created'; readonly payment: Payment; readonly response: StoredResponse }
    | null
  > {
    const client = await this.pool.connect();
    // A connection lost while checked out (database restart) emits 'error' on the client,
    // which would be an uncaught exception without a listener. The pending query rejects
    // anyway; the client is then discarded instead of returned to the pool.
    let broken: Error | undefined;
    const onConnectionLost = (error: Error) => (broken = error);
    client.on('error', onConnectionLost);
    let created: {
      readonly kind: 'created';
      readonly payment: Payment;
      readonly response: StoredResponse;
    } | null = null;
    try {
      await client.query('BEGIN');
      const inserted = await client
        .query<Payment>(PAYMENT_STATEMENTS.insertPayment, [
          payment.patientId,
          payment.amount,
          payment.currency,
          payment.description,
          audit.subject,
        ])
        .catch((error: unknown) => {
          if (isForeignKeyViolation(error, 'payments_patient_id_fkey')) {
            throw new UnknownPatientError('no patient has this id', { cause: error });
          }
          throw error;
        });
      const row = inserted.rows[0] as Payment;
      const response = toResponse(row);
      const claimed = await client.query(PAYMENT_STATEMENTS.claimKey, [
        request.principal,
        request.key,
        request.requestHash,
        row.id,
        response.status,
        JSON.stringify(response.body),
        IDEMPOTENCY_WINDOW_HOURS,
      ]);
      if (claimed.rowCount === 1) {
        await client.query(PAYMENT_STATEMENTS.auditCreate, [
          audit.subject,
          row.id,
          audit.requestId,
          audit.sourceIp,
        ]);
        await client.query('COMMIT');
        created = { kind: 'created', payment: row, response };
      } else {
        await client.query('ROLLBACK');
      }
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      if (error instanceof UnknownPatientError) await this.auditRejectedCreate(audit);
      throw error;
    } finally {
      client.removeListener('error', onConnectionLost);
      client.release(broken);
    }
    // The claim was refused, so a live record holds the key: replay it, whatever its age now.
    return created ?? (await this.findStoredResponse(request, { includeExpired: true }));
  }

  findById(id: string, audit: AuditContext): Promise<Payment | null> {
    return findByIdAudited<Payment>(
      this.pool,
      { statement: PAYMENT_STATEMENTS.findByIdAudited, resourceType: 'payment' },
      id,
      audit,
    );
  }

  /**
   * The stored response for this key, unless the record is older than the idempotency
   * window: an expired key is a new key, even before the retention job deletes its record.
   */
  private async findStoredResponse(
    request: IdempotentRequest,
    options: { readonly includeExpired?: boolean } = {},
  ): Promise<StoredKey | null> {
    const { rows } = await this.pool.query<{
      requestHash: string;
      paymentId: string;
      status: number;
      body: unknown;
    }>(PAYMENT_STATEMENTS.findStoredResponse, [
      request.principal,
      request.key,
      options.includeExpired ?? false,
      IDEMPOTENCY_WINDOW_HOURS,
    ]);
    const stored = rows[0];
    if (!stored) return null;
    if (stored.requestHash !== request.requestHash) {
      return { kind: 'key_reused_with_other_request', paymentId: stored.paymentId };
    }
    return {
      kind: 'replayed',
      paymentId: stored.paymentId,
      response: { status: stored.status, body: stored.body },
    };
  }

  private async auditRejectedCreate(audit: AuditContext): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_events ${AUDIT_COLUMNS} VALUES ($1, 'create', 'payment', NULL, $2, $3, 'rejected')`,
      [audit.subject, audit.requestId, audit.sourceIp],
    );
  }
}

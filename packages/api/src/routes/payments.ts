import { UnknownPatientError, type AuditTrail, type Payment, type PaymentRepository } from '@citadel/db';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { API_LOG_EVENTS } from '../contract.js';
import { amountProblem, checkAmountCaps, type AmountCapsMajorUnits } from '../domain/currency.js';
import { requestFingerprint } from '../domain/request-fingerprint.js';
import { ApiError } from '../errors.js';
import type { PaymentQueue } from '../payments/payment-queue.js';
import { auditContext } from './audit-context.js';
import { auditRefusals } from './refusal-audit.js';
import { errorResponses, IdParams, Uuid } from './schemas.js';

const PaymentView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid' }),
    amount: Type.Integer({ description: 'Minor units of the currency' }),
    currency: Type.String(),
    description: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('settled'), Type.Literal('failed')]),
    failureReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    processedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Payment' },
);

export interface PaymentRouteOptions {
  readonly payments: PaymentRepository;
  readonly queue: PaymentQueue;
  /** Where refusals (missing scope, card data) are recorded. */
  readonly audit: AuditTrail;
  /** Largest amount in minor units of any currency, checked by the schema. */
  readonly amountCap: number;
  /**
   * Largest amount per currency, in major units.
   * @default - 1,000,000 major units of every currency (DEFAULT_AMOUNT_CAP_MAJOR_UNITS)
   */
  readonly amountCaps?: AmountCapsMajorUnits;
}

export async function paymentRoutes(app: FastifyInstance, options: PaymentRouteOptions): Promise<void> {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { payments, queue } = options;
  const amountCaps = checkAmountCaps(options.amountCaps ?? {});
  auditRefusals(app, options.audit);

  const PaymentInput = Type.Object(
    {
      patientId: Uuid,
      amount: Type.Integer({
        minimum: 1,
        maximum: options.amountCap,
        description: 'Minor units, e.g. cents',
      }),
      currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
      description: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
    },
    { additionalProperties: false },
  );

  routes.post(
    '/',
    {
      config: { requiredScope: 'payments:write', audit: { action: 'create', resourceType: 'payment' } },
      schema: {
        tags: ['payments'],
        summary: 'Create a payment (idempotent per Idempotency-Key)',
        security: [{ bearer: ['payments:write'] }],
        headers: Type.Object({ 'idempotency-key': Uuid }),
        body: PaymentInput,
        response: {
          201: Type.Ref('Payment'),
          ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const problem = amountProblem(request.body.amount, request.body.currency, amountCaps);
      if (problem) throw new ApiError(422, problem.kind, problem.message);
      const principal = auditContext(request).subject;
      const key = request.headers['idempotency-key'].toLowerCase();
      let result;
      try {
        result = await payments.create(
          request.body,
          { principal, key, requestHash: requestFingerprint(request.body) },
          auditContext(request),
          (payment) => ({ status: 201, body: payment }),
        );
      } catch (error) {
        if (error instanceof UnknownPatientError) {
          throw new ApiError(422, 'unknown_patient', 'patientId does not name a registered patient');
        }
        throw error;
      }
      if (result.kind === 'key_reused_with_other_request') {
        throw new ApiError(
          409,
          'idempotency_key_reused',
          'this Idempotency-Key was already used with a different request body',
        );
      }
      const body: Payment = result.payment;
      if (body.status === 'pending') {
        // A replay of a still-pending payment re-enqueues it, so a retry after a failed send
        // recovers. A settled or failed payment is answered as it is now and never queued again.
        await queue.enqueue({ paymentId: body.id }).catch((error: unknown) => {
          request.log.error(
            { event: API_LOG_EVENTS.paymentEnqueueFailed, paymentId: body.id, err: error },
            'enqueue failed',
          );
          throw new ApiError(
            503,
            'service_unavailable',
            'the payment is recorded but not yet queued; retry with the same Idempotency-Key',
            {
              cause: error,
              headers: { 'retry-after': '2' },
            },
          );
        });
      }
      if (result.kind === 'replayed') reply.header('idempotent-replayed', 'true');
      return reply
        .code(result.response.status as 201)
        .header('location', `/v1/payments/${body.id}`)
        .send(body);
    },
  );

  routes.get(
    '/:id',
    {
      config: { requiredScope: 'payments:read', audit: { action: 'read', resourceType: 'payment' } },
      schema: {
        tags: ['payments'],
        summary: 'Read a payment',
        security: [{ bearer: ['payments:read'] }],
        params: IdParams,
        response: { 200: Type.Ref('Payment'), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const payment = await payments.findById(request.params.id, auditContext(request));
      if (!payment) throw new ApiError(404, 'payment_not_found', 'no payment has this id');
      return payment;
    },
  );
}

export const paymentSchemas = [PaymentView];

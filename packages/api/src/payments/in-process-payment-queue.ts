import { processPayment, simulatedGateway, type PaymentGateway } from '@citadel/db';
import type pg from 'pg';
import type { PaymentQueue } from './payment-queue.js';

/**
 * Local mode: runs the payment processor's own logic in this process, right after the
 * request that created the payment, instead of through SQS and the Lambda.
 */
export class InProcessPaymentQueue implements PaymentQueue {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown, paymentId: string) => void,
    private readonly gateway: PaymentGateway = simulatedGateway,
  ) {}

  async enqueue(message: { readonly paymentId: string }): Promise<void> {
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => processPayment(this.pool, message.paymentId, this.gateway))
      .then(
        () => undefined,
        (error: unknown) => {
          this.onError(error, message.paymentId);
        },
      )
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}

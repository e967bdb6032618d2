import { processPayment, simulatedGateway, type PaymentGateway } from '@citadel/db';
import type pg from 'pg';
import type { PaymentQueue } from './payment-queue.js';

/**
 * Local mode: runs the payment processor's own logic in this process, instead of through
 * SQS and the Lambda, and settles the payment before the request that created it is
 * answered, so a read right after the create (as in the README's walkthrough) sees the
 * outcome on any machine. The create's own answer still shows the payment as it was
 * recorded (`pending`), as in AWS. A processing error is reported and never fails the create.
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
    await work;
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}

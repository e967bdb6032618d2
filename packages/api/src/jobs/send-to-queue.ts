import type { SendPayments } from '@citadel/db';
import type { PaymentQueue } from '../payments/payment-queue.js';

export class PaymentResendError extends Error {
  override readonly name = 'PaymentResendError';
}

/**
 * Hands a page of payment ids to the payment queue, all at once so the SQS queue batches
 * them ten per SendMessageBatch. Waits for every id, then fails if any was refused: the
 * payments stay pending and the next run sends them again.
 */
export function sendToQueue(queue: PaymentQueue): SendPayments {
  return async (paymentIds) => {
    const results = await Promise.allSettled(paymentIds.map((paymentId) => queue.enqueue({ paymentId })));
    const refused = results.filter((result) => result.status === 'rejected');
    if (refused.length > 0) {
      throw new PaymentResendError(`the queue refused ${refused.length} of ${paymentIds.length} payments`, {
        cause: refused[0]?.reason,
      });
    }
  };
}

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { formatPaymentMessage } from '@citadel/db';
import type { PaymentQueue } from './payment-queue.js';

/** SQS accepts at most ten messages per SendMessageBatch. */
const SQS_BATCH_LIMIT = 10;

interface Waiting {
  readonly body: string;
  resolve(): void;
  reject(error: Error): void;
}

export class PaymentEnqueueError extends Error {
  override readonly name = 'PaymentEnqueueError';
}

export interface SqsPaymentQueueOptions {
  /** Batch sends allowed in flight at once; messages that arrive meanwhile join the next batch. @default 1 */
  readonly maxConcurrentSends?: number;
}

/**
 * In AWS: one SQS message per payment, read by the payment processor Lambda. Messages are
 * batched adaptively: a lone message is sent at once, and messages that arrive while
 * `maxConcurrentSends` batches are in flight wait for the next SendMessageBatch (up to ten
 * each), so no delay is added when idle and the per-message cost falls under load. Each
 * `enqueue` settles with its own entry's result.
 */
export class SqsPaymentQueue implements PaymentQueue {
  private readonly waiting: Waiting[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxConcurrentSends: number;
  private pumpScheduled = false;

  constructor(
    private readonly queueUrl: string,
    private readonly client: Pick<SQSClient, 'send'> = new SQSClient({}),
    options: SqsPaymentQueueOptions = {},
  ) {
    this.maxConcurrentSends = options.maxConcurrentSends ?? 1;
  }

  enqueue(message: { readonly paymentId: string }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({
        body: formatPaymentMessage({ paymentId: message.paymentId }),
        resolve,
        reject,
      });
      // Coalesce everything enqueued in this turn of the event loop into one batch.
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        queueMicrotask(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0 || this.waiting.length > 0) {
      this.pump();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private pump(): void {
    while (this.inFlight.size < this.maxConcurrentSends && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, SQS_BATCH_LIMIT);
      const send: Promise<void> = this.send(batch).finally(() => {
        this.inFlight.delete(send);
        this.pump();
      });
      this.inFlight.add(send);
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    try {
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((waiting, index) => ({ Id: String(index), MessageBody: waiting.body })),
        }),
      );
      const failed = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
      batch.forEach((waiting, index) => {
        const failure = failed.get(String(index));
        if (failure) {
          waiting.reject(new PaymentEnqueueError(`SQS refused the message: ${failure.Code ?? 'unknown'}`));
        } else {
          waiting.resolve();
        }
      });
    } catch (error) {
      for (const waiting of batch)
        waiting.reject(new PaymentEnqueueError('SQS send failed', { cause: error }));
    }
  }
}

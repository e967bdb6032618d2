import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { PaymentQueue } from './payment-queue.js';

/** In AWS: one SQS message per payment, read by the payment processor Lambda. */
export class SqsPaymentQueue implements PaymentQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly client: Pick<SQSClient, 'send'> = new SQSClient({}),
  ) {}

  async enqueue(message: { readonly paymentId: string }): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ paymentId: message.paymentId }),
      }),
    );
  }

  async drain(): Promise<void> {}
}

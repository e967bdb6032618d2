import { SendMessageBatchCommand, type SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { PaymentEnqueueError, SqsPaymentQueue } from '../../src/payments/sqs-payment-queue.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/citadel-payments';
const paymentId = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

/** A stand-in for the SQS client at the AWS API boundary: records each batch, answers after a tick. */
function fakeSqs(
  answer: (
    entries: Array<{ Id: string; MessageBody: string }>,
  ) => Partial<SendMessageBatchCommandOutput> | Error,
) {
  const batches: Array<Array<{ Id: string; MessageBody: string }>> = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const client = {
    send: async (command: unknown) => {
      expect(command).toBeInstanceOf(SendMessageBatchCommand);
      const input = (command as SendMessageBatchCommand).input;
      expect(input.QueueUrl).toBe(QUEUE_URL);
      const entries = input.Entries as Array<{ Id: string; MessageBody: string }>;
      batches.push(entries);
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      await new Promise((resolve) => setTimeout(resolve, 5));
      concurrent--;
      const result = answer(entries);
      if (result instanceof Error) throw result;
      return result;
    },
  } as never;
  return { client, batches, maxConcurrent: () => maxConcurrent };
}

describe('SQS payment queue', () => {
  it('sends a lone payment at once, as a JSON body the processor parses', async () => {
    const sqs = fakeSqs((entries) => ({
      Successful: entries.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
    }));
    const queue = new SqsPaymentQueue(QUEUE_URL, sqs.client);

    await queue.enqueue({ paymentId: paymentId(1) });

    expect(sqs.batches).toEqual([[{ Id: '0', MessageBody: JSON.stringify({ paymentId: paymentId(1) }) }]]);
  });

  it('batches payments that arrive together, at most ten per send and four sends at once', async () => {
    const sqs = fakeSqs((entries) => ({
      Successful: entries.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
    }));
    const queue = new SqsPaymentQueue(QUEUE_URL, sqs.client);

    await Promise.all(
      Array.from({ length: 95 }, (_, index) => queue.enqueue({ paymentId: paymentId(index) })),
    );

    expect(sqs.batches.every((batch) => batch.length <= 10)).toBe(true);
    expect(sqs.batches.length).toBe(10);
    expect(sqs.maxConcurrent()).toBeLessThanOrEqual(4);
    const sent = sqs.batches.flat().map((entry) => JSON.parse(entry.MessageBody).paymentId);
    expect(new Set(sent).size).toBe(95);
  });

  it('fails only the payment whose entry SQS refused', async () => {
    const sqs = fakeSqs((entries) => ({
      Successful: entries
        .filter((e) => e.Id !== '1')
        .map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
    }));
    const queue = new SqsPaymentQueue(QUEUE_URL, sqs.client);

    const results = await Promise.allSettled(
      [0, 1, 2].map((index) => queue.enqueue({ paymentId: paymentId(index) })),
    );

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(PaymentEnqueueError);
    expect((results[1] as PromiseRejectedResult).reason.message).toContain('InternalError');
  });

  it('fails every payment of a batch whose send failed, and keeps sending later ones', async () => {
    let calls = 0;
    const sqs = fakeSqs((entries) =>
      ++calls === 1
        ? new Error('socket hang up')
        : { Successful: entries.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })) },
    );
    const queue = new SqsPaymentQueue(QUEUE_URL, sqs.client);

    const first = await Promise.allSettled([
      queue.enqueue({ paymentId: paymentId(1) }),
      queue.enqueue({ paymentId: paymentId(2) }),
    ]);
    const later = queue.enqueue({ paymentId: paymentId(3) });

    expect(first.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await expect(later).resolves.toBeUndefined();
  });

  it('drains: resolves once every enqueued payment has been sent', async () => {
    const sqs = fakeSqs((entries) => ({
      Successful: entries.map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
    }));
    const queue = new SqsPaymentQueue(QUEUE_URL, sqs.client);
    for (let index = 0; index < 30; index++) void queue.enqueue({ paymentId: paymentId(index) });

    await queue.drain();

    expect(sqs.batches.flat()).toHaveLength(30);
  });
});

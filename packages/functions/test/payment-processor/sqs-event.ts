import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:citadel-dev-payments';

/** One record exactly as Lambda's SQS event source delivers it. */
export function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  const sentAt = String(Date.now() - 1000);
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${createHash('sha256').update(randomUUID()).digest('base64')}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: sentAt,
      SenderId: 'AROAEXAMPLEROLEID:citadel-api',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'citadel-dev-payment-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:citadel-dev-payment-processor',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/citadel-dev-payment-processor',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

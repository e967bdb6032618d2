import type { Logger } from '@aws-lambda-powertools/logger';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  InvalidPaymentMessageError,
  parsePaymentMessage,
  processPayment,
  type PaymentGateway,
} from '@citadel/db';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type pg from 'pg';
import { PaymentNotFoundError } from '../errors.js';

export interface PaymentProcessorDependencies {
  readonly pool: pg.Pool;
  readonly gateway: PaymentGateway;
  readonly logger: Logger;
}

export type PaymentProcessorHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Builds the SQS handler. Each record is processed on its own; a record that fails (a
 * poison message, an unknown payment, the database or gateway unavailable) is reported
 * in `batchItemFailures` so that only it returns to the queue and, after the queue's
 * maximum receives, lands in the DLQ. A whole failed batch is reported the same way
 * rather than thrown, so a poison message never fails the invocation.
 */
export function createPaymentProcessor({
  pool,
  gateway,
  logger,
}: PaymentProcessorDependencies): PaymentProcessorHandler {
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    let paymentId: string;
    try {
      ({ paymentId } = parsePaymentMessage(record.body));
    } catch (error) {
      if (error instanceof InvalidPaymentMessageError) {
        logger.warn('poison payment message', { messageId: record.messageId, reason: error.message });
      }
      throw error;
    }
    const result = await processPayment(pool, paymentId, gateway);
    if (result === 'not_found') {
      logger.warn('payment not found', { messageId: record.messageId, paymentId });
      throw new PaymentNotFoundError(`payment ${paymentId} does not exist`);
    }
    logger.info('payment processed', { messageId: record.messageId, paymentId, result });
  };

  return async (event, context) => {
    logger.addContext(context);
    const response = await processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
    if (response.batchItemFailures.length > 0) {
      logger.error('payment messages failed', {
        failed: response.batchItemFailures.length,
        received: event.Records.length,
        errors: processor.errors.map((error) => `${error.name}: ${error.message}`),
      });
    }
    return response;
  };
}

import { Logger } from '@aws-lambda-powertools/logger';
import { createPool, simulatedGateway } from '@citadel/db';
import { poolOptionsFromEnvironment } from './pool-options.js';
import { createPaymentProcessor } from './process-batch.js';

const logger = new Logger({ serviceName: 'payment-processor' });
const pool = createPool(poolOptionsFromEnvironment(process.env));

/** SQS → payments: settles or fails each queued payment exactly once. */
export const handler = createPaymentProcessor({ pool, gateway: simulatedGateway, logger });

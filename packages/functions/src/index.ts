export * from './errors.js';
export {
  createPaymentProcessor,
  type PaymentProcessorDependencies,
} from './payment-processor/process-batch.js';
export { poolOptionsFromEnvironment } from './payment-processor/pool-options.js';

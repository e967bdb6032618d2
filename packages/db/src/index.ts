export { createPool, type PoolOptions, type UrlPoolOptions, type IamPoolOptions } from './pool.js';
export { IamTokenSource, IAM_TOKEN_LIFETIME_MS, type IamTokenSourceOptions } from './iam-token.js';
export { migrateToLatest, migrationState, type MigrationState } from './migrate.js';
export { MigrationError, DatabaseConfigError } from './errors.js';
export {
  InvalidPaymentMessageError,
  formatPaymentMessage,
  parsePaymentMessage,
  processPayment,
  simulatedGateway,
  type GatewayCharge,
  type GatewayResult,
  type PaymentGateway,
  type PaymentMessage,
  type ProcessPaymentResult,
} from './payments/index.js';

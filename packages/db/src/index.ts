export {
  APP_ROLE,
  DATABASE_NAME,
  OUTBOX_ROLE,
  PROCESSOR_ROLE,
  RETENTION_ROLE,
  SERVICE_ROLES,
  type ServiceRole,
} from './roles.js';
export { createPool, type PoolOptions, type UrlPoolOptions, type IamPoolOptions } from './pool.js';
export { IamTokenSource, IAM_TOKEN_LIFETIME_MS, type IamTokenSourceOptions } from './iam-token.js';
export { migrateToLatest, migrationState, type MigrationState } from './migrate.js';
export { MigrationError, DatabaseConfigError } from './errors.js';
export {
  clientDataProblem,
  isDatabaseUnavailable,
  isUniqueViolation,
  isForeignKeyViolation,
  type ClientDataProblem,
} from './database-errors.js';
export type { AuditContext, AuditEvent, AuditOutcome } from './repositories/audit.js';
export { AuditTrail } from './repositories/audit.js';
export {
  PatientRepository,
  DuplicateMedicalRecordNumberError,
  type NewPatient,
  type Patient,
  type PatientPage,
  type PagePosition,
} from './repositories/patients.js';
export {
  PaymentRepository,
  UnknownPatientError,
  type NewPayment,
  type Payment,
  type PaymentStatus,
  type IdempotentRequest,
  type StoredResponse,
  type CreatePaymentResult,
} from './repositories/payments.js';
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
export {
  IDEMPOTENCY_WINDOW_HOURS,
  JOB_LOCK_IDS,
  OUTBOX_AUDIT_SUBJECT,
  OUTBOX_MAX_PAYMENTS_PER_RUN,
  OUTBOX_PAGE_SIZE,
  OUTBOX_RESEND_AFTER_MINUTES,
  RETENTION_AUDIT_SUBJECT,
  RETENTION_BATCH_SIZE,
  RETENTION_MAX_ROWS_PER_RUN,
  purgeExpiredIdempotencyKeys,
  resendStalePendingPayments,
  type ConnectionSource,
  type JobName,
  type OutboxOptions,
  type OutboxResult,
  type RetentionOptions,
  type RetentionResult,
  type SendPayments,
} from './jobs/index.js';

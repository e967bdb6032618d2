export {
  IDEMPOTENCY_WINDOW_HOURS,
  RETENTION_AUDIT_SUBJECT,
  RETENTION_BATCH_SIZE,
  RETENTION_MAX_ROWS_PER_RUN,
  purgeExpiredIdempotencyKeys,
  type RetentionOptions,
  type RetentionResult,
} from './idempotency-retention.js';
export {
  OUTBOX_AUDIT_SUBJECT,
  OUTBOX_MAX_PAYMENTS_PER_RUN,
  OUTBOX_PAGE_SIZE,
  OUTBOX_RESEND_AFTER_MINUTES,
  resendStalePendingPayments,
  type OutboxOptions,
  type OutboxResult,
  type SendPayments,
} from './payment-outbox.js';
export { JOB_LOCK_IDS, type ConnectionSource, type JobName } from './job-run.js';

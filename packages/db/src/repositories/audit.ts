/** Who touched what, recorded in the same statement or transaction as the access itself. */
export interface AuditContext {
  /** The authenticated principal (JWT `sub`) or a service name such as `payment-processor`. */
  readonly subject: string;
  readonly requestId: string | null;
  readonly sourceIp: string | null;
}

export type AuditOutcome = 'success' | 'not_found' | 'conflict' | 'rejected';

export const AUDIT_COLUMNS = '(subject, action, resource_type, resource_id, request_id, source_ip, outcome)';

import type pg from 'pg';

/** Who touched what, recorded in the same statement or transaction as the access itself. */
export interface AuditContext {
  /** The authenticated principal (JWT `sub`) or a service name such as `payment-processor`. */
  readonly subject: string;
  readonly requestId: string | null;
  readonly sourceIp: string | null;
}

/**
 * `forbidden`: the token lacked the route's scope. `card_data_refused`: the request held a
 * card number; nothing of the request but its route is recorded.
 */
export type AuditOutcome =
  'success' | 'not_found' | 'conflict' | 'rejected' | 'forbidden' | 'card_data_refused';

/** One access or refusal: what was done (or attempted) to which resource, and how it ended. */
export interface AuditEvent {
  /** `create`, `read`, `list` or `replay` (an idempotent retry answered with the stored payment). */
  readonly action: string;
  readonly resourceType: string;
  /** Null when no resource was identified, or the identifier came from an unchecked request. */
  readonly resourceId: string | null;
  readonly outcome: AuditOutcome;
}

export const AUDIT_COLUMNS = '(subject, action, resource_type, resource_id, request_id, source_ip, outcome)';

/**
 * The statement behind `findByIdAudited`: reads one row by id and appends its audit row
 * (`success` or `not_found`) in the same statement. Parameters: $1 id, $2 subject, $3
 * request id, $4 source IP, $5 resource type, $6 action. `table` and `fields` are a
 * repository's own constants, never input.
 */
export function auditedFindStatement(table: string, fields: string): string {
  return `WITH found AS (
       SELECT * FROM ${table} WHERE id = $1
     ), audited AS (
       INSERT INTO audit_events ${AUDIT_COLUMNS}
       SELECT $2, $6, $5, $1::text, $3, $4,
              CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'success' ELSE 'not_found' END
     )
     SELECT ${fields} FROM found`;
}

/**
 * Reads one row by id and appends its audit row (`success` or `not_found`) in the same
 * statement, so a read is never returned without its record. `statement` is built once
 * by `auditedFindStatement`.
 */
export async function findByIdAudited<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  source: {
    readonly statement: string;
    readonly resourceType: string;
    /** @default 'read' */
    readonly action?: string;
  },
  id: string,
  audit: AuditContext,
): Promise<T | null> {
  const { rows } = await pool.query<T>(source.statement, [
    id,
    audit.subject,
    audit.requestId,
    audit.sourceIp,
    source.resourceType,
    source.action ?? 'read',
  ]);
  return rows[0] ?? null;
}

/** Appends one audit row on its own, for an event that has no data access to ride with. */
export async function recordAuditEvent(
  db: Pick<pg.Pool, 'query'>,
  event: AuditEvent,
  audit: AuditContext,
): Promise<void> {
  await db.query(`INSERT INTO audit_events ${AUDIT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    audit.subject,
    event.action,
    event.resourceType,
    event.resourceId,
    audit.requestId,
    audit.sourceIp,
    event.outcome,
  ]);
}

/** Writes audit rows for refusals that happen before any repository is called. */
export class AuditTrail {
  constructor(private readonly pool: pg.Pool) {}

  record(event: AuditEvent, audit: AuditContext): Promise<void> {
    return recordAuditEvent(this.pool, event, audit);
  }
}

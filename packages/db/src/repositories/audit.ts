import type pg from 'pg';

/** Who touched what, recorded in the same statement or transaction as the access itself. */
export interface AuditContext {
  /** The authenticated principal (JWT `sub`) or a service name such as `payment-processor`. */
  readonly subject: string;
  readonly requestId: string | null;
  readonly sourceIp: string | null;
}

export type AuditOutcome = 'success' | 'not_found' | 'conflict' | 'rejected';

export const AUDIT_COLUMNS = '(subject, action, resource_type, resource_id, request_id, source_ip, outcome)';

/**
 * Reads one row by id and appends its audit row (`success` or `not_found`) in the same
 * statement, so a read is never returned without its record. `table` and `fields` are
 * the repository's own constants, never input.
 */
export async function findByIdAudited<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  source: { readonly table: string; readonly fields: string; readonly resourceType: string },
  id: string,
  audit: AuditContext,
): Promise<T | null> {
  const { rows } = await pool.query<T>(
    `WITH found AS (
       SELECT * FROM ${source.table} WHERE id = $1
     ), audited AS (
       INSERT INTO audit_events ${AUDIT_COLUMNS}
       SELECT $2, 'read', $5, $1::text, $3, $4,
              CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'success' ELSE 'not_found' END
     )
     SELECT ${source.fields} FROM found`,
    [id, audit.subject, audit.requestId, audit.sourceIp, source.resourceType],
  );
  return rows[0] ?? null;
}

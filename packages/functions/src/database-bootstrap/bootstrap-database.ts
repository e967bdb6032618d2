import { migrateToLatest } from '@citadel/db';
import pg from 'pg';
import { DatabaseBootstrapError } from '../errors.js';

/** Privileges the application role must never hold on the audit trail. */
export const FORBIDDEN_AUDIT_PRIVILEGES = ['UPDATE', 'DELETE', 'TRUNCATE'] as const;

export interface BootstrapResult {
  readonly migrationsApplied: readonly string[];
}

/**
 * Brings the database to the state the application expects, safely repeatable: applies
 * pending migrations (which create the application role and its grants), lets the role
 * log in by IAM token only (`rds_iam`), and proves it cannot change the audit trail. The
 * role changes and the check share one transaction, so a failed check leaves them undone.
 */
export async function bootstrapDatabase(pool: pg.Pool, appUser: string): Promise<BootstrapResult> {
  const migrationsApplied = await migrateToLatest(pool);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await requireRole(client, appUser, 'the migrations should have created it');
    await requireRole(client, 'rds_iam', 'IAM database authentication needs an RDS PostgreSQL instance');
    const role = pg.escapeIdentifier(appUser);
    await client.query(`ALTER ROLE ${role} LOGIN`);
    await client.query(`GRANT rds_iam TO ${role}`);
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${role}`);
    const held = await heldAuditPrivileges(client, appUser);
    if (held.length > 0) {
      throw new DatabaseBootstrapError(
        `role ${appUser} can still ${held.join(', ')} audit_events (through PUBLIC or another role); revoke it there`,
      );
    }
    await client.query('COMMIT');
    return { migrationsApplied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function requireRole(client: pg.PoolClient, role: string, hint: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (rowCount === 0) throw new DatabaseBootstrapError(`role ${role} does not exist: ${hint}`);
}

async function heldAuditPrivileges(client: pg.PoolClient, appUser: string): Promise<string[]> {
  const { rows } = await client.query<{ privilege: string }>(
    `SELECT privilege FROM unnest($2::text[]) AS privilege
      WHERE has_table_privilege($1, 'audit_events', privilege)`,
    [appUser, FORBIDDEN_AUDIT_PRIVILEGES],
  );
  return rows.map((row) => row.privilege);
}

import { migrateToLatest } from '@citadel/db';
import pg from 'pg';
import { DatabaseBootstrapError } from '../errors.js';

/** Privileges neither login role may hold on the audit trail. */
export const FORBIDDEN_AUDIT_PRIVILEGES = ['UPDATE', 'DELETE', 'TRUNCATE'] as const;
/** Privileges the payment processor's role may not hold on patients: it never needs them. */
export const FORBIDDEN_PROCESSOR_PATIENT_PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
] as const;
/** Payment columns only the processor may change: the API creates payments, it never settles them. */
export const PROCESSOR_ONLY_PAYMENT_COLUMNS = ['status', 'failure_reason', 'processed_at'] as const;

/** The database roles the deployed workloads sign in as, each by IAM token. */
export interface DatabaseRoles {
  /** The API's role: creates and reads patients and payments. */
  readonly appUser: string;
  /** The payment processor's role: settles or fails pending payments. */
  readonly processorUser: string;
}

export interface BootstrapResult {
  readonly migrationsApplied: readonly string[];
}

/**
 * Brings the database to the state the application expects, safely repeatable: applies
 * pending migrations (which create both roles and their grants), lets each role log in by
 * IAM token only (`rds_iam`), and proves the separation holds whatever else was granted
 * (through PUBLIC or another role): neither can change the audit trail, the API cannot
 * change a payment's outcome, and the processor cannot touch patients. The role changes
 * and the checks share one transaction, so a failed check leaves them undone.
 */
export async function bootstrapDatabase(pool: pg.Pool, roles: DatabaseRoles): Promise<BootstrapResult> {
  const migrationsApplied = await migrateToLatest(pool);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await requireRole(client, 'rds_iam', 'IAM database authentication needs an RDS PostgreSQL instance');
    for (const user of [roles.appUser, roles.processorUser]) {
      await requireRole(client, user, 'the migrations should have created it');
      const role = pg.escapeIdentifier(user);
      await client.query(`ALTER ROLE ${role} LOGIN`);
      await client.query(`GRANT rds_iam TO ${role}`);
      await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${role}`);
    }
    const held = [
      ...(await heldTablePrivileges(client, roles.appUser, 'audit_events', FORBIDDEN_AUDIT_PRIVILEGES)),
      ...(await heldTablePrivileges(client, roles.processorUser, 'audit_events', FORBIDDEN_AUDIT_PRIVILEGES)),
      ...(await heldPaymentOutcomeUpdates(client, roles.appUser)),
      ...(await heldTablePrivileges(
        client,
        roles.processorUser,
        'patients',
        FORBIDDEN_PROCESSOR_PATIENT_PRIVILEGES,
      )),
    ];
    if (held.length > 0) {
      throw new DatabaseBootstrapError(
        `${held.join('; ')} (through PUBLIC or another role): revoke it there`,
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

async function heldTablePrivileges(
  client: pg.PoolClient,
  user: string,
  table: string,
  privileges: readonly string[],
): Promise<string[]> {
  const { rows } = await client.query<{ privilege: string }>(
    `SELECT privilege FROM unnest($3::text[]) AS privilege
      WHERE has_table_privilege($1, $2, privilege)`,
    [user, table, privileges],
  );
  return rows.length > 0
    ? [`role ${user} can still ${rows.map((row) => row.privilege).join(', ')} ${table}`]
    : [];
}

async function heldPaymentOutcomeUpdates(client: pg.PoolClient, user: string): Promise<string[]> {
  const { rows } = await client.query<{ column: string }>(
    `SELECT column_name AS column FROM unnest($2::text[]) AS column_name
      WHERE has_column_privilege($1, 'payments', column_name, 'UPDATE')`,
    [user, PROCESSOR_ONLY_PAYMENT_COLUMNS],
  );
  return rows.map((row) => `role ${user} can still UPDATE payments.${row.column}`);
}

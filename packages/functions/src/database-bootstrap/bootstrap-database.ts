import { migrateToLatest } from '@citadel/db';
import pg from 'pg';
import { DatabaseBootstrapError, ResourcePropertiesError } from '../errors.js';

/** Privileges no workload's login role may hold on the audit trail. */
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
  /** Every workload's role, `appUser` and `processorUser` among them; checked by `loginRolesProblem`. */
  readonly loginRoles: readonly string[];
}

export interface BootstrapOptions {
  /**
   * The login roles the previous run was given (an Update's old properties): those no longer
   * listed lose LOGIN and `rds_iam`. They are never dropped, so what they own stays.
   * @default - none: no role loses its login
   */
  readonly previousLoginRoles?: readonly string[];
}

export interface BootstrapResult {
  readonly migrationsApplied: readonly string[];
  /** Listed roles no migration had created, which the bootstrap created with nothing but its login. */
  readonly rolesCreated: readonly string[];
  /** Roles no longer listed that lost LOGIN and `rds_iam`. */
  readonly rolesWithdrawn: readonly string[];
}

/**
 * Brings the database to the state the application expects, safely repeatable: applies
 * pending migrations (which create the Citadel roles and their grants), creates any other
 * listed role with no privileges, lets each listed role log in by IAM token only (`rds_iam`)
 * and connect to this database, takes login away from roles no longer listed, and proves
 * the separation holds whatever else was granted (through PUBLIC or another role): no
 * workload can change the audit trail, the API cannot change a payment's outcome, and the
 * processor cannot touch patients. The role changes and the checks share one transaction,
 * so a failed check leaves them undone.
 */
export async function bootstrapDatabase(
  pool: pg.Pool,
  roles: DatabaseRoles,
  options: BootstrapOptions = {},
): Promise<BootstrapResult> {
  const migrationsApplied = await migrateToLatest(pool);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await requireRole(client, 'rds_iam', 'IAM database authentication needs an RDS PostgreSQL instance');
    const { rows } = await client.query<{ master: string; database: string }>(
      'SELECT session_user AS master, current_database() AS database',
    );
    const { master, database } = rows[0] as { master: string; database: string };
    if (roles.loginRoles.includes(master)) {
      throw new ResourcePropertiesError(
        `property LoginRoles lists "${master}", the master user: a workload signs in as its own role, never as the master`,
      );
    }
    await requireRole(client, roles.appUser, 'the migrations should have created it');
    await requireRole(client, roles.processorUser, 'the migrations should have created it');
    const rolesCreated = await createMissingRoles(client, roles.loginRoles);
    await refuseAdministrativeRoles(client, roles.loginRoles);
    const onDatabase = pg.escapeIdentifier(database);
    await enableLogins(client, roles.loginRoles, onDatabase);
    const rolesWithdrawn = await withdrawLogins(
      client,
      (options.previousLoginRoles ?? []).filter(
        (role) => role !== master && !roles.loginRoles.includes(role),
      ),
      onDatabase,
    );
    const held = [
      await heldAuditWrites(client, roles.loginRoles),
      await heldPaymentOutcomeUpdates(client, roles.appUser),
      await heldTablePrivileges(
        client,
        roles.processorUser,
        'patients',
        FORBIDDEN_PROCESSOR_PATIENT_PRIVILEGES,
      ),
    ].flat();
    if (held.length > 0) {
      throw new DatabaseBootstrapError(
        `${held.join('; ')} (through PUBLIC or another role): revoke it there`,
      );
    }
    await client.query('COMMIT');
    return { migrationsApplied, rolesCreated, rolesWithdrawn };
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

/** A workload's role that no migration created starts with no privileges; its own migrations grant it what it needs. */
async function createMissingRoles(client: pg.PoolClient, roles: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ role: string }>(
    `SELECT role FROM unnest($1::text[]) WITH ORDINALITY AS listed(role, position)
      WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = listed.role)
      ORDER BY position`,
    [roles],
  );
  for (const { role } of rows) {
    await client.query(`CREATE ROLE ${pg.escapeIdentifier(role)} NOLOGIN`);
  }
  return rows.map((row) => row.role);
}

/** A role that can administer the cluster is no workload's role: signing in as it would bypass every rule proven here. */
async function refuseAdministrativeRoles(client: pg.PoolClient, roles: readonly string[]): Promise<void> {
  const { rows } = await client.query<{ role: string; powers: string[] }>(
    `SELECT rolname AS role,
            array_remove(ARRAY[
              CASE WHEN rolsuper THEN 'SUPERUSER' END,
              CASE WHEN rolcreaterole THEN 'CREATEROLE' END,
              CASE WHEN rolcreatedb THEN 'CREATEDB' END,
              CASE WHEN rolreplication THEN 'REPLICATION' END,
              CASE WHEN rolbypassrls THEN 'BYPASSRLS' END,
              CASE WHEN to_regrole('rds_superuser') IS NOT NULL
                    AND pg_has_role(oid, to_regrole('rds_superuser'), 'MEMBER')
                   THEN 'member of rds_superuser' END
            ], NULL) AS powers
       FROM pg_roles WHERE rolname = ANY($1::text[])
      ORDER BY rolname`,
    [roles],
  );
  const administrative = rows.filter((row) => row.powers.length > 0);
  if (administrative.length > 0) {
    throw new DatabaseBootstrapError(
      `${administrative.map((row) => `role ${row.role} holds ${row.powers.join(', ')}`).join('; ')}: ` +
        'a workload role listed in LoginRoles may not administer the cluster; remove it from the list or take the attribute away',
    );
  }
}

/**
 * IAM sign-in and CONNECT (so a database that took CONNECT from PUBLIC still admits them),
 * and no direct grant that would change the audit trail.
 */
async function enableLogins(
  client: pg.PoolClient,
  roles: readonly string[],
  onDatabase: string,
): Promise<void> {
  for (const user of roles) {
    const role = pg.escapeIdentifier(user);
    await client.query(`ALTER ROLE ${role} LOGIN`);
    await client.query(`GRANT rds_iam TO ${role}`);
    await client.query(`GRANT CONNECT ON DATABASE ${onDatabase} TO ${role}`);
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM ${role}`);
  }
}

/** Roles no longer listed keep their objects and grants, but can no longer sign in. */
async function withdrawLogins(
  client: pg.PoolClient,
  roles: readonly string[],
  onDatabase: string,
): Promise<string[]> {
  const { rows } = await client.query<{ role: string }>(
    'SELECT rolname AS role FROM pg_roles WHERE rolname = ANY($1::text[]) ORDER BY rolname',
    [roles],
  );
  for (const { role: user } of rows) {
    const role = pg.escapeIdentifier(user);
    await client.query(`ALTER ROLE ${role} NOLOGIN`);
    await client.query(`REVOKE rds_iam FROM ${role}`);
    await client.query(`REVOKE CONNECT ON DATABASE ${onDatabase} FROM ${role}`);
  }
  return rows.map((row) => row.role);
}
/** One query for every listed role, in list order, so a long list costs no more round trips. */
async function heldAuditWrites(client: pg.PoolClient, roles: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ role: string; privileges: string[] }>(
    `SELECT role, array_agg(privilege ORDER BY privilege_position) AS privileges
       FROM unnest($1::text[]) WITH ORDINALITY AS listed(role, role_position),
            unnest($2::text[]) WITH ORDINALITY AS forbidden(privilege, privilege_position)
      WHERE has_table_privilege(role, 'audit_events', privilege)
      GROUP BY role, role_position
      ORDER BY role_position`,
    [roles, FORBIDDEN_AUDIT_PRIVILEGES],
  );
  return rows.map((row) => `role ${row.role} can still ${row.privileges.join(', ')} audit_events`);
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

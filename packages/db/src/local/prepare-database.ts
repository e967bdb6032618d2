import pg from 'pg';
import { migrateToLatest } from '../migrate.js';
import { createPool } from '../pool.js';
import { APP_ROLE, OUTBOX_ROLE, PROCESSOR_ROLE, RETENTION_ROLE } from '../roles.js';

// Local-only passwords of the application roles, on clusters bound to 127.0.0.1 that local
// mode, tests and benchmarks start. In AWS the roles log in with IAM tokens instead.
const LOCAL_APP_PASSWORD = 'citadel-app-local';
const LOCAL_PROCESSOR_PASSWORD = 'citadel-processor-local';
const LOCAL_RETENTION_PASSWORD = 'citadel-retention-local';
const LOCAL_OUTBOX_PASSWORD = 'citadel-outbox-local';

/** The API's database role, created by the migrations. */
export const API_DATABASE_ROLE = APP_ROLE;
/** The payment processor's database role, created by the migrations. */
export const PROCESSOR_DATABASE_ROLE = PROCESSOR_ROLE;

/** Role names and passwords are constants of this module, never input. */
const LOCAL_LOGINS: ReadonlyArray<readonly [string, string]> = [
  [APP_ROLE, LOCAL_APP_PASSWORD],
  [PROCESSOR_ROLE, LOCAL_PROCESSOR_PASSWORD],
  [RETENTION_ROLE, LOCAL_RETENTION_PASSWORD],
  [OUTBOX_ROLE, LOCAL_OUTBOX_PASSWORD],
];

export interface LocalDatabase {
  /** Superuser URL of the database: for migrations, seeding and assertions. */
  readonly adminUrl: string;
  /** URL that logs in as the application role `citadel_app`, as the API does. */
  readonly appUrl: string;
  /** URL that logs in as `citadel_processor`, as the payment processor does. */
  readonly processorUrl: string;
  /** URL that logs in as `citadel_retention`, as the idempotency-key retention job does. */
  readonly retentionUrl: string;
  /** URL that logs in as `citadel_outbox`, as the payment outbox sweeper does. */
  readonly outboxUrl: string;
  /** Names of the migrations this call applied. */
  readonly applied: string[];
}

/**
 * Creates `database` on a local cluster when missing, applies the migrations and lets the
 * API's, the payment processor's and the maintenance jobs' roles log in with their local passwords. Safe to run again on the same database.
 */
export async function prepareLocalDatabase(serverUrl: string, database: string): Promise<LocalDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
    throw new Error(`database name '${database}' must be a lowercase SQL identifier`);
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = `/${database}`;
  const pool = createPool({
    kind: 'url',
    connectionString: adminUrl.href,
    max: 2,
    statementTimeoutMs: 60_000,
  });
  let applied: string[];
  try {
    applied = await migrateToLatest(pool);
    for (const [role, password] of LOCAL_LOGINS) {
      await pool.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD '${password}'`);
    }
  } finally {
    await pool.end();
  }
  return {
    adminUrl: adminUrl.href,
    appUrl: urlAs(adminUrl, APP_ROLE, LOCAL_APP_PASSWORD),
    processorUrl: urlAs(adminUrl, PROCESSOR_ROLE, LOCAL_PROCESSOR_PASSWORD),
    retentionUrl: urlAs(adminUrl, RETENTION_ROLE, LOCAL_RETENTION_PASSWORD),
    outboxUrl: urlAs(adminUrl, OUTBOX_ROLE, LOCAL_OUTBOX_PASSWORD),
    applied,
  };
}

function urlAs(base: URL, user: string, password: string): string {
  const url = new URL(base.href);
  url.username = user;
  url.password = password;
  return url.href;
}

import pg from 'pg';
import { migrateToLatest } from '../migrate.js';
import { createPool } from '../pool.js';

// Local-only password of the application role, on clusters bound to 127.0.0.1 that local
// mode, tests and benchmarks start. In AWS the role logs in with IAM tokens instead.
const LOCAL_APP_PASSWORD = 'citadel-app-local';

export interface LocalDatabase {
  /** Superuser URL of the database: for migrations, seeding and assertions. */
  readonly adminUrl: string;
  /** URL that logs in as the application role `citadel_app`, as the API does. */
  readonly appUrl: string;
  /** Names of the migrations this call applied. */
  readonly applied: string[];
}

/**
 * Creates `database` on a local cluster when missing, applies the migrations and lets the
 * application role log in with the local password. Safe to run again on the same database.
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
    await pool.query(`ALTER ROLE citadel_app WITH LOGIN PASSWORD '${LOCAL_APP_PASSWORD}'`);
  } finally {
    await pool.end();
  }
  const appUrl = new URL(adminUrl.href);
  appUrl.username = 'citadel_app';
  appUrl.password = LOCAL_APP_PASSWORD;
  return { adminUrl: adminUrl.href, appUrl: appUrl.href, applied };
}

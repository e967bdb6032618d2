import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrateToLatest } from '../migrate.js';
import './provided-context.js';

export interface TestDatabase {
  readonly name: string;
  /** Superuser URL for this database: for assertions and setup, never for the code under test when a role matters. */
  readonly adminUrl: string;
  /** URL that logs in as the application role `citadel_app`. */
  readonly appUrl: string;
  drop(): Promise<void>;
}

const APP_PASSWORD = 'citadel-app-local';

/** A fresh, migrated database on the run's embedded PostgreSQL, private to the calling test file. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = new URL(inject('postgresAdminUrl'));
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const adminUrl = withDatabase(serverUrl, name);
  if (options.migrate ?? true) {
    const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
    try {
      await migrateToLatest(pool);
      await pool.query(`ALTER ROLE citadel_app WITH LOGIN PASSWORD '${APP_PASSWORD}'`);
    } finally {
      await pool.end();
    }
  }
  const appUrl = new URL(adminUrl);
  appUrl.username = 'citadel_app';
  appUrl.password = APP_PASSWORD;
  return {
    name,
    adminUrl,
    appUrl: appUrl.href,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl.href });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function withDatabase(serverUrl: URL, database: string): string {
  const url = new URL(serverUrl.href);
  url.pathname = `/${database}`;
  return url.href;
}

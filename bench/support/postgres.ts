import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrateToLatest } from '@citadel/db';
import { startEmbeddedPostgres, type RunningPostgres } from '@citadel/db/local';
import getPort from 'get-port';
import pg from 'pg';

const DATABASE = 'citadel';
// Local-only password of the application role on a throwaway cluster bound to 127.0.0.1.
const APP_PASSWORD = 'citadel-app-local';

export interface PrivatePostgres {
  readonly cluster: RunningPostgres;
  /** Superuser URL of the `citadel` database: for seeding and assertions. */
  readonly adminUrl: string;
  /** URL logging in as the application role `citadel_app`, as the API does in AWS. */
  readonly appUrl: string;
  /** Stops the cluster and deletes its data directory. */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster of this process, migrated, with the application role
 * able to log in. Benchmarks and fault tests stop and start it, so it is never the
 * cluster shared by the unit tests.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = await mkdtemp(join(tmpdir(), 'citadel-bench-pg-'));
  await chmod(root, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: join(root, 'data'), port: await getPort() });
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const adminUrl = cluster.urlFor(DATABASE);
  const pool = createPool({ kind: 'url', connectionString: adminUrl, max: 2, statementTimeoutMs: 60_000 });
  try {
    await migrateToLatest(pool);
    await pool.query(`ALTER ROLE citadel_app WITH LOGIN PASSWORD '${APP_PASSWORD}'`);
  } finally {
    await pool.end();
  }
  const appUrl = new URL(adminUrl);
  appUrl.username = 'citadel_app';
  appUrl.password = APP_PASSWORD;
  return {
    cluster,
    adminUrl,
    appUrl: appUrl.href,
    destroy: async () => {
      await cluster.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

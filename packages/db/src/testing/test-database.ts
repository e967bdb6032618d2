import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { prepareLocalDatabase } from '../local/prepare-database.js';
import './provided-context.js';

export interface TestDatabase {
  readonly name: string;
  /** Superuser URL for this database: for assertions and setup, never for the code under test when a role matters. */
  readonly adminUrl: string;
  /** URL that logs in as the application role `citadel_app`; empty when not migrated. */
  readonly appUrl: string;
  /** URL that logs in as the payment processor's role `citadel_processor`; empty when not migrated. */
  readonly processorUrl: string;
  /** URL that logs in as the idempotency-key retention job's role `citadel_retention`; empty when not migrated. */
  readonly retentionUrl: string;
  /** URL that logs in as the payment outbox sweeper's role `citadel_outbox`; empty when not migrated. */
  readonly outboxUrl: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the run's embedded PostgreSQL, private to the calling test file. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = new URL(inject('postgresAdminUrl'));
  const name = `t_${randomBytes(6).toString('hex')}`;
  let urls: Omit<TestDatabase, 'name' | 'drop'>;
  if (options.migrate ?? true) {
    urls = await prepareLocalDatabase(serverUrl.href, name);
  } else {
    const admin = new pg.Client({ connectionString: serverUrl.href });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const adminUrl = new URL(serverUrl.href);
    adminUrl.pathname = `/${name}`;
    urls = { adminUrl: adminUrl.href, appUrl: '', processorUrl: '', retentionUrl: '', outboxUrl: '' };
  }
  return {
    name,
    ...urls,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl.href });
      await client.connect();
      try {
        // A pool's end() resolves before its sockets have closed: give those connections up to
        // two seconds to go, so FORCE does not terminate a client mid-close (its pool would
        // raise the termination as an unhandled 'error').
        for (let waited = 0; waited < 2_000; waited += 50) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]!.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

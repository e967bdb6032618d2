import { sql, type Migration } from 'kysely';
import pg from 'pg';
import { migrations } from '../../src/migrations/index.js';
import { releases } from '../../src/migrations/released.js';
import { checkMigrationSafety, type MigrationVerdict } from '../../src/migration-safety/index.js';
import type { Release } from '../../src/migrations/released.js';
import { createTestDatabase } from '../../src/testing/index.js';

/** A migration that runs `statements`, and exports `change` when given one. */
export function fixtureMigration(statements: string, change?: unknown): Migration {
  const migration: Migration & { change?: unknown } = {
    up: async (db) => {
      await sql.raw(statements).execute(db);
    },
  };
  if (change !== undefined) migration.change = change;
  return migration;
}

/** Citadel's migrations followed by `extra`, with the released record followed by `extraReleases`. */
export function withCitadel(
  extra: Record<string, Migration>,
  extraReleases: readonly Release[] = [],
): { migrations: Record<string, Migration>; releases: Release[] } {
  return { migrations: { ...migrations, ...extra }, releases: [...releases, ...extraReleases] };
}

/** A fresh, empty database and a superuser pool on it; `close` returns once every connection has closed, then drops it. */
export async function openScratchDatabase(): Promise<{ pool: pg.Pool; close: () => Promise<void> }> {
  const database = await createTestDatabase({ migrate: false });
  const pool = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
  const closed: Promise<void>[] = [];
  // pool.end() resolves before the server has seen every session end; dropping the database
  // then would terminate a closing session and surface as an unhandled error.
  pool.on('connect', (client) => closed.push(new Promise((resolve) => client.once('end', () => resolve()))));
  return {
    pool,
    close: async () => {
      await pool.end();
      await Promise.all(closed);
      await database.drop();
    },
  };
}

/** Runs the check on a fresh, empty database of its own. */
export async function checkOnScratchDatabase(input: {
  migrations: Record<string, Migration>;
  releases: readonly Release[];
}): Promise<MigrationVerdict[]> {
  const { pool, close } = await openScratchDatabase();
  try {
    return await checkMigrationSafety({ pool, ...input });
  } finally {
    await close();
  }
}

export function verdictOf(verdicts: readonly MigrationVerdict[], name: string): MigrationVerdict {
  const verdict = verdicts.find((entry) => entry.name === name);
  if (!verdict) throw new Error(`no verdict for ${name}`);
  return verdict;
}

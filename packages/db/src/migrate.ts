import { Kysely, Migrator, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { MigrationError } from './errors.js';
import { migrations } from './migrations/index.js';

export const MIGRATION_TABLE = 'schema_migrations';
export const MIGRATION_LOCK_TABLE = 'schema_migrations_lock';
const latestMigration = Object.keys(migrations).sort().at(-1);

function migratorFor(pool: pg.Pool): { db: Kysely<unknown>; migrator: Migrator } {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  return { db, migrator };
}

/** Applies every pending migration, each in its own transaction, under Kysely's advisory lock. */
export async function migrateToLatest(pool: pg.Pool): Promise<string[]> {
  const { migrator } = migratorFor(pool);
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

export interface MigrationState {
  readonly current: boolean;
  readonly applied: string | null;
  readonly expected: string | null;
}

/** One cheap query: is the newest migration this code knows about recorded as applied? */
export async function migrationState(pool: pg.Pool | pg.PoolClient): Promise<MigrationState> {
  const { rows } = await pool
    .query<{ name: string | null; known: boolean }>(
      `SELECT (SELECT max(name) FROM ${MIGRATION_TABLE}) AS name,
            EXISTS (SELECT 1 FROM ${MIGRATION_TABLE} WHERE name = $1) AS known`,
      [latestMigration ?? ''],
    )
    .catch((error: unknown) => {
      if (isUndefinedTable(error)) return { rows: [{ name: null, known: false }] };
      throw error;
    });
  const applied = rows[0]?.name ?? null;
  return {
    current: latestMigration === undefined || rows[0]?.known === true,
    applied,
    expected: latestMigration ?? null,
  };
}

function isUndefinedTable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '42P01';
}

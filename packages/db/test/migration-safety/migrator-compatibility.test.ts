import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../src/migrate.js';
import { readChange } from '../../src/migration-safety/index.js';
import { migrations } from '../../src/migrations/index.js';
import * as addVisitNote from './modules/0005_add_visit_note.js';
import { openScratchDatabase } from './fixtures.js';

describe('a migration module that exports change metadata', () => {
  it('is applied by Kysely’s migrator like any other, and its mark is read from the same module', async () => {
    // Prepare
    const { pool, close } = await openScratchDatabase();
    const migrator = new Migrator({
      db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }),
      provider: { getMigrations: async () => ({ ...migrations, '0005_add_visit_note': addVisitNote }) },
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });

    try {
      // Act
      const { error, results = [] } = await migrator.migrateToLatest();

      // Assess
      expect(error).toBeUndefined();
      expect(results.map((result) => [result.migrationName, result.status])).toEqual(
        [...Object.keys(migrations).sort(), '0005_add_visit_note'].map((name) => [name, 'Success']),
      );
      const { rows } = await pool.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS recorded,
        EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'payments' AND column_name = 'visit_note') AS added`);
      expect(rows).toEqual([{ recorded: true, added: true }]);
      expect(readChange('0005_add_visit_note', addVisitNote)).toEqual({ step: 'expand' });
    } finally {
      await close();
    }
  });
});

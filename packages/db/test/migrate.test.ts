import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationState } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

describe('migrations', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
    pool = new pg.Pool({ connectionString: database.adminUrl, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('reports a fresh database as not current', async () => {
    const state = await migrationState(pool);

    expect(state).toEqual({ current: false, applied: null, expected: Object.keys(migrations).at(-1) });
  });

  it('applies every migration, in order, to a fresh database', async () => {
    const applied = await migrateToLatest(pool);

    expect(applied).toEqual(Object.keys(migrations).sort());
    expect((await migrationState(pool)).current).toBe(true);
  });

  it('applies nothing the second time', async () => {
    expect(await migrateToLatest(pool)).toEqual([]);
  });

  it('numbers migrations with four digits so that name order is apply order', () => {
    for (const name of Object.keys(migrations)) expect(name).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });
});

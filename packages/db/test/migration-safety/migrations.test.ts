import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMigrationSafety, type MigrationVerdict } from '../../src/migration-safety/index.js';
import { migrations } from '../../src/migrations/index.js';
import { releases } from '../../src/migrations/released.js';
import { openScratchDatabase, verdictOf } from './fixtures.js';

describe("Citadel's migrations", () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let verdicts: MigrationVerdict[];

  beforeAll(async () => {
    ({ pool, close } = await openScratchDatabase());
    verdicts = await assertMigrationSafety({ pool, migrations, releases });
  });
  afterAll(async () => {
    await close();
  });

  it('never strand the revision running before them during a progressive deploy', () => {
    expect(verdicts.filter((verdict) => verdict.refusal !== undefined)).toEqual([]);
    expect(verdicts.map((verdict) => verdict.name)).toEqual(Object.keys(migrations).sort());
  });

  it('treat the first release, which created the schema from nothing, as the baseline', () => {
    const first = releases[0];
    for (const verdict of verdicts) {
      expect(verdict.baseline).toBe(first !== undefined && verdict.name <= first.lastMigration);
    }
  });

  it("see what each baseline migration did, including 0003's narrowing of the API's payment privileges", () => {
    expect(verdictOf(verdicts, '0002_patients_payments_audit').changes).toContainEqual({
      object: 'payments',
      description: 'adds table payments',
      breaking: false,
    });
    const narrowing = verdictOf(verdicts, '0003_payment_processor_role').changes.filter(
      (change) => change.breaking,
    );
    expect(narrowing.map((change) => change.description)).toEqual(
      expect.arrayContaining([
        'revokes INSERT on payments (created_at, failure_reason, id, processed_at, status) from citadel_app, which the previous revision may use',
        'revokes UPDATE on payments (failure_reason, processed_at, status) from citadel_app, which the previous revision may use',
      ]),
    );
  });

  it('leave the database where migrateToLatest would: every migration recorded as applied', async () => {
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
  });
});

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  checkMigrationSafety,
  MigrationMetadataError,
  ReleaseRecordError,
  UnsafeMigrationError,
  assertMigrationSafety,
} from '../../src/migration-safety/index.js';
import {
  checkOnScratchDatabase,
  fixtureMigration,
  openScratchDatabase,
  verdictOf,
  withCitadel,
} from './fixtures.js';

const EXPAND_ADDS_NOTE = `ALTER TABLE payments ADD COLUMN note text`;

/** Refuses every connection: a check that fails on validation must never reach the database. */
const unreachablePool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });

describe.concurrent('the migration safety check', () => {
  describe('refuses a migration that breaks the previous revision', () => {
    it.each([
      [
        'drops a column',
        `ALTER TABLE payments DROP COLUMN failure_reason`,
        'drops column payments.failure_reason',
      ],
      [
        'renames a column',
        `ALTER TABLE payments RENAME COLUMN failure_reason TO failure_detail`,
        'drops column payments.failure_reason',
      ],
      [
        'adds a NOT NULL column without a default',
        `ALTER TABLE patients ADD COLUMN email text NOT NULL`,
        'adds NOT NULL column patients.email without a default',
      ],
      ['drops a table', `DROP TABLE idempotency_keys`, 'drops table idempotency_keys'],
      ['renames a table', `ALTER TABLE patients RENAME TO people`, 'drops table patients'],
      [
        'changes a column’s type',
        `ALTER TABLE payments ALTER COLUMN amount TYPE numeric`,
        'changes the type of payments.amount from bigint to numeric',
      ],
      [
        'narrows a column’s type',
        `ALTER TABLE payments ALTER COLUMN currency TYPE char(2) USING left(currency, 2)`,
        'changes the type of payments.currency from character(3) to character(2)',
      ],
      [
        'makes an existing column NOT NULL',
        `ALTER TABLE audit_events ALTER COLUMN request_id SET NOT NULL`,
        'makes audit_events.request_id NOT NULL',
      ],
      [
        'drops the default of a NOT NULL column',
        `ALTER TABLE payments ALTER COLUMN status DROP DEFAULT`,
        'drops the default of NOT NULL column payments.status',
      ],
      [
        'revokes a privilege a service role holds',
        `REVOKE SELECT ON patients FROM citadel_app`,
        'revokes SELECT on patients (created_at, created_by, date_of_birth, id, medical_record_number, name) from citadel_app',
      ],
      [
        'revokes a column privilege',
        `REVOKE SELECT (status) ON payments FROM citadel_outbox`,
        'revokes SELECT on payments (status) from citadel_outbox',
      ],
      [
        'drops a function',
        `DROP FUNCTION audit_events_append_only() CASCADE`,
        'drops function audit_events_append_only()',
      ],
    ])(
      'fails when a migration %s, naming the migration, the object and the fix',
      async (_what, statement, finding) => {
        // Prepare
        const input = withCitadel({ '0005_unsafe_change': fixtureMigration(statement) });

        // Act
        const verdicts = await checkOnScratchDatabase(input);

        // Assess
        const refused = verdicts.filter((verdict) => verdict.refusal !== undefined);
        expect(refused.map((verdict) => verdict.name)).toEqual(['0005_unsafe_change']);
        const refusal = refused[0]?.refusal ?? '';
        expect(refusal).toMatch(/^0005_unsafe_change would break the previous revision/);
        expect(refusal).toContain(finding);
        expect(refusal).toContain(`change = { step: 'contract', expands: '<the expand migration>' }`);
        expect(refusal).toContain('docs/migrations.md');
      },
    );

    it.each([
      [
        'drops an enum value',
        `CREATE TYPE visit_kind AS ENUM ('in_person', 'video')`,
        `ALTER TYPE visit_kind RENAME TO visit_kind_old;
         CREATE TYPE visit_kind AS ENUM ('in_person');
         DROP TYPE visit_kind_old`,
        'drops value "video" of enum visit_kind',
      ],
      [
        'drops a view',
        `CREATE VIEW pending_payments AS SELECT id, created_at FROM payments WHERE status = 'pending'`,
        `DROP VIEW pending_payments`,
        'drops view pending_payments',
      ],
      [
        'drops a view’s column',
        `CREATE VIEW pending_payments AS SELECT id, created_at FROM payments WHERE status = 'pending'`,
        `DROP VIEW pending_payments; CREATE VIEW pending_payments AS SELECT id FROM payments WHERE status = 'pending'`,
        'drops column pending_payments.created_at',
      ],
      [
        'changes a function’s result',
        `CREATE FUNCTION payment_count() RETURNS integer LANGUAGE sql AS 'SELECT count(*)::int FROM payments'`,
        `DROP FUNCTION payment_count(); CREATE FUNCTION payment_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM payments'`,
        'changes the result of payment_count() from integer to bigint',
      ],
    ])('fails when a later migration %s an earlier one added', async (_what, expand, breaking, finding) => {
      // Prepare
      const input = withCitadel({
        '0005_add_object': fixtureMigration(expand),
        '0006_break_object': fixtureMigration(breaking),
      });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      expect(verdictOf(verdicts, '0005_add_object').refusal).toBeUndefined();
      expect(verdictOf(verdicts, '0006_break_object').refusal).toContain(finding);
    });
  });

  describe('accepts an additive migration', () => {
    it.each([
      ['a nullable column', `ALTER TABLE payments ADD COLUMN note text`, 'adds column payments.note text'],
      [
        'a NOT NULL column with a default',
        `ALTER TABLE payments ADD COLUMN channel text NOT NULL DEFAULT 'web'`,
        'adds column payments.channel text NOT NULL with a default',
      ],
      [
        'a NOT NULL identity column',
        `ALTER TABLE patients ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY`,
        'adds column patients.seq bigint NOT NULL with a default',
      ],
      [
        'a table',
        `CREATE TABLE invoices (id uuid PRIMARY KEY, total bigint NOT NULL)`,
        'adds table invoices',
      ],
      [
        'a grant to a new role',
        `DO $$ BEGIN CREATE ROLE citadel_fixture_reader NOLOGIN;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
         GRANT SELECT (amount) ON payments TO citadel_fixture_reader`,
        'grants SELECT on payments (amount) to citadel_fixture_reader',
      ],
      [
        'a dropped NOT NULL',
        `ALTER TABLE payments ALTER COLUMN description DROP NOT NULL`,
        'lets payments.description be NULL',
      ],
      [
        'a function',
        `CREATE FUNCTION one() RETURNS integer LANGUAGE sql AS 'SELECT 1'`,
        'adds function one()',
      ],
    ])('adding %s', async (_what, statement, finding) => {
      // Prepare
      const input = withCitadel({ '0005_additive_change': fixtureMigration(statement) });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      const verdict = verdictOf(verdicts, '0005_additive_change');
      expect(verdict.refusal).toBeUndefined();
      expect(verdict.changes).toContainEqual(
        expect.objectContaining({ description: finding, breaking: false }),
      );
      expect(verdict.changes.filter((change) => change.breaking)).toEqual([]);
    });

    it.each([
      ['an index', `CREATE INDEX payments_status ON payments (status)`],
      ['a changed default', `ALTER TABLE payments ALTER COLUMN status SET DEFAULT 'failed'`],
      [
        'column privileges that replace a table privilege and grant the same columns',
        `REVOKE SELECT ON patients FROM citadel_app;
         GRANT SELECT (id, name, date_of_birth, medical_record_number, created_by, created_at) ON patients TO citadel_app`,
      ],
    ])('%s, which changes nothing the previous revision can do', async (_what, statement) => {
      // Prepare
      const input = withCitadel({ '0005_neutral_change': fixtureMigration(statement) });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      expect(verdictOf(verdicts, '0005_neutral_change')).toMatchObject({ changes: [], refusal: undefined });
    });

    it('widening a varchar column, and refuses narrowing it back', async () => {
      // Prepare
      const input = withCitadel({
        '0005_add_code': fixtureMigration(`ALTER TABLE payments ADD COLUMN code varchar(8)`),
        '0006_widen_code': fixtureMigration(`ALTER TABLE payments ALTER COLUMN code TYPE varchar(32)`),
        '0007_unlimit_code': fixtureMigration(`ALTER TABLE payments ALTER COLUMN code TYPE text`),
        '0008_narrow_code': fixtureMigration(`ALTER TABLE payments ALTER COLUMN code TYPE varchar(16)`),
      });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      expect(
        verdicts.filter((verdict) => verdict.refusal !== undefined).map((verdict) => verdict.name),
      ).toEqual(['0008_narrow_code']);
    });
  });

  describe('expand/contract', () => {
    const expand = fixtureMigration(EXPAND_ADDS_NOTE, { step: 'expand' });
    const contract = fixtureMigration(`ALTER TABLE payments DROP COLUMN failure_reason`, {
      step: 'contract',
      expands: '0005_add_note',
    });

    it('accepts a contract step whose expand step shipped in an earlier release', async () => {
      // Prepare
      const input = withCitadel({ '0005_add_note': expand, '0006_drop_failure_reason': contract }, [
        { name: '0.2.0', lastMigration: '0005_add_note' },
      ]);

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      const verdict = verdictOf(verdicts, '0006_drop_failure_reason');
      expect(verdict.refusal).toBeUndefined();
      expect(verdict.release).toBeUndefined();
      expect(verdict.changes.filter((change) => change.breaking).map((change) => change.object)).toContain(
        'payments.failure_reason',
      );
    });

    it.each([
      ['both are unreleased', [], /its expand migration 0005_add_note is unreleased too/],
      [
        'both shipped in the same release',
        [{ name: '0.2.0', lastMigration: '0006_drop_failure_reason' }],
        /its expand migration 0005_add_note shipped in the same release, 0.2.0/,
      ],
    ])('fails when the contract step’s expand step %s', async (_what, extraReleases, message) => {
      // Prepare
      const input = withCitadel(
        { '0005_add_note': expand, '0006_drop_failure_reason': contract },
        extraReleases,
      );

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      const refusal = verdictOf(verdicts, '0006_drop_failure_reason').refusal;
      expect(refusal).toMatch(message);
      expect(refusal).toContain('record it in src/migrations/released.ts');
    });

    it('fails when a contract step names an expand migration that does not exist', async () => {
      // Prepare
      const input = withCitadel({
        '0005_drop_failure_reason': fixtureMigration(`ALTER TABLE payments DROP COLUMN failure_reason`, {
          step: 'contract',
          expands: '0003_add_failure_detail',
        }),
      });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      expect(verdictOf(verdicts, '0005_drop_failure_reason').refusal).toContain(
        'names expand migration 0003_add_failure_detail, which does not exist',
      );
    });

    it('fails when a contract step names a later migration as its expand step', async () => {
      // Prepare
      const input = withCitadel({
        '0005_drop_failure_reason': fixtureMigration(`ALTER TABLE payments DROP COLUMN failure_reason`, {
          step: 'contract',
          expands: '0006_add_note',
        }),
        '0006_add_note': fixtureMigration(EXPAND_ADDS_NOTE),
      });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      expect(verdictOf(verdicts, '0005_drop_failure_reason').refusal).toContain('which is not earlier');
    });

    it('fails when a step marked as an expand step breaks the previous revision', async () => {
      // Prepare
      const input = withCitadel({
        '0005_replace_failure_reason': fixtureMigration(
          `ALTER TABLE payments RENAME COLUMN failure_reason TO failure_detail`,
          { step: 'expand' },
        ),
      });

      // Act
      const verdicts = await checkOnScratchDatabase(input);

      // Assess
      expect(verdictOf(verdicts, '0005_replace_failure_reason').refusal).toMatch(
        /^0005_replace_failure_reason is marked as an expand step but would break/,
      );
    });
  });

  describe('refuses malformed metadata before applying anything', () => {
    it.each([
      ['a string', 'contract', /change is "contract", not an object/],
      ['null', null, /change is null, not an object/],
      ['an array', [{ step: 'contract' }], /change is an array, not an object/],
      [
        'a misspelt step',
        { step: 'contrct', expands: '0005_add_note' },
        /change.step is "contrct"; expected/,
      ],
      [
        'a contract without expands',
        { step: 'contract' },
        /change.expands is missing; a contract step names its expand migration/,
      ],
      [
        'an expands that is not a migration name',
        { step: 'contract', expands: "0005_x'; DROP TABLE payments; --" },
        /change.expands is "0005_x'; DROP TABLE payments; --"/,
      ],
      [
        'an expands with Unicode digits',
        { step: 'contract', expands: '٠٠٠٥_add_note' },
        /change.expands is "٠٠٠٥_add_note"/,
      ],
      [
        'an expand that names an expand',
        { step: 'expand', expands: '0004_maintenance_roles' },
        /only a contract step names one/,
      ],
      ['an unknown field', { step: 'expand', release: '0.2.0' }, /unknown field\(s\) "release"/],
    ])('fails when change is %s, before touching the database', async (_what, change, message) => {
      // Prepare
      const input = withCitadel({ '0006_marked': fixtureMigration(EXPAND_ADDS_NOTE, change) });

      // Act
      const act = checkMigrationSafety({ pool: unreachablePool, ...input });

      // Assess
      await expect(act).rejects.toThrow(MigrationMetadataError);
      await expect(act).rejects.toThrow(message);
      await expect(act).rejects.toThrow(/^migration 0006_marked: .*docs\/migrations.md/s);
    });

    it('applies nothing to the database when one migration’s metadata is malformed', async () => {
      // Prepare
      const { pool, close } = await openScratchDatabase();
      const input = withCitadel({ '0006_marked': fixtureMigration(EXPAND_ADDS_NOTE, { step: 'contract' }) });

      try {
        // Act
        const act = checkMigrationSafety({ pool, ...input });

        // Assess
        await expect(act).rejects.toThrow(MigrationMetadataError);
        const { rows } = await pool.query(`SELECT to_regclass('schema_migrations') AS migrations`);
        expect(rows).toEqual([{ migrations: null }]);
      } finally {
        await close();
      }
    });

    it.each([
      [
        'names an unknown migration',
        [{ name: '0.2.0', lastMigration: '0009_missing' }],
        /releases\[1\]: lastMigration "0009_missing" is not a known migration/,
      ],
      [
        'goes backwards',
        [{ name: '0.2.0', lastMigration: '0002_patients_payments_audit' }],
        /releases\[1\]: lastMigration "0002_patients_payments_audit" is not after/,
      ],
      [
        'repeats a release name',
        [{ name: '0.1.0', lastMigration: '0005_add_note' }],
        /releases\[1\]: name "0.1.0" is recorded twice/,
      ],
      [
        'has an empty name',
        [{ name: ' ', lastMigration: '0005_add_note' }],
        /releases\[1\]: name is " "; give the release's tag/,
      ],
    ])('fails when the release record %s', async (_what, extraReleases, message) => {
      // Prepare
      const input = withCitadel({ '0005_add_note': fixtureMigration(EXPAND_ADDS_NOTE) }, extraReleases);

      // Act
      const act = checkMigrationSafety({ pool: unreachablePool, ...input });

      // Assess
      await expect(act).rejects.toThrow(ReleaseRecordError);
      await expect(act).rejects.toThrow(message);
    });

    it('fails when a migration is named out of the four-digit order', async () => {
      const input = withCitadel({ '05_add_note': fixtureMigration(EXPAND_ADDS_NOTE) });

      const act = checkMigrationSafety({ pool: unreachablePool, ...input });

      await expect(act).rejects.toThrow(/migration "05_add_note": name must be four digits/);
    });
  });

  it('throws one error listing every refused migration', async () => {
    // Prepare
    const { pool, close } = await openScratchDatabase();
    const input = withCitadel({
      '0005_drop_note_source': fixtureMigration(`ALTER TABLE payments DROP COLUMN description`),
      '0006_add_note': fixtureMigration(EXPAND_ADDS_NOTE),
      '0007_drop_patient_name': fixtureMigration(`ALTER TABLE patients DROP COLUMN name`),
    });

    try {
      // Act
      const act = assertMigrationSafety({ pool, ...input });

      // Assess
      const error = await act.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnsafeMigrationError);
      expect((error as UnsafeMigrationError).refusals.map((refusal) => refusal.split(' ')[0])).toEqual([
        '0005_drop_note_source',
        '0007_drop_patient_name',
      ]);
    } finally {
      await close();
    }
  });
});

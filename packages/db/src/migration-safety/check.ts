import { Kysely, Migrator, PostgresDialect, type Migration } from 'kysely';
import type pg from 'pg';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../migrate.js';
import type { Release } from '../migrations/released.js';
import { readCatalog } from './catalog.js';
import { MIGRATION_NAME, readChange, type MigrationChange } from './change-metadata.js';
import { diffCatalogs, type SchemaChange } from './diff.js';
import { MIGRATIONS_DOC, MigrationMetadataError, UnsafeMigrationError } from './errors.js';
import { indexReleases, type ReleaseIndex } from './release-record.js';

export interface MigrationSafetyInput {
  /** Superuser pool on an empty scratch database; the migrations are applied to it one by one. */
  readonly pool: pg.Pool;
  readonly migrations: Readonly<Record<string, Migration>>;
  readonly releases: readonly Release[];
}

/** What applying one migration did, and whether the previous revision survives it. */
export interface MigrationVerdict {
  readonly name: string;
  /** The release that carried it; `undefined` while unreleased. */
  readonly release: string | undefined;
  /** Carried by the first release, which created the schema with no earlier revision running. */
  readonly baseline: boolean;
  readonly change: MigrationChange | undefined;
  readonly changes: readonly SchemaChange[];
  /** Why the migration is refused; `undefined` when it is accepted. */
  readonly refusal: string | undefined;
}

/**
 * Applies every migration, one at a time and in order, with Kysely's migrator (as the
 * deploy does), reads the catalog after each, and judges the difference. Metadata and the
 * release record are validated first, so a malformed one applies nothing.
 */
export async function checkMigrationSafety(input: MigrationSafetyInput): Promise<MigrationVerdict[]> {
  const names = Object.keys(input.migrations).sort();
  const badName = names.find((name) => !MIGRATION_NAME.test(name));
  if (badName !== undefined) {
    throw new MigrationMetadataError(
      `migration ${JSON.stringify(badName)}: name must be four digits, an underscore and lower-case words, like 0005_add_x`,
    );
  }
  const releases = indexReleases(input.releases, names);
  const marks = new Map(names.map((name) => [name, readChange(name, input.migrations[name] as object)]));

  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: input.pool }) });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => input.migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });

  const verdicts: MigrationVerdict[] = [];
  let before = await readCatalog(input.pool);
  for (const name of names) {
    const { error } = await migrator.migrateTo(name);
    if (error) throw new Error(`migration ${name} failed to apply`, { cause: error });
    const after = await readCatalog(input.pool);
    const changes = diffCatalogs(before, after);
    before = after;
    const change = marks.get(name);
    const baseline = releases.isBaseline(name);
    verdicts.push({
      name,
      release: releases.releaseOf(name),
      baseline,
      change,
      changes,
      refusal: baseline ? undefined : judge(name, change, changes, names, releases),
    });
  }
  return verdicts;
}

/** As `checkMigrationSafety`, and throws `UnsafeMigrationError` listing every refused migration. */
export async function assertMigrationSafety(input: MigrationSafetyInput): Promise<MigrationVerdict[]> {
  const verdicts = await checkMigrationSafety(input);
  const refusals = verdicts.flatMap((verdict) => (verdict.refusal === undefined ? [] : [verdict.refusal]));
  if (refusals.length > 0) throw new UnsafeMigrationError(refusals);
  return verdicts;
}

function judge(
  name: string,
  change: MigrationChange | undefined,
  changes: readonly SchemaChange[],
  names: readonly string[],
  releases: ReleaseIndex,
): string | undefined {
  if (change?.step === 'contract') {
    const expand = change.expands;
    if (!names.includes(expand)) {
      return `${name}: its contract step names expand migration ${expand}, which does not exist. Name the migration that added the new shape (${MIGRATIONS_DOC}).`;
    }
    if (expand >= name) {
      return `${name}: its contract step names expand migration ${expand}, which is not earlier. The expand step comes first and ships first (${MIGRATIONS_DOC}).`;
    }
    if (releases.position(expand) >= releases.position(name)) {
      const where =
        releases.releaseOf(name) === undefined
          ? 'is unreleased too'
          : `shipped in the same release, ${releases.releaseOf(name)}`;
      return `${name}: its expand migration ${expand} ${where}, so the revision running during this deploy may not know the new shape yet. Ship ${expand} in a release first, record it in src/migrations/released.ts, and contract in a later release (${MIGRATIONS_DOC}).`;
    }
    return undefined;
  }
  const broken = changes.filter((entry) => entry.breaking);
  if (broken.length === 0) return undefined;
  const mark = change?.step === 'expand' ? 'is marked as an expand step but ' : '';
  return (
    `${name} ${mark}would break the previous revision while both run during a progressive deploy: ` +
    `${broken.map((entry) => entry.description).join('; ')}. ` +
    `Split it into expand/contract: first add the new shape beside the old one (additive, shipped in a release), ` +
    `then remove the old shape in a later release's migration exporting ` +
    `change = { step: 'contract', expands: '<the expand migration>' }. See ${MIGRATIONS_DOC}.`
  );
}

import type { Release } from '../migrations/released.js';
import { MIGRATIONS_DOC, ReleaseRecordError } from './errors.js';

/** Which release carried each migration; `undefined` for the unreleased ones. */
export interface ReleaseIndex {
  /** Position of the release that carried `migration`, or the number of releases when unreleased. */
  position(migration: string): number;
  /** Name of the release that carried `migration`, or `undefined` when unreleased. */
  releaseOf(migration: string): string | undefined;
  /** True for the first release's migrations: they created the schema from nothing. */
  isBaseline(migration: string): boolean;
}

/** Validates the release record against the migration names (sorted, apply order). */
export function indexReleases(releases: readonly Release[], migrationNames: readonly string[]): ReleaseIndex {
  const fail = (index: number, problem: string): never => {
    throw new ReleaseRecordError(
      `releases[${index}]: ${problem}. Each release names the last migration it carried, oldest release first ` +
        `(src/migrations/released.ts, ${MIGRATIONS_DOC}).`,
    );
  };
  const seen = new Set<string>();
  releases.forEach((release, index) => {
    if (typeof release.name !== 'string' || release.name.trim() === '') {
      fail(index, `name is ${JSON.stringify(release.name)}; give the release's tag`);
    }
    if (seen.has(release.name)) fail(index, `name ${JSON.stringify(release.name)} is recorded twice`);
    seen.add(release.name);
    if (!migrationNames.includes(release.lastMigration)) {
      fail(index, `lastMigration ${JSON.stringify(release.lastMigration)} is not a known migration`);
    }
    const previous = releases[index - 1];
    if (previous && release.lastMigration <= previous.lastMigration) {
      fail(
        index,
        `lastMigration ${JSON.stringify(release.lastMigration)} is not after the previous release's ` +
          `${JSON.stringify(previous.lastMigration)}; record only releases that carry a new migration`,
      );
    }
  });

  const position = (migration: string): number => {
    const found = releases.findIndex((release) => migration <= release.lastMigration);
    return found === -1 ? releases.length : found;
  };
  return {
    position,
    releaseOf: (migration) => releases[position(migration)]?.name,
    isBaseline: (migration) => releases.length > 0 && position(migration) === 0,
  };
}

/** One release of Citadel and the newest migration it carried. */
export interface Release {
  /** The release's name, as tagged (for example `0.2.0`). */
  readonly name: string;
  /** The last migration this release applies; every migration up to it shipped with it or earlier. */
  readonly lastMigration: string;
}

/**
 * Every release, oldest first. A release adds one line here naming its last migration, in
 * the commit that cuts it; migrations after the last line are unreleased. The first
 * release created the schema on an empty database with no earlier revision running, so
 * its migrations are the baseline and are not held to the expand/contract rules.
 * A contract migration is accepted only when its expand migration is in an earlier
 * release than the contract itself (docs/migrations.md).
 */
export const releases: readonly Release[] = [{ name: '0.1.0', lastMigration: '0004_maintenance_roles' }];

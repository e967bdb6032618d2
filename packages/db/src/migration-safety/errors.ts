/** Where the expand/contract rules and the fix for a refused migration are explained. */
export const MIGRATIONS_DOC = 'docs/migrations.md';

/** A migration's `change` export is malformed; nothing was applied. */
export class MigrationMetadataError extends Error {
  override readonly name = 'MigrationMetadataError';
}

/** The record of released migrations (`src/migrations/released.ts`) is malformed; nothing was applied. */
export class ReleaseRecordError extends Error {
  override readonly name = 'ReleaseRecordError';
}

/** One or more migrations would break the revision still running during a progressive deploy. */
export class UnsafeMigrationError extends Error {
  override readonly name = 'UnsafeMigrationError';

  constructor(
    readonly refusals: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `${refusals.length} migration(s) would break the previous revision during a progressive deploy:\n` +
        refusals.map((refusal) => `- ${refusal}`).join('\n'),
      options,
    );
  }
}

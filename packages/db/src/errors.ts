/** A migration failed; `cause` holds the database error. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Pool or connection settings are invalid. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

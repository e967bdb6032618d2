export { createPool, type PoolOptions, type UrlPoolOptions, type IamPoolOptions } from './pool.js';
export { IamTokenSource, IAM_TOKEN_LIFETIME_MS, type IamTokenSourceOptions } from './iam-token.js';
export { migrateToLatest, migrationState, type MigrationState } from './migrate.js';
export { MigrationError, DatabaseConfigError } from './errors.js';

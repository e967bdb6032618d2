export {
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres.js';
export {
  API_DATABASE_ROLE,
  PROCESSOR_DATABASE_ROLE,
  prepareLocalDatabase,
  type LocalDatabase,
} from './prepare-database.js';

export {
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres.js';
export { prepareLocalDatabase, type LocalDatabase } from './prepare-database.js';

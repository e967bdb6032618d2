export { createTestDatabase, type TestDatabase } from './test-database.js';
export { startEmbeddedPostgres, type RunningPostgres } from '../local/embedded-postgres.js';

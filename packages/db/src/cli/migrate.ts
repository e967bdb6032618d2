import { createPool } from '../pool.js';
import { migrateToLatest, migrationState } from '../migrate.js';

/** `DATABASE_URL=postgres://… npm run migrate`: applies pending migrations and reports the state. */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    'DATABASE_URL: required. Point it at the database to migrate (local mode migrates at `npm start`).',
  );
  process.exit(2);
}
const pool = createPool({ kind: 'url', connectionString: url, max: 2, statementTimeoutMs: 60_000 });
try {
  const applied = await migrateToLatest(pool);
  const state = await migrationState(pool);
  console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'nothing to apply');
  console.log(`schema at ${state.applied}`);
} finally {
  await pool.end();
}

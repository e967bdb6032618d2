import { join } from 'node:path';
import { createPool, migrateToLatest } from '@citadel/db';
import { prepareLocalDatabase, startEmbeddedPostgres, type RunningPostgres } from '@citadel/db/local';
import { createLocalJWKSet } from 'jose';
import { loadConfig, LOCAL_ISSUER } from '../config.js';
import { ConfigError } from '../errors.js';
import { runServer } from '../run-server.js';
import { LOCAL_AUDIENCE, loadOrCreateDevSigningKey, mintDevToken } from './dev-keys.js';
import { localDataDir } from './paths.js';

/**
 * `npm start`: local mode. Starts an embedded PostgreSQL under .data/ (unless DATABASE_URL
 * is set), applies migrations, creates the development signing key, and serves the API.
 */
const EMBEDDED_PORT = Number(process.env.CITADEL_PG_PORT ?? 54329);
const started = Date.now();
const dataDir = localDataDir();
const port = process.env.PORT ?? '8080';

let postgres: RunningPostgres | undefined;
try {
  const { databaseUrl, processorDatabaseUrl } = process.env.DATABASE_URL
    ? { databaseUrl: await migrate(process.env.DATABASE_URL), processorDatabaseUrl: undefined }
    : await prepareEmbeddedDatabase();
  const key = await loadOrCreateDevSigningKey(join(dataDir, 'dev-signing-key.json'));
  const config = loadConfig({
    CITADEL_MODE: 'local',
    AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    ...process.env,
    DATABASE_URL: databaseUrl,
    DB_AUTH: 'url',
  });
  const server = await runServer(config, {
    keys: createLocalJWKSet(key.jwks),
    localJwks: key.jwks,
    ...(processorDatabaseUrl ? { processorDatabaseUrl } : {}),
    onSignalClose: async () => {
      await postgres?.stop();
    },
  });
  const token = await mintDevToken(key);
  console.log(`
Citadel API (local mode) on ${server.url}  — ready in ${Date.now() - started} ms
  health   ${server.url}/health
  docs     ${server.url}/docs
  data     ${process.env.DATABASE_URL ? 'DATABASE_URL' : dataDir}

A development token (all scopes, valid one hour; new ones: npm run token -- --scopes patients:read):
  export TOKEN=${token}
  curl -s -H "Authorization: Bearer $TOKEN" ${server.url}/v1/patients

Press Ctrl-C to stop.`);
} catch (error) {
  await postgres?.stop().catch(() => undefined);
  console.error(error instanceof ConfigError ? `citadel: ${error.message}` : error);
  process.exit(1);
}

/**
 * Starts the embedded cluster, creates and migrates the `citadel` database, and lets the
 * API's and the payment processor's roles log in: payments settle under the processor's
 * role, as they do in AWS.
 */
async function prepareEmbeddedDatabase(): Promise<{ databaseUrl: string; processorDatabaseUrl: string }> {
  console.log(
    `starting embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PORT} (data in ${join(dataDir, 'postgres')})`,
  );
  postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: EMBEDDED_PORT });
  const database = await prepareLocalDatabase(postgres.url, 'citadel');
  if (database.applied.length > 0) console.log(`applied migrations: ${database.applied.join(', ')}`);
  return { databaseUrl: database.appUrl, processorDatabaseUrl: database.processorUrl };
}

/** With DATABASE_URL: migrate that database, as the user it names. */
async function migrate(url: string): Promise<string> {
  const pool = createPool({ kind: 'url', connectionString: url, max: 2, statementTimeoutMs: 60_000 });
  try {
    const applied = await migrateToLatest(pool);
    if (applied.length > 0) console.log(`applied migrations: ${applied.join(', ')}`);
  } finally {
    await pool.end();
  }
  return url;
}

import { join } from 'node:path';
import { createPool, DATABASE_NAME, migrateToLatest, type JobName } from '@citadel/db';
import { prepareLocalDatabase, startEmbeddedPostgres, type RunningPostgres } from '@citadel/db/local';
import { createLocalJWKSet } from 'jose';
import { loadConfig, LOCAL_ISSUER } from '../config.js';
import { ConfigError } from '../errors.js';
import { startLocalJobSchedule, type LocalJobSchedule } from '../jobs/local-schedule.js';
import { sendToQueue } from '../jobs/send-to-queue.js';
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
  const { databaseUrl, processorDatabaseUrl, jobDatabaseUrls } = process.env.DATABASE_URL
    ? await migrate(process.env.DATABASE_URL)
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
  // Created once the server exists (the outbox sends to its queue), stopped before it closes.
  const jobs: { schedule?: LocalJobSchedule } = {};
  const server = await runServer(config, {
    keys: createLocalJWKSet(key.jwks),
    localJwks: key.jwks,
    ...(processorDatabaseUrl ? { processorDatabaseUrl } : {}),
    beforeClose: async () => {
      await jobs.schedule?.stop();
    },
    onSignalClose: async () => {
      await postgres?.stop();
    },
  });
  // The maintenance jobs run on timers here, as scheduled tasks do in AWS; the outbox sends
  // to the same in-process processor as new payments.
  jobs.schedule = startLocalJobSchedule({
    databaseUrls: jobDatabaseUrls,
    send: sendToQueue(server.paymentQueue),
    log: server.app.log,
  });
  const token = await mintDevToken(key);
  console.log(`
Citadel API (local mode) on ${server.url}  — ready in ${Date.now() - started} ms
  health   ${server.url}/health
  docs     ${server.url}/docs
  data     ${process.env.DATABASE_URL ? 'DATABASE_URL' : dataDir}
  jobs     payment outbox every minute, idempotency-key retention hourly

A development token (all scopes, valid one hour; new ones: npm run token -- --scopes patients:read):
  export TOKEN=${token}
  curl -s -H "Authorization: Bearer $TOKEN" ${server.url}/v1/patients

Press Ctrl-C to stop.`);
} catch (error) {
  await postgres?.stop().catch(() => undefined);
  console.error(error instanceof ConfigError ? `citadel: ${error.message}` : error);
  process.exit(1);
}

interface LocalDatabaseUrls {
  readonly databaseUrl: string;
  readonly processorDatabaseUrl?: string;
  readonly jobDatabaseUrls: Readonly<Record<JobName, string>>;
}

/**
 * Starts the embedded cluster, creates and migrates the `citadel` database, and lets the
 * API's, the payment processor's and the maintenance jobs' roles log in: payments settle
 * and jobs run under their own roles, as they do in AWS.
 */
async function prepareEmbeddedDatabase(): Promise<LocalDatabaseUrls> {
  console.log(
    `starting embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PORT} (data in ${join(dataDir, 'postgres')})`,
  );
  postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: EMBEDDED_PORT });
  const database = await prepareLocalDatabase(postgres.url, DATABASE_NAME);
  if (database.applied.length > 0) console.log(`applied migrations: ${database.applied.join(', ')}`);
  return {
    databaseUrl: database.appUrl,
    processorDatabaseUrl: database.processorUrl,
    jobDatabaseUrls: { 'idempotency-retention': database.retentionUrl, 'payment-outbox': database.outboxUrl },
  };
}

/** With DATABASE_URL: migrate that database, as the user it names, which every part then uses. */
async function migrate(url: string): Promise<LocalDatabaseUrls> {
  const pool = createPool({ kind: 'url', connectionString: url, max: 2, statementTimeoutMs: 60_000 });
  try {
    const applied = await migrateToLatest(pool);
    if (applied.length > 0) console.log(`applied migrations: ${applied.join(', ')}`);
  } finally {
    await pool.end();
  }
  return { databaseUrl: url, jobDatabaseUrls: { 'idempotency-retention': url, 'payment-outbox': url } };
}

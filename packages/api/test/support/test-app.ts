import { Writable } from 'node:stream';
import { createPool } from '@citadel/db';
import { createTestDatabase, type TestDatabase } from '@citadel/db/testing';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { InProcessPaymentQueue } from '../../src/payments/in-process-payment-queue.js';
import { TEST_AUDIENCE, TEST_ISSUER, TokenIssuer } from './token-issuer.js';

export const ALL_SCOPES = ['patients:read', 'patients:write', 'payments:read', 'payments:write'] as const;

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  /** Pool logged in as the application role, as the API uses it. */
  readonly pool: pg.Pool;
  /** Superuser pool for assertions. */
  readonly admin: pg.Pool;
  readonly issuer: TokenIssuer;
  readonly queue: InProcessPaymentQueue;
  readonly config: Config;
  /** Every JSON log line the app wrote. */
  readonly logs: string[];
  token(scopes?: readonly string[], subject?: string): Promise<string>;
  close(): Promise<void>;
}

/** The real app on a fresh migrated database, with a test identity provider on loopback. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const issuer = await TokenIssuer.start();
  const config = loadConfig({
    CITADEL_MODE: 'local',
    DATABASE_URL: database.appUrl,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '100000',
    // Suites send many refused tokens from one address; the failure limit has its own tests.
    AUTH_FAILURE_LIMIT: '100000',
    ...env,
  });
  const pool = createPool({ kind: 'url', connectionString: database.appUrl, max: 20 });
  const admin = createPool({ kind: 'url', connectionString: database.adminUrl, max: 4 });
  const processor = createPool({ kind: 'url', connectionString: database.processorUrl, max: 4 });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const queue = new InProcessPaymentQueue(processor, () => undefined);
  const app = await buildApp({ config, pool, paymentQueue: queue, logStream });
  await app.ready();
  return {
    app,
    database,
    pool,
    admin,
    issuer,
    queue,
    config,
    logs,
    token: (scopes = ALL_SCOPES, subject = 'user-1') => issuer.token({ scopes, subject }),
    close: async () => {
      await app.close();
      await queue.drain();
      await Promise.all([pool.end(), admin.end(), processor.end(), issuer.stop()]);
      await database.drop();
    },
  };
}

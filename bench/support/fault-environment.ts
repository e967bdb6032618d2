import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApiProcess, type ApiProcess, type ApiProcessOptions } from './api-process.js';
import { startLoopbackServices, type LoopbackServices } from './loopback-services.js';
import { startPrivatePostgres, type PrivatePostgres } from './postgres.js';
import { ALL_SCOPES, seedThroughApi, type Seeded } from './seed.js';
import { createTokenIssuer } from './token-issuer.js';

export const LOAD_SUBJECT = 'fault-client';

export interface FaultEnvironment {
  readonly postgres: PrivatePostgres;
  readonly services: LoopbackServices;
  readonly token: string;
  readonly logDir: string;
  /** Starts an API child process on this environment's database; rate limit raised for load. */
  startApi(options?: Partial<Pick<ApiProcessOptions, 'port' | 'env' | 'logFile'>>): Promise<ApiProcess>;
  /** A patient and a payment, created through the first API started. */
  seed(api: ApiProcess): Promise<Seeded>;
  /** Runs SQL as the superuser, for assertions. */
  query<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

/** A private PostgreSQL cluster, the loopback JWKS and SQS stand-ins, and a token for the load. */
export async function startFaultEnvironment(): Promise<FaultEnvironment> {
  const logDir = await mkdtemp(join(tmpdir(), 'citadel-faults-'));
  const postgres = await startPrivatePostgres();
  const issuer = await createTokenIssuer();
  const services = await startLoopbackServices(issuer.jwks);
  const token = await issuer.mint({ subject: LOAD_SUBJECT, scopes: ALL_SCOPES });
  const apis: ApiProcess[] = [];
  let starts = 0;
  return {
    postgres,
    services,
    token,
    logDir,
    startApi: async (options = {}) => {
      starts += 1;
      const api = await startApiProcess({
        databaseUrl: postgres.appUrl,
        services,
        logFile: options.logFile ?? join(logDir, `api-${starts}.log`),
        ...(options.port ? { port: options.port } : {}),
        env: { RATE_LIMIT_PER_MINUTE: '1000000', ...options.env },
      });
      apis.push(api);
      return api;
    },
    seed: (api) => seedThroughApi(api.url, token),
    query: async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
      const client = new pg.Client({ connectionString: postgres.adminUrl });
      await client.connect();
      try {
        return (await client.query<T>(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    destroy: async () => {
      await Promise.all(apis.map((api) => api.stop('SIGKILL')));
      await services.close();
      await postgres.destroy();
      if (!process.env.CITADEL_FAULTS_KEEP_LOGS) await rm(logDir, { recursive: true, force: true });
    },
  };
}

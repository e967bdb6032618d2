import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DatabaseConfigError } from './errors.js';
import { IamTokenSource, type IamTokenSourceOptions } from './iam-token.js';

interface CommonPoolOptions {
  /** @default 10 */
  readonly max?: number;
  /** Fail a connection attempt after this long. @default 2000 */
  readonly connectionTimeoutMs?: number;
  /** Abort any statement running longer than this. @default 5000 */
  readonly statementTimeoutMs?: number;
  /** Shown in pg_stat_activity. @default 'citadel' */
  readonly applicationName?: string;
}

/** Connect with a URL (local development, tests, or a password from a secret). */
export interface UrlPoolOptions extends CommonPoolOptions {
  readonly kind: 'url';
  readonly connectionString: string;
}

/** Connect to RDS with IAM authentication over TLS verified against the RDS CA bundle. */
export interface IamPoolOptions extends CommonPoolOptions, Omit<IamTokenSourceOptions, 'port'> {
  readonly kind: 'iam';
  /** @default 5432 */
  readonly port?: number;
  readonly database: string;
  /** Path of the RDS certificate bundle (PEM); the server certificate and host name are verified. */
  readonly caBundlePath: string;
}

export type PoolOptions = UrlPoolOptions | IamPoolOptions;

/**
 * Creates a `pg` pool. With IAM authentication every new connection gets a password from
 * the token source, which signs a fresh token only when the cached one nears expiry.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const common: pg.PoolConfig = {
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 2000,
    statement_timeout: options.statementTimeoutMs ?? 5000,
    application_name: options.applicationName ?? 'citadel',
    idleTimeoutMillis: 30_000,
  };
  const pool = options.kind === 'url' ? urlPool(options, common) : iamPool(options, common);
  // A client losing its connection (database restart) emits 'error': on the pool while idle,
  // on the client itself while checked out. Neither may crash the process: the query in
  // flight rejects, and the caller answers 503 or retries.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

function urlPool(options: UrlPoolOptions, common: pg.PoolConfig): pg.Pool {
  try {
    new URL(options.connectionString);
  } catch {
    throw new DatabaseConfigError('the database connection string is not a valid URL');
  }
  return new pg.Pool({ ...common, connectionString: options.connectionString });
}

function iamPool(options: IamPoolOptions, common: pg.PoolConfig): pg.Pool {
  let ca: Buffer;
  try {
    ca = readFileSync(options.caBundlePath);
  } catch (error) {
    throw new DatabaseConfigError(`cannot read the RDS CA bundle at ${options.caBundlePath}`, {
      cause: error,
    });
  }
  const port = options.port ?? 5432;
  const tokens = new IamTokenSource({ ...options, port });
  return new pg.Pool({
    ...common,
    host: options.hostname,
    port,
    database: options.database,
    user: options.username,
    password: () => tokens.token(),
    ssl: { ca, rejectUnauthorized: true, servername: options.hostname },
  });
}

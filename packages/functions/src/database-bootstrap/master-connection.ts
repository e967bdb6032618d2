import { readFileSync } from 'node:fs';
import pg from 'pg';
import { FunctionConfigError, SecretValueError } from '../errors.js';
import type { DatabaseBootstrapProperties } from './properties.js';

/** Where and as whom the bootstrap connects: the master user, from its secret. */
export interface MasterConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Combines the master secret (RDS's JSON shape) with the resource properties, which win. */
export function masterConnection(
  secret: Record<string, unknown>,
  properties: DatabaseBootstrapProperties,
  secretArn: string,
): MasterConnection {
  const { username, password, host, port } = secret;
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    throw new SecretValueError(`secret ${secretArn} must hold "username" and "password" strings`);
  }
  const resolvedHost = properties.dbHost ?? (typeof host === 'string' && host ? host : undefined);
  if (!resolvedHost) {
    throw new SecretValueError(`secret ${secretArn} has no "host"; set the DbHost property`);
  }
  const secretPort = typeof port === 'number' || typeof port === 'string' ? Number(port) : undefined;
  return {
    host: resolvedHost,
    port: properties.dbPort ?? (secretPort && Number.isInteger(secretPort) ? secretPort : 5432),
    database: properties.dbName,
    user: username,
    password,
  };
}

/** Opens the master pool over TLS, verifying the server certificate and host name against the CA bundle. */
export type ConnectMaster = (connection: MasterConnection) => pg.Pool;

export function tlsMasterConnector(caBundlePath: string): ConnectMaster {
  return (connection) => new pg.Pool(masterPoolConfig(connection, readCaBundle(caBundlePath)));
}

export function masterPoolConfig(connection: MasterConnection, ca: string | Buffer): pg.PoolConfig {
  return {
    ...connection,
    max: 1,
    connectionTimeoutMillis: 10_000,
    application_name: 'citadel-database-bootstrap',
    ssl: { ca, rejectUnauthorized: true, servername: connection.host },
  };
}

function readCaBundle(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new FunctionConfigError(`cannot read the RDS CA bundle at ${path} (DB_CA_BUNDLE_PATH)`, {
      cause: error,
    });
  }
}
